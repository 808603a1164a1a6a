"""CPython's cyclic garbage collector, tuned for a served API process.

By default the collector runs whenever 700 more container objects have been made than
freed: a request makes thousands, so it runs several times per request. It walks every
object still alive at that moment, which under load includes the objects of the other
requests in flight; those then count as survivors, and full collections follow, which
walk everything the process holds: its code, its cached cases. Measured under the load
of `bench/api_load.py`: about a tenth of a worker's CPU, and pauses of up to ~100 ms.

Once the process has started, the objects it holds are moved out of the collector's
reach (they live as long as the process), and young collections run 30 times less
often. Reference counting still frees almost every object at once; cycles are still
collected, just later."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

SERVED_THRESHOLDS = (21_000, 20, 20)
"""Allocations before a young collection, and young (middle) collections before a
middle (full) one; CPython's defaults are (700, 10, 10)."""


@contextmanager
def tuned_for_serving() -> Iterator[None]:
    """For the lifetime of a served app: what exists now is frozen, collections are rarer;
    both are undone on exit (an app stopped inside a longer-lived process, as in tests)."""
    previous = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*SERVED_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()
