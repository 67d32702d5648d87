"""From a corpus source to the tables every notebook uses, in one call, cached by content.

``prepare(source)`` runs the stages in order, each once per document, each handing its result
to the next: load (decode, ingest report, language; ``nqpf.ingest``) -> boilerplate spans
(found while loading, ``Corpus.spans``) -> body paragraphs -> sentences -> passages
(``nqpf.segment``) -> tokens (``nqpf.tokens``, per passage in its document's language, which
normalises each passage once; worker processes start here, for ``n_jobs > 1``). The result is
cached under ``data/processed/`` keyed by a hash of everything it depends on (the documents,
the lexicon and stopword files, the settings, the package's code), so a notebook re-run or a
second notebook reuses it and any edit to the inputs invalidates it.
"""

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from nqpf import paths, sizing
from nqpf.boilerplate import Span, body_spans, find_all, recurring_blocks, set_aside
from nqpf.ingest import Corpus, load_corpus
from nqpf.segment import segment_docs
from nqpf.tokens import tokenize_all

TABLES = ("passages", "sentences", "boilerplate")
CODE = Path(__file__).parent  # any edit to the package invalidates the cache


@dataclass(frozen=True, eq=False)
class Prepared:
    """The corpus and its derived tables (see ``nqpf.segment`` for their columns)."""

    corpus: Corpus
    passages: pd.DataFrame
    sentences: pd.DataFrame
    boilerplate: pd.DataFrame

    @property
    def docs(self) -> pd.DataFrame:
        return self.corpus.docs


def cache_key(docs: pd.DataFrame, settings: dict) -> str:
    """Hash of the documents (and their languages), the lexicon folder, the settings and the
    package's code."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    for doc_id, text in zip(docs["doc_id"], docs["text"], strict=True):
        digest.update(f"{doc_id}\0{text}\0".encode())
    if "language" in docs:
        digest.update("\0".join(docs["language"]).encode())
    for path in [*sorted(paths.LEXICON.glob("*")), *sorted(CODE.glob("*.py"))]:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def spans_table(docs: pd.DataFrame, spans: dict[str, list[Span]]) -> pd.DataFrame:
    """One row per boilerplate span: ``doc_id, kind, start, end, text`` (``text`` is
    ``raw[start:end]``), from the ``spans`` found while loading (as
    ``nqpf.boilerplate.boilerplate_table``, without finding them again)."""
    rows = [(doc_id, span.kind, span.start, span.end, text[span.start:span.end])
            for doc_id, text in zip(docs["doc_id"], docs["text"], strict=True)
            for span in spans[doc_id]]
    table = pd.DataFrame(rows, columns=["doc_id", "kind", "start", "end", "text"])
    return table.astype({"start": "int64", "end": "int64"})


def prepare(source=None, *, text_column: str = "text", id_column: str | None = None,
            language: str | None = None, min_words: int = 60, max_words: int = 200,
            cache: bool = True, show_progress: bool = False, n_jobs: int = 1,
            metadata_file=None) -> Prepared:
    """Load ``source`` (default: the study corpus in ``data/raw``; ``text_column``,
    ``id_column``, ``language`` (None: detected per document) and ``metadata_file`` as in
    ``load_corpus``) and
    build the passages (n_passages rows; ``min_words``-``max_words`` words, for Chinese times
    ``nqpf.language.CHARS_PER_WORD`` characters), sentences and boilerplate tables, reusing a
    cached copy if one exists. ``n_jobs`` processes tokenise the passages (worth it from some
    thousand passages on). A corpus that would not fit in memory is refused before loading
    (``nqpf.sizing.CorpusTooLarge``, saying what to do instead)."""
    source = paths.RAW if source is None else source
    sizing.check_fits(source)
    corpus = load_corpus(source, text_column=text_column, id_column=id_column,
                         language=language, metadata_file=metadata_file)
    settings = {"min_words": min_words, "max_words": max_words, "language": language}
    folder = paths.PROCESSED / cache_key(corpus.docs, settings)
    if cache and all((folder / f"{name}.parquet").exists() for name in TABLES):
        tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES}
        tables["passages"]["tokens"] = tables["passages"]["tokens"].map(list)
        return Prepared(corpus, **tables)
    docs = corpus.docs
    texts = docs["text"].tolist()
    spans = corpus.spans or dict(zip(docs["doc_id"], map(set_aside, find_all(texts),
                                                         recurring_blocks(texts)), strict=True))
    paragraphs = [body_spans(text, spans[doc_id])
                  for doc_id, text in zip(docs["doc_id"], docs["text"], strict=True)]
    passages, sentences = segment_docs(docs, paragraphs, min_words=min_words,
                                       max_words=max_words, show_progress=show_progress)
    passages["tokens"] = tokenize_all(passages["text"], languages=passages["language"],
                                      show_progress=show_progress, n_jobs=n_jobs)
    tables = {"passages": passages, "sentences": sentences,
              "boilerplate": spans_table(docs, spans)}
    if cache:  # written under a temporary name, then renamed: notebooks may run side by side
        paths.output_dir(folder)
        for name, table in tables.items():
            partial = folder / f".{name}.{os.getpid()}.parquet"
            table.to_parquet(partial, index=False)
            partial.replace(folder / f"{name}.parquet")
    return Prepared(corpus, **tables)


def cache_size() -> tuple[int, int]:
    """Files in the cache (``data/processed/``) and their total size in bytes."""
    files = [path for path in paths.PROCESSED.rglob("*") if path.is_file()]
    return len(files), sum(path.stat().st_size for path in files)


def clear_cache() -> None:
    """Delete the cache (``data/processed/``); ``prepare`` rebuilds what it needs."""
    shutil.rmtree(paths.PROCESSED, ignore_errors=True)
