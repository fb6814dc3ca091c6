"""One contract each for the inbox and the personal payloads: fake and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import asyncpg
import pytest

from kokuho.events.runtime.inbox import Inbox, PostgresInbox
from kokuho.events.runtime.payloads import PersonalPayloads, PostgresPersonalPayloads
from kokuho.events.testing.databases import Infra, temporary_database
from kokuho.events.testing.fakes import InMemoryInbox, InMemoryPersonalPayloads


@pytest.fixture
async def conn_or_none(backend_kind: str, infra: Infra) -> AsyncIterator[asyncpg.Connection | None]:
    if backend_kind == "memory":
        yield None
        return
    async with temporary_database(infra.pg_admin_dsn, events_schema=True) as dsn:
        conn = await asyncpg.connect(dsn)
        yield conn
        await conn.close()


@pytest.fixture
def inbox(conn_or_none: asyncpg.Connection | None) -> Inbox:
    return InMemoryInbox() if conn_or_none is None else PostgresInbox(conn_or_none)


@pytest.fixture
def payloads(conn_or_none: asyncpg.Connection | None) -> PersonalPayloads:
    return (
        InMemoryPersonalPayloads()
        if conn_or_none is None
        else PostgresPersonalPayloads(conn_or_none)
    )


async def test_inbox_reports_each_id_once_per_consumer(inbox: Inbox) -> None:
    a, b = uuid4(), uuid4()
    assert await inbox.first_seen("c1", [a, b, a]) == {a, b}
    assert await inbox.first_seen("c1", [a, b]) == set()
    assert await inbox.first_seen("c2", [a]) == {a}
    assert await inbox.first_seen("c1", []) == set()


async def test_erasure_clears_a_subjects_payloads_only(payloads: PersonalPayloads) -> None:
    mine = await payloads.put("000001", "personal_details", {"name": "山田 太郎"})
    theirs = await payloads.put("000002", "personal_details", {"name": "佐藤 花子"})
    assert await payloads.get(mine) == {"name": "山田 太郎"}
    assert await payloads.erase_subject("000001", "retention expired") == 1
    assert await payloads.get(mine) is None
    assert await payloads.get(theirs) == {"name": "佐藤 花子"}
    assert await payloads.erase_subject("000001", "again") == 0
    assert await payloads.get(uuid4()) is None
