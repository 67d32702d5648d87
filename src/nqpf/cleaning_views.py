"""Before/after views for teaching the cleaning steps on real text.

``before_after`` shows what a ``str -> str`` step (``clean.normalize``,
``clean.repair_run_together``, ``Lexicon.apply`` …) does to short windows of raw text,
``reveal`` makes invisible or look-alike characters visible, and ``variant_forms`` lists
the surface forms of a lexicon term as written in each document.
"""

import re
import unicodedata
from collections.abc import Callable

import pandas as pd

from nqpf.checks import check_docs
from nqpf.language import HAN
from nqpf.lexicon import Lexicon, default_lexicon

_SPACES = re.compile(r"\s+")


def reveal(text: str) -> str:
    """``text`` with every non-ASCII or control character (except space and Han characters,
    which stay readable) written as ``[U+XXXX]``: ``"a\\u00a0b"`` -> ``"a[U+00A0]b"``.
    Newlines become ``[U+000A]``."""
    return "".join(c if " " <= c <= "~" or HAN.match(c) else f"[U+{ord(c):04X}]" for c in text)


def char_names(text: str) -> pd.DataFrame:
    """Non-ASCII characters of ``text`` with their Unicode names and counts.
    Returns DataFrame (n_chars, 3): ``char, name, count``, most frequent first."""
    counts = pd.Series([c for c in text if ord(c) > 0x7E], dtype=str).value_counts()
    table = pd.DataFrame({"char": counts.index.astype(str), "count": counts.to_numpy()})
    table.insert(1, "name", [unicodedata.name(c, f"U+{ord(c):04X}") for c in table["char"]])
    return table.sort_values(["count", "char"], ascending=[False, True], ignore_index=True)


def before_after(docs: pd.DataFrame, pattern: str | re.Pattern, step: Callable[[str], str], *,
                 width: int = 30, per_doc: int = 1) -> pd.DataFrame:
    """Windows of raw text around matches of ``pattern`` and what ``step`` makes of them.

    docs: DataFrame with ``doc_id`` and ``text``. For the first ``per_doc`` matches in each
    document, ``before`` is ``raw[start - width : end + width]`` (cut to whole lines) and
    ``after`` is ``step(before)``. Returns DataFrame (n_examples, 5):
    ``doc_id, start, end, before, after`` (``start``/``end``: the match in the raw text)."""
    check_docs(docs)
    if width < 0 or per_doc < 1:
        raise ValueError(f"need width >= 0 and per_doc >= 1, got {width=}, {per_doc=}")
    pattern = re.compile(pattern)
    rows = []
    for doc_id, raw in zip(docs["doc_id"], docs["text"], strict=True):
        for match in list(pattern.finditer(raw))[:per_doc]:
            left = max(match.start() - width, raw.rfind("\n", 0, match.start()) + 1)
            right_line = raw.find("\n", match.end())
            right = min(match.end() + width, len(raw) if right_line < 0 else right_line)
            window = raw[left:right]
            rows.append((doc_id, match.start(), match.end(), window, step(window)))
    table = pd.DataFrame(rows, columns=["doc_id", "start", "end", "before", "after"])
    return table.astype({"doc_id": str, "start": "int64", "end": "int64"})


def variant_forms(docs: pd.DataFrame, term: str, *,
                  lexicon: Lexicon | None = None) -> pd.DataFrame:
    """Surface forms of lexicon ``term`` found in the raw ``text`` of each document.

    docs: DataFrame with ``doc_id`` and ``text``. A form is the match as written (case kept)
    with runs of white space shown as one space. Returns DataFrame (n_forms, 4):
    ``doc_id, surface, term, count``, by doc_id then most frequent first."""
    check_docs(docs)
    lexicon = default_lexicon() if lexicon is None else lexicon
    pattern = lexicon.variants_pattern(term)
    rows = [(doc_id, _SPACES.sub(" ", match.group()))
            for doc_id, raw in zip(docs["doc_id"], docs["text"], strict=True)
            for match in pattern.finditer(raw)]
    table = pd.DataFrame(rows, columns=["doc_id", "surface"], dtype=str)
    table = table.value_counts(["doc_id", "surface"]).rename("count").reset_index()
    table.insert(2, "term", term)
    table = table.astype({"doc_id": str, "surface": str, "term": str, "count": "int64"})
    return table.sort_values(["doc_id", "count", "surface"], ascending=[True, False, True],
                             ignore_index=True)
