"""The collector tuning around loading (src/iaccert/gc_tuning.py) always gives back the
collector as it found it, and collects cycles meanwhile."""

from __future__ import annotations

import gc
import weakref

import pytest

from iaccert.gc_tuning import LOAD_THRESHOLD, load_phase


def test_thresholds_raised_while_loading_then_restored():
    before = gc.get_threshold()
    with load_phase():
        assert gc.get_threshold()[0] == LOAD_THRESHOLD
        assert gc.get_freeze_count() > 0  # what was alive before is out of the collector's way
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_restored_after_an_error():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), load_phase():
        raise RuntimeError
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_disabled_collector_is_left_alone():
    before = gc.get_threshold()
    gc.disable()
    try:
        with load_phase():
            assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    finally:
        gc.enable()


def test_cycles_made_while_loading_are_still_collected():
    class Node:
        pass

    with load_phase():
        node = Node()
        node.self = node
        ref = weakref.ref(node)
        del node
        kept = [[] for _ in range(2 * LOAD_THRESHOLD)]  # live allocations: a young pass runs
        assert ref() is None and len(kept) == 2 * LOAD_THRESHOLD
