"""What ``nqpf.ingest.load_corpus`` measures of each document, a chunk of texts at a time:
its language, word count and spacing (``nqpf.language.profile``) and its boilerplate spans
(``nqpf.boilerplate.find_all``). Chunks run in this process, in worker processes
(``nqpf.parallel``) or on a Dask cluster; the module imports neither pandas nor
scikit-learn (only pyarrow's RE2 search), so workers start quickly."""

from nqpf.boilerplate import Span, find_all
from nqpf.language import profile


def measure(chunk: list[tuple[str, str | None]]) -> list[tuple[str, int, bool, list[Span]]]:
    """``(language, n_words, spaced, spans)`` of each ``(text, language)`` of ``chunk``; the
    language is detected where it is None."""
    if not chunk:
        return []
    texts, languages = map(list, zip(*chunk, strict=True))
    found = profile(texts, languages)
    return list(zip(found.languages, found.n_words, found.spaced, find_all(texts), strict=True))
