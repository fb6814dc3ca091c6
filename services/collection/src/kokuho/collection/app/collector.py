"""The cyclic garbage collector paused while a large batch is decided and written.

A 300,000-line payment file keeps millions of objects alive until it commits (ledgers, events,
contracts, rows); each of the collector's passes walks them all, and it cost about a third of
the import (bench/README.md). Reference counting still frees what is dropped; the collector
resumes when the outermost batch ends (a process may run two at once)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


class _State:
    depth = 0
    resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    if _State.depth == 0:
        _State.resume = gc.isenabled()
        gc.disable()
    _State.depth += 1
    try:
        yield
    finally:
        _State.depth -= 1
        if _State.depth == 0 and _State.resume:
            gc.enable()
