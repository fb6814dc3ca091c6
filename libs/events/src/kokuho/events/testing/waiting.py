"""Waiting with a deadline, for tests: events take a moment to flow."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    attempt: Callable[[], Awaitable[T] | T],
    timeout: float = 45.0,
    *,
    interval: float = 0.2,
    what: str = "the condition",
) -> T:
    """Retry until ``attempt`` (sync or async) returns something truthy; return it.

    An ``AssertionError`` raised by the attempt counts as "not yet"; after the deadline the
    last one is raised again, so a failing test shows what it was waiting for.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        failure: AssertionError | None = None
        try:
            result = attempt()
            if inspect.isawaitable(result):
                result = await result
        except AssertionError as exc:
            failure, result = exc, None
        if result:
            return result
        if loop.time() > deadline:
            if failure is not None:
                raise failure
            raise AssertionError(f"{what} was not reached within {timeout}s")
        await asyncio.sleep(interval)


def eventually_blocking(
    attempt: Callable[[], T], timeout: float = 30.0, *, interval: float = 0.05, what: str = ""
) -> T:
    """``eventually`` for code outside an event loop (threads, processes)."""
    deadline = time.monotonic() + timeout
    while True:
        result = attempt()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what or 'the condition'} was not reached within {timeout}s")
        time.sleep(interval)
