"""What routes reach through ``request.app.state``: the pool and the service (set by
``bootstrap.build``; nothing is created at import time)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import asyncpg
from fastapi import Request

from kokuho.eligibility.adapters.postgres import PostgresUnit, Topics
from kokuho.eligibility.app.service import EligibilityService


@dataclass(frozen=True)
class Runtime:
    pool: Callable[[], asyncpg.Pool]
    service: EligibilityService
    topics: Topics

    def unit(self, conn: asyncpg.Connection) -> PostgresUnit:
        return PostgresUnit(conn, self.topics)


def runtime_of(request: Request) -> Runtime:
    runtime = getattr(request.app.state, "eligibility", None)
    if not isinstance(runtime, Runtime):
        raise RuntimeError("app.state.eligibility is not set; build the app with bootstrap.build")
    return runtime
