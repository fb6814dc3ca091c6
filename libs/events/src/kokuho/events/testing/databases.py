"""Throwaway PostgreSQL databases for integration tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from kokuho.events.runtime.schema import install
from kokuho.events.runtime.store import PostgresEventStore, StreamAppend


def with_database(dsn: str, database: str) -> str:
    base, _, _ = dsn.rpartition("/")
    return f"{base}/{database}"


@asynccontextmanager
async def temporary_database(
    admin_dsn: str, *, events_schema: bool = False, template: str | None = None
) -> AsyncIterator[str]:
    """Create an empty database (optionally with the events runtime schema), or a copy of the
    database ``template``; yield its DSN."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(admin_dsn)
    try:
        copy = f' TEMPLATE "{template}"' if template else ""
        await admin.execute(f'CREATE DATABASE "{name}"{copy}')
    finally:
        await admin.close()
    dsn = with_database(admin_dsn, name)
    try:
        if events_schema:
            conn = await asyncpg.connect(dsn)
            try:
                await install(conn)
            finally:
                await conn.close()
        yield dsn
    finally:
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


class Infra:
    """Where the tests' PostgreSQL and Kafka are (see the root conftest.py)."""

    def __init__(self, pg_admin_dsn: str, kafka_bootstrap: str) -> None:
        self.pg_admin_dsn = pg_admin_dsn
        self.kafka_bootstrap = kafka_bootstrap


async def append_committed(dsn: str, appends: list[StreamAppend], *, source: str) -> None:
    """Append ``appends`` in one transaction of a connection of their own, and commit."""
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            await PostgresEventStore(conn, source=source).append_batch(appends)
    finally:
        await conn.close()
