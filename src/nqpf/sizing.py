"""How large a corpus is, from its files alone, and whether ``nqpf.prepare`` can hold it.

``estimate_size(source)`` reads file sizes and the first MiB of each table file (for
gzip: how much it expands, and lines per byte); ``check_fits(source)`` refuses a corpus whose
in-memory preparation would need more than half the available memory, with a message that
says how large it is and what to do instead, before anything is loaded.

The memory model (``MEMORY_BASE + MEMORY_PER_BYTE * text_bytes + MEMORY_PER_DOC * n_docs``)
was measured by ``benchmarks/dask_bench.py --calibrate`` (peak RSS of ``nqpf.prepare``
on the Debian descriptions, long texts, and on 200,000 PyPI summaries, short ones; see
``benchmarks/RESULTS.md``) and rounded up.
"""

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

from nqpf.ingest import METADATA_FILE, TABLE_SUFFIXES, TEXT_SUFFIXES

MIB = 2**20
SAMPLE_BYTES = MIB
MEMORY_BASE = 200 * MIB
MEMORY_PER_BYTE = 8
MEMORY_PER_DOC = 1_300
READ_PER_BYTE = 3  # reading every record to draw a ``max_docs`` sample (rounded up)
READ_PER_DOC = 600


class CorpusTooLarge(ValueError):
    """The corpus would not fit in memory (message: how large, and what to do)."""


@dataclass(frozen=True)
class SizeEstimate:
    """``n_files``, ``file_bytes`` (on disk), ``text_bytes`` (uncompressed, estimated for
    gzip), ``n_docs`` (estimated for tables) and ``memory_bytes`` (peak of ``nqpf.prepare``,
    estimated)."""

    n_files: int
    file_bytes: int
    text_bytes: int
    n_docs: int

    @property
    def memory_bytes(self) -> int:
        return self.memory_for()

    def memory_for(self, max_docs: int | None = None) -> int:
        """Peak of ``nqpf.prepare`` (estimated) keeping at most ``max_docs`` documents: every
        record is read, then only the sample prepared."""
        if max_docs is None or max_docs >= self.n_docs:
            return MEMORY_BASE + MEMORY_PER_BYTE * self.text_bytes + MEMORY_PER_DOC * self.n_docs
        share = max_docs / max(self.n_docs, 1)
        return round(MEMORY_BASE + READ_PER_BYTE * self.text_bytes + READ_PER_DOC * self.n_docs
                     + share * (MEMORY_PER_BYTE * self.text_bytes
                                + MEMORY_PER_DOC * self.n_docs))

    def docs_fitting(self, memory: float) -> int:
        """The largest ``max_docs`` whose ``memory_for`` is at most ``memory`` (0: none)."""
        fixed = MEMORY_BASE + READ_PER_BYTE * self.text_bytes + READ_PER_DOC * self.n_docs
        per_doc = ((MEMORY_PER_BYTE * self.text_bytes + MEMORY_PER_DOC * self.n_docs)
                   / max(self.n_docs, 1))
        return max(0, min(self.n_docs, int((memory - fixed) / per_doc)))

    def describe(self) -> str:
        return (f"{self.n_files:,} file(s), {self.file_bytes / MIB:,.0f} MiB on disk, about "
                f"{self.text_bytes / MIB:,.0f} MiB of text and {self.n_docs:,} documents")


def _table_size(path: Path) -> tuple[int, int]:
    """``(text_bytes, n_docs)`` of a (gzipped) JSONL/CSV file, from its first MiB."""
    size = path.stat().st_size
    if not path.name.lower().endswith(".gz"):
        with open(path, "rb") as file:
            sample = file.read(SAMPLE_BYTES)
        return size, round(sample.count(b"\n") * size / max(len(sample), 1))
    with open(path, "rb") as raw, gzip.open(raw) as file:
        try:
            sample = file.read(8 * SAMPLE_BYTES)
        except (OSError, EOFError) as error:
            raise ValueError(f"{path}: not a valid gzip file ({error})") from None
        read = raw.tell()  # compressed bytes consumed so far (buffered: an upper bound)
    text_bytes = len(sample) if read >= size else round(len(sample) * size / max(read, 1))
    return text_bytes, round(sample.count(b"\n") * text_bytes / max(len(sample), 1))


def estimate_size(source) -> SizeEstimate:
    """Size of a corpus ``source`` (a folder of text/JSONL/CSV/Parquet files or one such
    file) from file sizes and samples; nothing is loaded."""
    source = Path(source).expanduser()
    if not source.exists():
        raise FileNotFoundError(f"corpus source not found: {source}")
    files = sorted(p for p in source.iterdir() if p.is_file()) if source.is_dir() else [source]
    file_bytes = text_bytes = n_docs = n_files = 0
    for path in files:
        name = path.name.lower()
        if name == METADATA_FILE:
            continue
        if name.endswith(TABLE_SUFFIXES):
            text, docs = _table_size(path)
        elif name.endswith(".parquet"):
            import pyarrow.parquet as pq

            metadata = pq.ParquetFile(path).metadata
            text = sum(metadata.row_group(i).total_byte_size
                       for i in range(metadata.num_row_groups))
            docs = metadata.num_rows
        elif path.suffix.lower() in TEXT_SUFFIXES:
            text, docs = path.stat().st_size, 1
        else:
            continue
        n_files += 1
        file_bytes += path.stat().st_size
        text_bytes += text
        n_docs += docs
    return SizeEstimate(n_files, file_bytes, text_bytes, n_docs)


def available_memory() -> int:
    """Bytes of memory available to a new process (``MemAvailable`` on Linux)."""
    try:
        with open("/proc/meminfo") as file:
            for line in file:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_fits(source, *, max_docs: int | None = None, available: int | None = None,
               share: float = 0.5) -> SizeEstimate:
    """The ``estimate_size`` of ``source``; raises ``CorpusTooLarge`` if preparing it (at
    most ``max_docs`` documents of it) in memory would need more than ``share`` of the
    ``available`` memory (default: what the machine has free now), with what to do instead:
    among others, a ``max_docs`` sample of a size that fits, if one does."""
    estimate = estimate_size(source)
    available = available_memory() if available is None else available
    needed = estimate.memory_for(max_docs)
    if needed > share * available:
        fitting = estimate.docs_fitting(share * available)
        sample = (f"analyse a random sample: python -m nqpf report --max-docs {fitting} (or "
                  f"nqpf.prepare(source, max_docs={fitting})), about the most that fits"
                  if fitting else "analyse a sample of it saved in a smaller file "
                  "(--max-docs still reads every record, which alone does not fit)")
        within = "" if max_docs is None else f" with --max-docs {max_docs}"
        raise CorpusTooLarge(
            f"{source}: {estimate.describe()}; preparing it in memory{within} needs about "
            f"{needed / 2**30:,.1f} GiB, but {available / 2**30:,.1f} GiB is "
            f"available. {sample[0].upper()}{sample[1:]}; or prepare it on a Dask cluster "
            "(nqpf.cluster.prepare_distributed(source, client)) or in chunks "
            "(nqpf.stream.prepare_stream).")
    return estimate
