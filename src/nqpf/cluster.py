"""Prepare a corpus on a Dask cluster: ``nqpf.stream``'s blocks, built on the workers.

``prepare_distributed(source, client)`` splits ``source`` into parts (``nqpf.stream.parts``:
a folder of JSONL/Parquet files, one large uncompressed JSONL file in byte ranges, or a
folder of text files), and the workers read, clean, segment, tokenise and count each part
(``nqpf.stream.read_block``). This process then drops duplicates in input order (it receives
only each block's ids and hash keys), the workers sum the document frequencies in a tree and
keep the vocabulary by the same two-pass count as in ``nqpf.stream`` (so vocabulary and
``dtm`` equal the in-memory path's), and each block's counts are mapped to it on its worker. The
blocks stay in the workers' memory; ``Prepared.fit_topics`` streams them to this process one
at a time for ``partial_fit``.

Start a cluster with ``dask scheduler`` and ``dask worker ADDRESS --preload nqpf.cluster`` on
each machine (every worker needs this package installed and the corpus at the same path), then
``client = distributed.Client(ADDRESS)``; on one machine
``distributed.LocalCluster(preload=["nqpf.cluster"])``. The preload (``dask_setup``) imports
the pipeline and loads the lemma dictionary when a worker starts, not in its first task.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

try:
    from distributed import Client, wait
except ModuleNotFoundError:
    raise ModuleNotFoundError("the Dask path (nqpf.cluster, --scheduler) needs dask and "
                              "distributed: pip install -e '.[dask]'") from None
from tqdm.auto import tqdm

from nqpf.stream import (
    BLOCK_BYTES,
    FILES_PER_PART,
    Block,
    Deduplicator,
    Prepared,
    count_lines,
    id_column_of,
    merge_frequencies,
    number_lines,
    parts,
    prepared,
    read_block,
    vocabulary,
)
from nqpf.tokens import tokenize

FAN_IN = 8  # frequency tables merged per task


def dask_setup(worker) -> None:
    """Worker preload (``--preload nqpf.cluster``): tokenise once, so that the tokenizer's
    modules, lexicon and lemma dictionary are loaded before the first task."""
    tokenize("New quality productive forces drive high-quality development.")


@contextmanager
def connect(scheduler: str | None = None, client: Client | None = None) -> Iterator[Client]:
    """``client`` itself, else a client of the scheduler at address ``scheduler`` (e.g.
    ``tcp://10.0.0.5:8786``), closed on leaving; a scheduler that cannot be reached is a
    ValueError naming it."""
    if client is not None:
        yield client
        return
    try:
        connected = Client(scheduler, timeout="30s")
    except OSError as error:
        raise ValueError(f"could not reach the Dask scheduler at {scheduler!r} ({error}); start "
                         "one with 'dask scheduler' and workers with 'dask worker ADDRESS "
                         "--preload nqpf.cluster'") from None
    with connected:
        yield connected


def map_chunks(client: Client, function: Callable[[list], list], items: list, *,
               chunk_size: int) -> list:
    """``function(chunk)`` of each ``chunk_size`` items of ``items`` on ``client``'s workers,
    flattened in input order (as ``nqpf.parallel.map_chunks``)."""
    chunks = [items[i:i + chunk_size] for i in range(0, len(items), chunk_size)]
    results = client.gather(client.map(function, chunks, pure=False))
    return [value for result in results for value in result]


def header(block: Block) -> Block:
    """``block`` without its passages and counts: what duplicate removal needs."""
    return replace(block, passages=None, terms=None, counts=None)


def select(block: Block, keep: np.ndarray) -> Block:
    return block.select(keep)


def frequencies(block: Block) -> pd.Series:
    return block.frequencies()


def n_passages(block: Block) -> int:
    return len(block.passages)


def to_vocab(block: Block, vocab: pd.Index):
    return block.to_vocab(vocab)


def tree_merge(client: Client, futures: list):
    """One future of ``merge_frequencies`` over all ``futures``, ``FAN_IN`` at a time."""
    while len(futures) > 1:
        futures = [client.submit(merge_frequencies, *futures[i:i + FAN_IN])
                   for i in range(0, len(futures), FAN_IN)]
    return futures[0]


def prepare_distributed(source, client: Client, *, text_column: str = "text",
                        id_column: str | None = None, min_words: int = 60,
                        max_words: int = 200, min_df: int | float = 2,
                        max_df: int | float = 0.95, language: str | None = None,
                        keep_text: bool = False,
                        block_bytes: int = BLOCK_BYTES, files_per_part: int = FILES_PER_PART,
                        show_progress: bool = False) -> Prepared:
    """Prepare ``source`` on ``client``'s workers (see module docstring); options as in
    ``nqpf.stream.prepare_stream``, ``block_bytes``/``files_per_part`` as in
    ``nqpf.stream.parts``. Returns, once every block's dtm is built, a ``nqpf.stream.Prepared``
    whose blocks live on the workers."""
    all_parts, report = parts(source, block_bytes=block_bytes, files_per_part=files_per_part)
    id_column = id_column_of(all_parts[0], id_column, text_column)
    split = [i for i, part in enumerate(all_parts) if part.stop is not None]
    lines = client.gather(client.map(count_lines, [all_parts[i] for i in split]))
    counts = dict(zip(split, lines, strict=True))
    all_parts = number_lines(all_parts, [counts.get(i) for i in range(len(all_parts))])
    blocks = client.map(read_block, all_parts, text_column=text_column, id_column=id_column,
                        min_words=min_words, max_words=max_words, language=language,
                        keep_text=keep_text)
    dedup, selected, n_docs = Deduplicator(), [], 0
    headers = client.map(header, blocks)
    for part, block, future in tqdm(zip(all_parts, blocks, headers, strict=True),
                                    total=len(blocks), desc="prepare", unit=" parts",
                                    disable=not show_progress):
        first = future.result()  # in input order, as duplicates are decided
        keep, dropped = dedup.keep(first, Path(part.path).name)
        report += first.report + dropped
        n_docs += int(keep.sum())
        selected.append(client.submit(select, block, keep))
    del blocks, headers, dedup
    if not n_docs:
        raise ValueError(f"no documents loaded from {source}: {len(report)} records or files "
                         "not loaded (see the report)")
    total = sum(client.gather(client.map(n_passages, selected)))
    merged = tree_merge(client, client.map(frequencies, selected))
    vocab = client.submit(vocabulary, merged, total, min_df=min_df, max_df=max_df)
    result = prepared(vocab.result(), n_docs, total, report, len(selected),
                      lambda i: selected[i].result())
    shared = client.scatter(result.vocab, broadcast=True)
    dtm = client.map(to_vocab, selected, vocab=shared)
    wait(dtm)
    return replace(result, counts=lambda i: dtm[i].result())
