"""Work on many rows at once (an import, a sync merge): what the process does meanwhile."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

GC_THRESHOLD = 200_000  # new objects between the garbage collector's young passes


@contextmanager
def rare_collections() -> Iterator[None]:
    """Run the cyclic garbage collector every 200,000 new objects instead of every 700.

    An import makes a dozen objects per cell (rows, dicts, strings) and a merge several per
    operation, none of them in reference cycles: an import spent ~6% of its time, a merge
    ~3%, in collections that found nothing to free. (mypy does the same for its builds.)
    Reference counting still frees everything else.
    """
    before = collect_rarely()
    try:
        yield
    finally:
        gc.set_threshold(*before)


def collect_rarely() -> tuple[int, int, int]:
    """What :func:`rare_collections` does, for good (a worker process that only cleans
    rows); returns the thresholds before."""
    before = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *before[1:])
    return before
