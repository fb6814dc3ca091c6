"""The collector paused for a batch resumes after the outermost one, and only if it ran."""

from __future__ import annotations

import gc

import pytest

from kokuho.collection.app.collector import collector_paused


def test_paused_inside_resumed_after_the_outermost_batch() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer batch still runs
    assert gc.isenabled()


def test_resumed_after_a_failure_and_left_off_when_it_was_off() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("the batch failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
