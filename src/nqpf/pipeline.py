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
from tqdm.auto import tqdm

from nqpf import paths, sizing
from nqpf.boilerplate import Span, body_spans, find_all, recurring_blocks, set_aside
from nqpf.ingest import Corpus, load_corpus
from nqpf.segment import segment_docs
from nqpf.tokens import tokenize_all

TABLES = ("passages", "sentences", "boilerplate")
CODE = Path(__file__).parent  # any edit to the package invalidates the cache
CHUNK_DOCS = 2000  # documents per task of ``prepare`` on a Dask cluster
CHUNK_CHARS = 4_000_000  # and characters (a longer document is a task of its own)


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


def segment_and_tokenize(docs: pd.DataFrame, paragraphs: list, *, min_words: int = 60,
                         max_words: int = 200, show_progress: bool = False,
                         n_jobs: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(passages, sentences)`` of ``docs`` (``doc_id``, ``text``, ``language``; one row per
    document, ``paragraphs`` its ``body_spans``), passages with their ``tokens``: one task of
    ``prepare`` on a Dask worker."""
    passages, sentences = segment_docs(docs, paragraphs, min_words=min_words,
                                       max_words=max_words, show_progress=show_progress)
    passages["tokens"] = tokenize_all(passages["text"], languages=passages["language"],
                                      show_progress=show_progress, n_jobs=n_jobs)
    return passages, sentences


def chunk_rows(docs: pd.DataFrame) -> list[slice]:
    """Rows of ``docs`` in consecutive chunks of at most ``CHUNK_DOCS`` documents and (unless
    one document is longer) ``CHUNK_CHARS`` characters: the tasks of ``prepare`` on a
    cluster."""
    chunks, start, size = [], 0, 0
    for row, n_chars in enumerate(docs["text"].str.len()):
        if row > start and (row - start >= CHUNK_DOCS or size + n_chars > CHUNK_CHARS):
            chunks.append(slice(start, row))
            start, size = row, 0
        size += n_chars
    return [*chunks, slice(start, len(docs))]


def segment_on_cluster(client, docs: pd.DataFrame, paragraphs: list, *, min_words: int,
                       max_words: int,
                       show_progress: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``segment_and_tokenize`` of ``docs`` in chunks (``chunk_rows``) on ``client``'s workers;
    the same tables as in one process."""
    from distributed import as_completed

    columns = docs[["doc_id", "text", "language"]]
    chunks = chunk_rows(docs)
    futures = [client.submit(segment_and_tokenize, columns[rows], paragraphs[rows],
                             min_words=min_words, max_words=max_words, pure=False)
               for rows in chunks]
    order = {future.key: i for i, future in enumerate(futures)}
    results = [None] * len(futures)
    for future in tqdm(as_completed(futures), total=len(futures), desc="passages on cluster",
                       unit=" chunks", disable=not show_progress):
        results[order[future.key]] = future.result()
    passages, sentences = zip(*results, strict=True)
    return (pd.concat(passages, ignore_index=True), pd.concat(sentences, ignore_index=True))


def prepare(source=None, *, text_column: str = "text", id_column: str | None = None,
            language: str | None = None, min_words: int = 60, max_words: int = 200,
            max_docs: int | None = None, sample: str = "random", random_state: int = 0,
            cache: bool = True, show_progress: bool = False, n_jobs: int = 1,
            metadata_file=None, scheduler: str | None = None, client=None) -> Prepared:
    """Load ``source`` (default: the study corpus in ``data/raw``; ``text_column``,
    ``id_column``, ``language`` (None: detected per document), ``metadata_file`` and
    ``max_docs``/``sample``/``random_state`` (at most ``max_docs`` documents: a seeded random
    sample or the first ones) as in ``load_corpus``) and build the passages (n_passages rows;
    ``min_words``-``max_words`` words, for Chinese times ``nqpf.language.CHARS_PER_WORD``
    characters),
    sentences and boilerplate tables, reusing a cached copy if one exists. ``n_jobs``
    processes tokenise the passages (worth it from some thousand passages on). With a Dask
    ``client`` (or the address of its ``scheduler``), the workers find the boilerplate and
    segment and tokenise the documents in chunks; the tables are the same, and held here as
    without a cluster. A corpus that would not fit in memory is refused before loading
    (``nqpf.sizing.CorpusTooLarge``, saying what to do instead)."""
    source = paths.RAW if source is None else source
    sizing.check_fits(source, max_docs=max_docs)  # a cluster shares the work, not the tables
    corpus = load_corpus(source, text_column=text_column, id_column=id_column,
                         language=language, metadata_file=metadata_file, max_docs=max_docs,
                         sample=sample, random_state=random_state, scheduler=scheduler,
                         client=client)
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
    if client is None and scheduler is None:
        passages, sentences = segment_and_tokenize(
            docs, paragraphs, min_words=min_words, max_words=max_words,
            show_progress=show_progress, n_jobs=n_jobs)
    else:
        from nqpf.cluster import connect

        with connect(scheduler, client) as dask_client:
            passages, sentences = segment_on_cluster(
                dask_client, docs, paragraphs, min_words=min_words, max_words=max_words,
                show_progress=show_progress)
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
