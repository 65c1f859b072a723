"""The cyclic garbage collector tuned for the load phase.

Loading builds millions of small containers (decoded templates, parse trees, evaluated
values) and frees almost none of them until the run ends, so CPython's default collector,
which runs a young-generation pass every 700 allocations and re-examines every survivor
in the older passes, spends a large share of a big scan finding nothing (measured: about
45% of 500 CloudFormation templates). While loading, what is already alive (the imported
modules) is frozen out of the collector's view and the young generation is collected
rarely; cycles are still collected, only less often, and the defaults come back after.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations between young-generation passes while loading (CPython's default: 700).
LOAD_THRESHOLD = 50_000


@contextmanager
def load_phase() -> Iterator[None]:
    if not gc.isenabled():  # the caller manages the collector itself (a profiler, a test)
        yield
        return
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(LOAD_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
