"""Work through chunks of texts in this process and in worker processes at once.

The workers are loky's reusable process pool (``loky.get_reusable_executor``, the library behind
joblib's workers): they stay up between calls, so a step that needs workers again (loading, then
tokenising) finds them running, and they start cleanly from scripts and notebooks alike. Worker
functions live in modules that import neither pandas nor scikit-learn, so workers start quickly
and stay small.
"""

import collections
from collections.abc import Callable, Iterator
from concurrent import futures

from loky import get_reusable_executor


def _chunk_results(chunks: list, local: Callable, remote: Callable, workers: int,
                  decode: Callable = lambda result: result) -> Iterator[tuple[int, object]]:
    """``(index, result)`` of every chunk, as they are done: this process runs ``local(chunk)``
    on chunks from the front of the queue while ``workers`` processes (at most two tasks each
    in flight) run ``remote(chunk)`` on chunks from the back, whose results pass through
    ``decode``; so no core waits for another to start up. ``remote`` must pickle."""
    queue = collections.deque(enumerate(chunks))
    running: dict = {}
    pool = get_reusable_executor(workers) if workers > 0 else None
    while queue or running:
        while pool is not None and queue and len(running) < 2 * workers:
            i, chunk = queue.pop()
            running[pool.submit(remote, chunk)] = i
        if queue:
            i, chunk = queue.popleft()
            yield i, local(chunk)
        else:
            futures.wait(running, return_when=futures.FIRST_COMPLETED)
        for future in [future for future in running if future.done()]:
            yield running.pop(future), decode(future.result())
def map_chunks(items: list, local: Callable, remote: Callable, *, chunk_size: int,
               workers: int, decode: Callable = lambda result: result,
               done: Callable[[int], object] = lambda n: None) -> list:
    """``local(chunk)`` (or ``decode(remote(chunk))`` in a worker) of each ``chunk_size`` items
    of ``items``, flattened in input order; ``done(n)`` is called as each chunk of ``n`` items
    is done (e.g. to update a progress bar)."""
    chunks = [items[i:i + chunk_size] for i in range(0, len(items), chunk_size)]
    results = {}
    for i, result in _chunk_results(chunks, local, remote, workers, decode):
        results[i] = result
        done(len(result))
    return [value for i in range(len(chunks)) for value in results[i]]
