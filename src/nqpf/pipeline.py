"""From a corpus source to the tables every notebook uses, in one call, cached by content.

``prepare(source)`` loads the corpus, separates boilerplate, segments sentences and
passages and tokenises the passages. The result is cached under ``data/processed/``
keyed by a hash of everything it depends on (the documents, the lexicon and stopword
files, the settings, the package's code), so a notebook re-run or a second notebook
reuses it and any edit to the inputs invalidates it.
"""

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from nqpf import paths
from nqpf.boilerplate import boilerplate_table
from nqpf.ingest import Corpus, load_corpus
from nqpf.segment import passages_table, sentences_table

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
    """Hash of the documents, the lexicon folder, the settings and the package's code."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    for doc_id, text in zip(docs["doc_id"], docs["text"], strict=True):
        digest.update(f"{doc_id}\0{text}\0".encode())
    for path in [*sorted(paths.LEXICON.glob("*")), *sorted(CODE.glob("*.py"))]:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def prepare(source=None, *, text_column: str = "text", id_column: str | None = None,
            min_words: int = 60, max_words: int = 200, cache: bool = True,
            show_progress: bool = False, n_jobs: int = 1) -> Prepared:
    """Load ``source`` (default: the study corpus in ``data/raw``; ``text_column`` and
    ``id_column`` as in ``load_corpus``) and build the passages (n_passages rows), sentences
    and boilerplate tables, reusing a cached copy if one exists. ``n_jobs`` processes
    tokenise the passages (worth it from some thousand passages on)."""
    corpus = load_corpus(paths.RAW if source is None else source, text_column=text_column,
                         id_column=id_column)
    settings = {"min_words": min_words, "max_words": max_words}
    folder = paths.PROCESSED / cache_key(corpus.docs, settings)
    if cache and all((folder / f"{name}.parquet").exists() for name in TABLES):
        tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES}
        tables["passages"]["tokens"] = tables["passages"]["tokens"].map(list)
        return Prepared(corpus, **tables)
    tables = {
        "passages": passages_table(corpus.docs, show_progress=show_progress, n_jobs=n_jobs,
                                   **settings),
        "sentences": sentences_table(corpus.docs),
        "boilerplate": boilerplate_table(corpus.docs),
    }
    if cache:  # written under a temporary name, then renamed: notebooks may run side by side
        paths.output_dir(folder)
        for name, table in tables.items():
            partial = folder / f".{name}.{os.getpid()}.parquet"
            table.to_parquet(partial, index=False)
            partial.replace(folder / f"{name}.parquet")
    return Prepared(corpus, **tables)
