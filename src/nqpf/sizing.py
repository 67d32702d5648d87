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
        return MEMORY_BASE + MEMORY_PER_BYTE * self.text_bytes + MEMORY_PER_DOC * self.n_docs

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


def check_fits(source, *, available: int | None = None, share: float = 0.5) -> SizeEstimate:
    """The ``estimate_size`` of ``source``; raises ``CorpusTooLarge`` if preparing it in
    memory would need more than ``share`` of the ``available`` memory (default: what the
    machine has free now), with what to do instead."""
    estimate = estimate_size(source)
    available = available_memory() if available is None else available
    if estimate.memory_bytes > share * available:
        raise CorpusTooLarge(
            f"{source}: {estimate.describe()}; preparing it in memory needs about "
            f"{estimate.memory_bytes / 2**30:,.1f} GiB, but {available / 2**30:,.1f} GiB is "
            "available. Prepare it on a Dask cluster "
            "(nqpf.cluster.prepare_distributed(source, client)) or in chunks "
            "(nqpf.stream.prepare_stream), or analyse a random sample of the corpus.")
    return estimate
