"""Every counterpart port as the use cases see it: a counterpart that does not answer
(``ConnectionError`` from whichever adapter or stand-in is plugged in) becomes the domain error
``CounterpartUnavailable`` (503 counterpart-unavailable), translated here, at the adapter
boundary, not in an error table."""

from __future__ import annotations

import functools
import inspect
from typing import Any, TypeVar, cast

from kokuho.linkage_gateway.app.ports import CounterpartUnavailable

PortT = TypeVar("PortT")


class _Guarded:
    def __init__(self, port: object) -> None:
        self._port = port

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._port, name)
        if not inspect.iscoroutinefunction(attr):
            return attr

        @functools.wraps(attr)
        async def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return await attr(*args, **kwargs)
            except CounterpartUnavailable:
                raise
            except ConnectionError as exc:
                raise CounterpartUnavailable(str(exc) or type(exc).__name__) from exc

        return call

    def __repr__(self) -> str:
        return f"guarded({self._port!r})"


def guarded(port: PortT) -> PortT:
    """``port`` with its ``ConnectionError`` answered as ``CounterpartUnavailable``."""
    return cast(PortT, _Guarded(port))
