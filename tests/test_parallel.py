"""nqpf.parallel: chunks in this process and in worker processes, results in input order."""

import subprocess
import sys

import pytest

from nqpf.parallel import map_chunks


def double(chunk):
    return [2 * x for x in chunk]


def tagged(chunk):  # what a worker returns, before decode
    return [("remote", x) for x in chunk]


def heavy_modules(chunk):
    return [sorted({"pandas", "sklearn"} & set(sys.modules)) for _ in chunk]


@pytest.mark.parametrize("workers", [0, 1, 2])
@pytest.mark.parametrize(("n_items", "chunk_size"), [(0, 3), (1, 3), (10, 3), (10, 10), (25, 1)])
def test_map_chunks_keeps_input_order(workers, n_items, chunk_size):
    items, done = list(range(n_items)), []
    result = map_chunks(items, double, double, chunk_size=chunk_size, workers=workers,
                        done=done.append)
    assert result == [2 * x for x in items]
    assert sum(done) == n_items and all(0 < n <= chunk_size for n in done)


def test_remote_results_are_decoded():
    decoded = []

    def decode(pairs):
        decoded.append(pairs)
        return [2 * x for _, x in pairs]

    result = map_chunks(list(range(40)), double, tagged, chunk_size=2, workers=1, decode=decode)
    assert result == [2 * x for x in range(40)]
    # the worker gets its first two chunks before this process starts on the queue
    assert len(decoded) >= 2
    assert all(tag == "remote" for pairs in decoded for tag, _ in pairs)


def test_worker_modules_do_not_import_pandas():
    code = ("import sys, nqpf.boilerplate, nqpf.parallel, nqpf.tokens; "
            "print(sorted({'pandas', 'sklearn'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_workers_run_without_pandas():
    """Workers are fresh processes, not copies of this one (which has pandas)."""
    import pandas  # noqa: F401

    loaded = map_chunks([1, 2], heavy_modules, heavy_modules, chunk_size=1, workers=1,
                        decode=lambda result: [("worker", result[0])])
    assert ("worker", []) in loaded
