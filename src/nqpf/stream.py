"""Prepare a corpus too large for one table, chunk by chunk, with memory that stops growing.

``prepare_stream(source)`` reads a corpus in parts (``parts``): a ``.jsonl``/``.jsonl.gz``
file or a folder of them, Parquet files, or a folder of ``.txt``/``.md`` files. Each part
becomes a ``Block``: its records (``read_part``; a malformed line is a report row with its
line number, the rest loads), their passages (``nqpf.segment.passage_spans``), tokens
(``nqpf.tokens.tokenize_all``) and counts over the block's own terms
(``nqpf.tfidf.TokenCountVectorizer``). Blocks go to disk; only the running document
frequencies stay in memory. The Dask path (``nqpf.cluster``) builds the same blocks on workers.

Vocabulary by a two-pass count, not hashing: the first pass counts each term's document
frequency (passages containing it), the second maps each block's terms to the vocabulary
that ``min_df``/``max_df`` keep, sorted as scikit-learn sorts it. So the vocabulary,
``dtm`` and TF-IDF are exactly those of the in-memory path (``nqpf.prepare`` and
``nqpf.topics.make_vectorizer``), topics name real words, and the second pass is cheap: it
reads the stored counts, not the text. Hashing would save the pass but gives columns without
names (and collisions) and a matrix unlike the in-memory one.

Duplicates as ``nqpf.load_corpus`` drops them (``Deduplicator``: same text after stripping, or
a doc_id already loaded), compared by 64-bit hashes (16 bytes per document in memory).
Rows of a block are in input order; ``Streamed.dtm()`` and ``Streamed.passages()`` sort them
by ``doc_id`` and ``passage_id`` as ``nqpf.prepare`` does.

Shapes: block ``counts``: sparse (n_passages_in_block, n_block_terms); ``dtm``: sparse
(n_passages, n_terms); ``vocab``: array (n_terms,); ``doc_frequencies``: array (n_terms,).
"""

import gzip
import hashlib
import itertools
import json
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from numbers import Integral
from operator import methodcaller
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.decomposition import LatentDirichletAllocation, MiniBatchNMF
from sklearn.feature_extraction.text import TfidfTransformer
from tqdm.auto import tqdm

from nqpf import paths
from nqpf.ingest import METADATA_FILE, TEXT_SUFFIXES, detect_encoding, read_text
from nqpf.language import detect
from nqpf.segment import passages_table
from nqpf.tfidf import TokenCountVectorizer, identity_analyzer

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
PARQUET_SUFFIX = ".parquet"
BLOCK_BYTES = 32 * 2**20  # bytes of an uncompressed JSONL file per part
FILES_PER_PART = 200  # text files per part
CHUNK_LINES = 50_000  # lines (records) per block when streaming one file
SAMPLE_BYTES = 2**20  # bytes read to detect a file's encoding and id column
REPORT_COLUMNS = ["path", "status", "reason"]


@dataclass(frozen=True)
class Part:
    """A piece of a corpus that one task reads: lines ``start``..``stop`` (bytes) of a JSONL
    file, all of a ``.jsonl.gz`` file (gzip cannot be split), one row group of a Parquet file,
    or a group of text ``files``. ``first_line``: number of its first line (or row)."""

    path: str
    kind: str  # "jsonl", "parquet" or "text"
    start: int = 0
    stop: int | None = None
    files: tuple[str, ...] = ()
    first_line: int = 1
    encoding: str = "utf-8"


@dataclass
class Records:
    """Documents read from a part (``doc_ids``, ``texts``, their ``lines`` and ``languages``
    as given in a ``language`` field, else None) and a report row for every record not read
    (``report``: (path, status, reason) tuples)."""

    doc_ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    report: list[tuple[str, str, str]] = field(default_factory=list)
    languages: list[str | None] = field(default_factory=list)

    def add(self, doc_id: str, text: str, line: int, language: str | None = None) -> None:
        self.doc_ids.append(doc_id)
        self.texts.append(text)
        self.lines.append(line)
        self.languages.append(language)


@dataclass
class Block:
    """A part, prepared: one row per document (``doc_ids``, ``lines``, hash keys of its
    stripped text and its id), one row per passage (``passages``: the columns of
    ``nqpf.segment.passages_table`` with ``doc`` = row of its document for ``doc_id``, without
    ``text`` and ``tokens`` unless kept) and ``counts``: sparse (n_passages, n_terms) over the
    block's own sorted ``terms``."""

    doc_ids: list[str]
    lines: np.ndarray
    text_keys: np.ndarray
    id_keys: np.ndarray
    passages: pd.DataFrame
    terms: np.ndarray
    counts: sparse.csr_matrix
    report: list[tuple[str, str, str]] = field(default_factory=list)

    def select(self, keep: np.ndarray) -> "Block":
        """The block with only the documents where ``keep`` is True (and their passages)."""
        new_row = np.cumsum(keep) - 1
        rows = keep[self.passages["doc"].to_numpy()]
        passages = self.passages[rows].reset_index(drop=True)
        passages["doc"] = new_row[passages["doc"].to_numpy()]
        return replace(self, doc_ids=[d for d, k in zip(self.doc_ids, keep, strict=True) if k],
                       lines=self.lines[keep], text_keys=self.text_keys[keep],
                       id_keys=self.id_keys[keep], passages=passages, counts=self.counts[rows])

    def frequencies(self) -> pd.Series:
        """Document frequency (passages containing it) of each of the block's terms that
        occurs at all."""
        df = np.bincount(self.counts.indices, minlength=len(self.terms))
        return pd.Series(df, index=self.terms)[df > 0]

    def table(self) -> pd.DataFrame:
        """Passages with ``doc_id`` instead of ``doc`` (with ``keep_text``, the columns of
        ``nqpf.segment.passages_table``)."""
        table = self.passages.copy()
        doc_ids = np.asarray(self.doc_ids, dtype=object)[table.pop("doc").to_numpy()]
        table.insert(0, "doc_id", pd.Series(doc_ids, dtype="str", index=table.index))
        return table

    def to_vocab(self, vocab: pd.Index) -> sparse.csr_matrix:
        """``counts`` over ``vocab`` (sorted terms): sparse (n_passages, len(vocab)); terms
        not in it are dropped."""
        columns = vocab.get_indexer(self.terms)
        matrix = self.counts.tocoo()
        known = columns[matrix.col] >= 0
        return sparse.csr_matrix(
            (matrix.data[known], (matrix.row[known], columns[matrix.col[known]])),
            shape=(self.counts.shape[0], len(vocab)), dtype=self.counts.dtype)


def key(text: str) -> int:
    """Stable 64-bit hash of ``text`` (the same in every process, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"),
                                          digest_size=8).digest())


def _sample_lines(path: Path) -> bytes:
    """The first whole lines of a (possibly gzipped) file, up to ``SAMPLE_BYTES``."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as file:
        data = file.read(SAMPLE_BYTES)
    return data[:data.rfind(b"\n") + 1] or data


def _jsonl_parts(path: Path, block_bytes: int) -> list[Part]:
    data = _sample_lines(path)
    encoding = detect_encoding(data) or "utf-8"
    if path.name.lower().endswith(".gz"):
        return [Part(str(path), "jsonl", encoding=encoding)]
    size = path.stat().st_size
    return [Part(str(path), "jsonl", start, min(start + block_bytes, size), encoding=encoding)
            for start in range(0, max(size, 1), block_bytes)]


def _parquet_parts(path: Path) -> list[Part]:
    import pyarrow.parquet as pq

    metadata = pq.ParquetFile(path).metadata
    rows = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    firsts = np.cumsum([1, *rows[:-1]])
    return [Part(str(path), "parquet", i, first_line=int(first))
            for i, first in enumerate(firsts)]


def parts(source, *, block_bytes: int = BLOCK_BYTES,
          files_per_part: int = FILES_PER_PART) -> tuple[list[Part], list[tuple]]:
    """The parts of ``source`` in input order, and a report row for each file not read.

    ``source``: a ``.jsonl``/``.jsonl.gz``/``.parquet`` file or a folder of such files (all
    parts of one corpus), or a folder of ``.txt``/``.md`` files (``files_per_part`` to a
    part; ``metadata.csv`` is not needed for counting and is skipped). An uncompressed JSONL
    file is split into parts of about ``block_bytes`` (a line belongs to the part it starts
    in); the first line numbers of these are set by ``number_lines``."""
    source = Path(source).expanduser()
    if not source.exists():
        raise FileNotFoundError(f"corpus source not found: {source}")
    files = sorted(source.iterdir()) if source.is_dir() else [source]
    result, report, texts = [], [], []
    for path in files:
        name = path.name.lower()
        if path.name == METADATA_FILE:
            report.append((path.name, "metadata", "not read (counting needs no metadata)"))
        elif path.is_dir() or path.name.startswith("."):
            report.append((path.name, "skipped", "folder or hidden file (not read)"))
        elif name.endswith(JSONL_SUFFIXES):
            result += _jsonl_parts(path, block_bytes)
        elif name.endswith(PARQUET_SUFFIX):
            result += _parquet_parts(path)
        elif path.suffix.lower() in TEXT_SUFFIXES:
            texts.append(str(path))
        else:
            report.append((path.name, "skipped", f"unsupported file type {path.suffix}"))
    if texts and result:
        raise ValueError(f"{source}: mixes text files with JSONL/Parquet files; "
                         "give one kind of corpus")
    result += [Part(str(source), "text", files=tuple(texts[i:i + files_per_part]))
               for i in range(0, len(texts), files_per_part)]
    if not result:
        raise ValueError(f"{source}: no .jsonl, .jsonl.gz, .parquet, .txt or .md files")
    return result, report


def count_lines(part: Part) -> int:
    """Lines that start inside ``part`` (one large file split into byte ranges)."""
    if part.kind != "jsonl" or part.stop is None:
        raise ValueError("count_lines applies to parts of an uncompressed JSONL file")
    with open(part.path, "rb") as file:
        file.seek(max(part.start - 1, 0))
        data = file.read(part.stop - max(part.start - 1, 0) - 1)
    return data.count(b"\n") + (part.start == 0 and part.stop > 0)


def number_lines(parts: list[Part], counts: list[int]) -> list[Part]:
    """``parts`` with ``first_line`` set from ``counts`` (``count_lines`` of each part; None
    for parts that are whole files or row groups)."""
    numbered, line, path = [], 1, None
    for part, count in zip(parts, counts, strict=True):
        if count is None:
            numbered.append(part)
            continue
        line = 1 if part.path != path else line
        numbered.append(replace(part, first_line=line))
        line, path = line + count, part.path
    return numbered


def _part_lines(part: Part) -> Iterator[bytes]:
    """The raw lines of a JSONL part."""
    if part.stop is None:
        opener = gzip.open if part.path.lower().endswith(".gz") else open
        with opener(part.path, "rb") as file:
            yield from file
        return
    with open(part.path, "rb") as file:
        file.seek(max(part.start - 1, 0))
        if part.start > 0:
            file.readline()  # the line that started before this part
        while file.tell() < part.stop:
            line = file.readline()
            if not line:
                return
            yield line


def id_column_of(part: Part, id_column: str | None, text_column: str) -> str | None:
    """``id_column``, else ``doc_id`` or ``id`` if the first record has one (as
    ``load_corpus`` finds it); checks that the first record has ``text_column``."""
    if part.kind == "text":
        return None
    if part.kind == "parquet":
        import pyarrow.parquet as pq

        columns = pq.ParquetFile(part.path).schema_arrow.names
    else:
        first = next((line for line in _sample_lines(Path(part.path)).splitlines()
                      if line.strip()), b"{}")
        try:
            columns = list(json.loads(first.decode(part.encoding)))
        except (ValueError, TypeError):
            columns = []
    if columns and text_column not in columns:
        raise ValueError(f"{part.path}: no text column {text_column!r}; columns are {columns}")
    if id_column is not None and columns and id_column not in columns:
        raise ValueError(f"{part.path}: no id column {id_column!r}; columns are {columns}")
    return id_column or next((c for c in ("doc_id", "id") if c in columns), None)


def _as_text(value) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def parse_records(rows: Iterable[tuple[int, object]], name: str, *, text_column: str,
                  id_column: str | None) -> Records:
    """Records from ``(line number, parsed record or an error message)`` pairs, as
    ``load_corpus`` reads a table: a record that is not a JSON object or has an empty id is
    reported as failed, an empty text as skipped."""
    records = Records()
    for number, record in rows:
        where = f"{name}#row {number}"
        if isinstance(record, str):
            records.report.append((where, "failed", record))
            continue
        doc_id = f"row_{number:05d}" if id_column is None else _as_text(record.get(id_column))
        text = _as_text(record.get(text_column))
        if not doc_id.strip():
            records.report.append((where, "failed", f"empty id (column {id_column!r})"))
        elif not text.strip():
            records.report.append((where, "skipped", "empty text"))
        else:
            records.add(doc_id, text, number, _as_text(record.get("language")).strip() or None)
    return records


def _json_rows(lines: Iterable[bytes], first_line: int,
               encoding: str) -> Iterator[tuple[int, object]]:
    for number, raw in enumerate(lines, start=first_line):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode(encoding))
        except UnicodeDecodeError:
            yield number, f"could not decode line {number} as {encoding}"
            continue
        except ValueError:
            record = None
        yield number, (record if isinstance(record, dict) else f"invalid JSON on line {number}")


def _text_records(part: Part) -> Records:
    records = Records()
    for number, file in enumerate(map(Path, part.files), start=part.first_line):
        if file.stat().st_size == 0:
            records.report.append((file.name, "skipped", "empty file"))
            continue
        try:
            text, _ = read_text(file)
        except ValueError as error:
            records.report.append((file.name, "failed", str(error)))
            continue
        if not text.strip():
            records.report.append((file.name, "skipped", "empty file"))
            continue
        records.add(file.stem, text, number)
    return records


def read_part(part: Part, *, text_column: str = "text", id_column: str | None = None) -> Records:
    """The records of ``part`` (``id_column`` as found by ``id_column_of``)."""
    name = Path(part.path).name
    if part.kind == "text":
        return _text_records(part)
    if part.kind == "parquet":
        import pyarrow.parquet as pq

        columns = [c for c in (text_column, id_column) if c is not None]
        table = pq.ParquetFile(part.path).read_row_group(part.start, columns=columns)
        rows = enumerate(table.to_pylist(), start=part.first_line)
    else:
        rows = _json_rows(_part_lines(part), part.first_line, part.encoding)
    return parse_records(rows, name, text_column=text_column, id_column=id_column)


def build_block(records: Records, *, min_words: int = 60, max_words: int = 200,
                language: str | None = None, keep_text: bool = False,
                n_jobs: int = 1) -> Block:
    """Passages, tokens and counts of ``records`` (see ``Block``) by
    ``nqpf.segment.passages_table``; each document's language is ``language``, else its
    record's ``language`` field, else detected (as ``load_corpus`` decides it).
    ``keep_text`` keeps each passage's ``text`` and ``tokens``; ``n_jobs`` as in
    ``tokenize_all``."""
    languages = [language or given or detect(text)
                 for given, text in zip(records.languages, records.texts, strict=True)]
    docs = pd.DataFrame({"doc_id": range(len(records.texts)), "text": records.texts,
                         "language": languages})
    passages = passages_table(docs, min_words=min_words, max_words=max_words, n_jobs=n_jobs)
    passages = passages.rename(columns={"doc_id": "doc"}).astype({"doc": "int64"})
    tokens = passages["tokens"].tolist()
    if any(tokens):
        vectorizer = TokenCountVectorizer(analyzer=identity_analyzer)
        counts = sparse.csr_matrix(vectorizer.fit_transform(tokens))
        terms = vectorizer.get_feature_names_out().astype(object)
    else:
        counts = sparse.csr_matrix((len(tokens), 0), dtype=np.int64)
        terms = np.array([], dtype=object)
    if not keep_text:
        passages = passages.drop(columns=["text", "tokens"])
    return Block(records.doc_ids, np.asarray(records.lines, dtype=np.int64),
                 np.fromiter((key(t.strip()) for t in records.texts), np.uint64,
                             len(records.texts)),
                 np.fromiter(map(key, records.doc_ids), np.uint64, len(records.doc_ids)),
                 passages, terms, counts, list(records.report))


def read_block(part: Part, *, text_column: str = "text", id_column: str | None = None,
               **options) -> Block:
    """``build_block(read_part(part))``: one task of the Dask path."""
    return build_block(read_part(part, text_column=text_column, id_column=id_column),
                       **options)


class SortedKeys:
    """A growing set of 64-bit keys in one sorted array (8 bytes a key, unlike a Python set)."""

    def __init__(self):
        self.keys = np.array([], dtype=np.uint64)

    def contains(self, keys: np.ndarray) -> np.ndarray:
        where = np.searchsorted(self.keys, keys)
        found = np.zeros(len(keys), dtype=bool)
        inside = where < len(self.keys)
        found[inside] = self.keys[where[inside]] == keys[inside]
        return found

    def add(self, keys: np.ndarray) -> None:
        keys = np.unique(keys)
        self.keys = np.insert(self.keys, np.searchsorted(self.keys, keys), keys)


class Deduplicator:
    """``load_corpus``'s rule for records seen in input order: a record is dropped if its
    stripped text equals that of a kept record, or else if its doc_id does. Keeps 16 bytes
    per kept document."""

    def __init__(self):
        self.texts, self.ids = SortedKeys(), SortedKeys()

    def keep(self, block: Block, name: str = "") -> tuple[np.ndarray, list[tuple]]:
        """Which of ``block``'s documents to keep, and report rows for the others."""
        keep = np.ones(len(block.doc_ids), dtype=bool)
        old_text = self.texts.contains(block.text_keys)
        old_id = self.ids.contains(block.id_keys)
        texts, ids, report = set(), set(), []  # kept in this block
        for i, (text, doc_id) in enumerate(zip(block.text_keys.tolist(),
                                               block.id_keys.tolist(), strict=True)):
            reason = ("duplicate text" if old_text[i] or text in texts
                      else "duplicate doc_id" if old_id[i] or doc_id in ids else "")
            if reason:
                keep[i] = False
                report.append((f"{name}#row {block.lines[i]}", "skipped",
                               f"{reason} {block.doc_ids[i]}"))
            else:
                texts.add(text)
                ids.add(doc_id)
        self.texts.add(block.text_keys[keep])
        self.ids.add(block.id_keys[keep])
        return keep, report


def merge_frequencies(*frequencies: pd.Series) -> pd.Series:
    """Document frequencies summed over blocks (``Block.frequencies``)."""
    frequencies = [f for f in frequencies if len(f)]
    if not frequencies:
        return pd.Series([], dtype="int64")
    return pd.concat(frequencies).groupby(level=0, sort=False).sum()


def vocabulary(frequencies: pd.Series, n_passages: int, *, min_df: int | float = 2,
               max_df: int | float = 0.95) -> pd.Series:
    """The terms that ``min_df``/``max_df`` keep (as scikit-learn's vectorizers read them:
    an integer is a number of passages, a float a share of ``n_passages``), sorted as
    scikit-learn sorts them, with their document frequencies."""
    high = max_df if isinstance(max_df, Integral) else max_df * n_passages
    low = min_df if isinstance(min_df, Integral) else min_df * n_passages
    if high < low:
        raise ValueError("max_df corresponds to < documents than min_df")
    kept = frequencies[(frequencies >= low) & (frequencies <= high)]
    if kept.empty:
        raise ValueError(f"no terms occur in at least min_df={min_df!r} and at most "
                         f"max_df={max_df!r} of {n_passages} passages; lower min_df or "
                         "raise max_df")
    terms = sorted(kept.index.tolist())
    return kept.reindex(pd.Index(terms, dtype=object)).astype("int64")


def tfidf_transformer(doc_frequencies: np.ndarray, n_passages: int, *,
                      sublinear_tf: bool = False, norm: str | None = "l2") -> TfidfTransformer:
    """scikit-learn's ``TfidfTransformer`` with the smoothed idf of the whole corpus (what
    ``TfidfVectorizer`` would fit on all passages), so each block is weighted alone. The
    defaults weight as ``nqpf.topics.make_vectorizer("nmf")`` does (``nqpf.tfidf.build_tfidf``
    uses ``sublinear_tf=True``)."""
    transformer = TfidfTransformer(sublinear_tf=sublinear_tf, norm=norm)
    transformer.idf_ = np.log((1 + n_passages) / (1 + np.asarray(doc_frequencies))) + 1
    return transformer


def batches_of(blocks: Iterable[sparse.csr_matrix], min_rows: int) -> Iterator:
    """``blocks`` with consecutive ones stacked until each batch has at least ``min_rows``
    rows (the last may have fewer; empty batches are left out)."""
    pending, rows = [], 0
    for block in blocks:
        pending.append(block)
        rows += block.shape[0]
        if rows >= min_rows:
            yield sparse.vstack(pending, format="csr")
            pending, rows = [], 0
    if rows:
        yield sparse.vstack(pending, format="csr")


def fit_topics(batches: Callable[[], Iterable], n_topics: int, *, method: str = "nmf",
               n_passages: int | None = None, n_epochs: int = 1, min_batch: int = 2000,
               random_state: int = 0):
    """A topic model fitted by ``partial_fit`` on the blocks of ``batches()`` (stacked to at
    least ``max(min_batch, n_topics)`` rows each; TF-IDF blocks for ``method="nmf"``:
    scikit-learn's ``MiniBatchNMF``, ``nndsvda`` start from the first batch; count blocks for
    ``"lda"``: online ``LatentDirichletAllocation`` with ``total_samples=n_passages``),
    ``n_epochs`` times over. Returns the fitted estimator (``components_``: (n_topics,
    n_terms))."""
    if method == "nmf":
        model = MiniBatchNMF(n_components=n_topics, init="nndsvda", random_state=random_state)
    elif method == "lda":
        model = LatentDirichletAllocation(n_components=n_topics, learning_method="online",
                                          total_samples=n_passages or 1e6,
                                          random_state=random_state)
    else:
        raise ValueError(f"method must be 'nmf' or 'lda', got {method!r}")
    for _ in range(n_epochs):
        for batch in batches_of(batches(), max(min_batch, n_topics)):
            model.partial_fit(batch)
    return model


def top_terms(model, vocab, *, n_terms: int = 10) -> list[list[str]]:
    """The ``n_terms`` heaviest terms of each topic of a fitted ``fit_topics`` model."""
    vocab = np.asarray(vocab, dtype=object)
    return [vocab[np.argsort(-row, kind="stable")[:n_terms]].tolist() for row in model.components_]


@dataclass
class Prepared:
    """What the two-pass count keeps of a corpus: ``vocab`` (n_terms,), ``doc_frequencies``
    (n_terms,), the numbers of documents and passages, the ``report`` of every record or file
    not loaded, and ``n_blocks`` blocks (in input order, duplicates removed), fetched one at a
    time: ``load(i)`` gives block ``i``, ``counts(i)`` its counts over ``vocab`` (default
    ``load(i).to_vocab(vocab)``)."""

    vocab: pd.Index
    doc_frequencies: np.ndarray
    n_docs: int
    n_passages: int
    report: pd.DataFrame
    n_blocks: int
    load: Callable[[int], Block]
    counts: Callable[[int], sparse.csr_matrix] | None = None

    def blocks(self) -> Iterator[Block]:
        return map(self.load, range(self.n_blocks))

    def count_blocks(self) -> Iterator[sparse.csr_matrix]:
        """Each block's counts over ``vocab``: sparse (n_passages_in_block, n_terms)."""
        if self.counts is not None:
            return map(self.counts, range(self.n_blocks))
        return (block.to_vocab(self.vocab) for block in self.blocks())

    def tfidf_blocks(self, **options) -> Iterator[sparse.csr_matrix]:
        """Each block's TF-IDF (``tfidf_transformer`` options) over ``vocab``."""
        transformer = tfidf_transformer(self.doc_frequencies, self.n_passages, **options)
        return (sparse.csr_matrix(transformer.transform(counts) if counts.shape[0] else counts)
                for counts in map(methodcaller("astype", np.float64), self.count_blocks()))

    def fit_topics(self, n_topics: int, *, method: str = "nmf", **options):
        """``fit_topics`` over this corpus's blocks (TF-IDF for NMF, counts for LDA)."""
        batches = self.tfidf_blocks if method == "nmf" else self.count_blocks
        return fit_topics(batches, n_topics, method=method, n_passages=self.n_passages,
                          **options)

    def passages(self) -> pd.DataFrame:
        """All passages (``Block.table``), sorted by ``doc_id`` and ``passage_id`` as in
        ``nqpf.prepare`` (with ``keep_text``: equal to its ``passages``): for corpora that fit
        in memory."""
        tables = [block.table() for block in self.blocks()]
        tables = [table for table in tables if len(table)] or tables[:1]  # empty: other dtypes
        return _sorted(pd.concat(tables, ignore_index=True)).reset_index(drop=True)

    def dtm(self) -> sparse.csr_matrix:
        """All counts over ``vocab``: sparse (n_passages, n_terms), rows in the order of
        ``passages()``: for corpora that fit in memory."""
        keys = pd.concat([block.table()[["doc_id", "passage_id"]] for block in self.blocks()],
                         ignore_index=True)
        matrix = sparse.vstack(list(self.count_blocks()), format="csr")
        return matrix[_sorted(keys).index.to_numpy()]


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` sorted by ``doc_id`` and ``passage_id`` (index: the rows' old positions)."""
    return table.sort_values(["doc_id", "passage_id"], kind="stable")


def prepared(vocab: pd.Series, n_docs: int, n_passages: int, report: list[tuple],
             n_blocks: int, load: Callable[[int], Block]) -> Prepared:
    """A ``Prepared`` from the ``vocabulary`` (terms and their document frequencies)."""
    return Prepared(pd.Index(vocab.index, dtype=object), vocab.to_numpy(), n_docs, n_passages,
                    pd.DataFrame(report, columns=REPORT_COLUMNS), n_blocks, load)


def records_of(part: Part, chunk_lines: int, **columns) -> Iterator[Records]:
    """The records of ``part`` (``read_part`` options ``columns``), a whole JSONL file in
    chunks of ``chunk_lines`` lines."""
    if part.kind != "jsonl" or part.stop is not None:
        yield read_part(part, **columns)
        return
    lines = _part_lines(part)
    for first in itertools.count(1, chunk_lines):
        chunk = list(itertools.islice(lines, chunk_lines))
        if not chunk:
            return
        yield parse_records(_json_rows(chunk, first, part.encoding), Path(part.path).name,
                            **columns)


def prepare_stream(source, *, text_column: str = "text", id_column: str | None = None,
                   min_words: int = 60, max_words: int = 200, min_df: int | float = 2,
                   max_df: int | float = 0.95, language: str | None = None,
                   keep_text: bool = False, folder: Path | None = None,
                   chunk_lines: int = CHUNK_LINES, n_jobs: int = 1,
                   show_progress: bool = False) -> Prepared:
    """Prepare ``source`` (see ``parts``) one block at a time: read, drop duplicates, build
    passages, tokens and counts, store the block in ``folder`` (default: a new folder under
    ``data/processed/``) and add its document frequencies; then keep the vocabulary.
    Memory: one block (``chunk_lines`` records, or one part) plus the running frequencies and
    duplicate keys. Options as in ``nqpf.prepare``, ``build_block`` and ``vocabulary``."""
    all_parts, report = parts(source)
    id_column = id_column_of(all_parts[0], id_column, text_column)
    folder = Path(folder) if folder is not None else Path(
        tempfile.mkdtemp(prefix="stream-", dir=paths.output_dir(paths.PROCESSED)))
    paths.output_dir(folder)
    dedup, frequencies = Deduplicator(), pd.Series([], dtype="int64")
    n_docs = n_passages = n_blocks = 0
    options = {"min_words": min_words, "max_words": max_words, "language": language,
               "keep_text": keep_text,
               "n_jobs": n_jobs}
    bar = tqdm(desc="prepare", unit=" docs", disable=not show_progress)
    for part in all_parts:
        name = Path(part.path).name
        for records in records_of(part, chunk_lines, text_column=text_column,
                                  id_column=id_column):
            block = build_block(records, **options)
            keep, dropped = dedup.keep(block, name)
            block = block.select(keep)
            report += block.report + dropped
            frequencies = merge_frequencies(frequencies, block.frequencies())
            with open(folder / f"block-{n_blocks:06d}.pkl", "wb") as file:
                pickle.dump(block, file, protocol=pickle.HIGHEST_PROTOCOL)
            n_blocks += 1
            n_docs += len(block.doc_ids)
            n_passages += len(block.passages)
            bar.update(len(records.lines) + len(records.report))
            bar.set_postfix(passages=n_passages, terms=len(frequencies))
    bar.close()
    if not n_docs:
        raise ValueError(f"no documents loaded from {source}: {len(report)} records or files "
                         "not loaded (see the report)")

    def load(i: int) -> Block:
        with open(folder / f"block-{i:06d}.pkl", "rb") as file:
            return pickle.load(file)

    vocab = vocabulary(frequencies, n_passages, min_df=min_df, max_df=max_df)
    return prepared(vocab, n_docs, n_passages, report, n_blocks, load)
