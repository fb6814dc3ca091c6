"""Installs the runtime tables (event store, outbox, inbox, personal payloads)."""

from __future__ import annotations

from importlib.resources import files

import asyncpg


def schema_sql() -> str:
    return files("kokuho.events.runtime").joinpath("schema.sql").read_text(encoding="utf-8")


async def install(conn: asyncpg.Connection) -> None:
    """Create the runtime tables if missing. Safe to run on every start."""
    async with conn.transaction():
        # Two services starting at once must not race on CREATE OR REPLACE / DROP TRIGGER.
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('kokuho.events.schema'))")
        await conn.execute(schema_sql())
