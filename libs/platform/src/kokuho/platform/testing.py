"""Helpers for tests that run whole services in process (end-to-end journeys)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from kokuho.events.testing.databases import temporary_database
from kokuho.platform.database import migrate, migration_files


class LogLines(logging.Handler):
    """Every log record of every logger, formatted and raw, for scanning what was logged."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        self.lines.append(repr(record.__dict__))


@contextlib.asynccontextmanager
async def migrated_database(admin_dsn: str, migrations: Path) -> AsyncIterator[str]:
    """A throwaway database with the platform schemas and a service's migrations."""
    async with temporary_database(admin_dsn) as dsn:
        await migrate(dsn, migration_files(migrations))
        yield dsn


@contextlib.asynccontextmanager
async def serving(app: FastAPI, name: str) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan (relay, consumers) and give a client that calls it in process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{name}") as client:
            yield client


async def eventually(attempt: Callable[[], Awaitable[Any]], timeout: float = 45.0) -> Any:
    """Retry until ``attempt`` returns something truthy (events take a moment to flow)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await attempt()
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError("the journey did not complete in time")
        await asyncio.sleep(0.2)
