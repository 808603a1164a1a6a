"""CPython's cyclic garbage collector, tuned for a served API process.

By default a young collection runs whenever 700 more container objects have been made
than freed (under the load of `bench/api_load.py`, about every tenth request), a middle
one every tenth young one. Objects that survive them, such as those of the requests then
in flight, count towards a full collection, which walks everything the process holds: its
code, its cached cases. Measured under that load: about a tenth of a worker's CPU, with
full collections of ~100 ms each.

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
