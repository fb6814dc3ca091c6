"""The collector paused for a batch resumes after the outermost one, and only if it ran."""

from __future__ import annotations

import gc
import threading

import pytest

from kokuho.platform.collector import collector_paused


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


def test_batches_of_several_threads_resume_it_after_the_last() -> None:
    """Two threads' batches overlapping: the first to end leaves it paused for the other."""
    first_in, first_out = threading.Event(), threading.Event()
    seen: list[bool] = []

    def other_batch() -> None:
        with collector_paused():
            first_in.set()
            first_out.wait(5)
            seen.append(gc.isenabled())

    thread = threading.Thread(target=other_batch)
    with collector_paused():
        thread.start()
        assert first_in.wait(5)
    first_out.set()
    thread.join(5)
    assert seen == [False]  # still paused: the other thread's batch had not ended
    assert gc.isenabled()
