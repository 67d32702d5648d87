"""Pages of a text: a page ends with a form feed, as pdftotext writes it.

``nqpf.sources`` ends every page of a PDF's text with ``PAGE_BREAK`` (a form feed on a line
of its own), so the page of any offset into the raw text is 1 + the form feeds before it;
a text without a form feed has no pages. The tables of a corpus with pages get a ``page``
column from ``page_column`` (the page on which a passage, sentence or match starts).
"""

import re
from bisect import bisect_right

PAGE_BREAK = "\n\f\n"
_PAGE_END = re.compile("\f\n?")


def page_starts(text: str) -> list[int]:
    """Offsets where the pages of ``text`` start, ``[0, ...]``; ``[]`` without pages."""
    if "\f" not in text:
        return []
    return [0] + [match.end() for match in _PAGE_END.finditer(text)][:-1]


def has_pages(texts) -> bool:
    """Whether any of ``texts`` has pages (a form feed)."""
    return any("\f" in text for text in texts)


def page_column(texts: dict[str, str], doc_ids, offsets) -> list[int | None]:
    """The page (1-based) of each ``(doc_id, offset)``, None in a text without pages
    (``texts``: {doc_id: raw text})."""
    starts = {doc_id: page_starts(text) for doc_id, text in texts.items()}
    return [bisect_right(starts[doc_id], offset) if starts[doc_id] else None
            for doc_id, offset in zip(doc_ids, offsets, strict=True)]
