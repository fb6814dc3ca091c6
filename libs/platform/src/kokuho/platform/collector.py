"""The cyclic garbage collector paused while a large batch is decided and written.

A batch (a 300,000-line payment file, a chunk of the annual run 本算定) keeps millions of
objects alive until it is written: ledgers, events, contracts, rows. They hold no reference
cycles, but each of the collector's passes walks them all, and its passes cost a third of the
payment file's import and a tenth of the annual run's writing process (bench/README.md).
Reference counting still frees what is dropped; the collector resumes when the outermost batch
of the process ends, and only if it was running before the first (a process may run two at
once, from several threads).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _State:
    lock = threading.Lock()
    depth = 0
    resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    with _State.lock:
        if _State.depth == 0:
            _State.resume = gc.isenabled()
            gc.disable()
        _State.depth += 1
    try:
        yield
    finally:
        with _State.lock:
            _State.depth -= 1
            if _State.depth == 0 and _State.resume:
                gc.enable()
