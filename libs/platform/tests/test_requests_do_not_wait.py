"""Issue 15, item 1: audited requests never wait on each other, across service instances.

Two instances of one service (two apps built by ``build_service``, each with its own pool,
relay and audit sealer, as two replicas would be) on the same database. A request on the first
instance appends its audit record and then holds its transaction open; meanwhile audited reads
and writes on both instances must all complete. Before ADR 0006 every audited request locked
the chain head until its transaction ended, so these would all have waited for the held one:
the test would fail by its deadlock guard (no latency is asserted). Afterwards the held request
commits, the sealers chain every record and the chain verifies.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import asyncpg
import httpx
import pytest
from fastapi import APIRouter, FastAPI

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.waiting import eventually
from kokuho.platform import audit
from kokuho.platform.auth import StaffUser, TokenVerifier, require_roles
from kokuho.platform.calls import ReadDep, WriteDep
from kokuho.platform.models import RequestModel, ResponseModel
from kokuho.platform.service import build_service
from kokuho.platform.settings import ServiceSettings
from kokuho.platform.testing import kafka_settings, migrated_database
from kokuho.platform.token import mint_token, new_private_key
from kokuho.platform.unit_of_work import UnitOfWork

pytestmark = pytest.mark.integration

CLERK = "hold.clerk"
KEY = new_private_key()
Clerk = Annotated[StaffUser, require_roles(CLERK)]
#: Long enough never to fire on a slow machine; only a request waiting on another reaches it.
DEADLOCK_GUARD = 30.0

#: text -> (appended: set once the held request's audit record is written, release: set by the
#: test to let it commit).
HOLDS: dict[str, tuple[asyncio.Event, asyncio.Event]] = {}


class NoteIn(RequestModel):
    text: str


class NoteOut(ResponseModel):
    note_id: int
    text: str


class NotesUnit(UnitOfWork):
    def bind(self, conn: asyncpg.Connection) -> None:
        self.notes = conn


async def add_note(uow: NotesUnit, text: str) -> dict[str, Any]:
    async with uow:
        row = await uow.notes.fetchrow(
            "INSERT INTO notes (text) VALUES ($1) RETURNING note_id, text", text
        )
        await uow.audit.record(subjects=[f"{row['note_id']:010d}"], detail={"kind": "note"})
        if text in HOLDS:
            appended, release = HOLDS[text]
            appended.set()
            await release.wait()  # the transaction (with its audit record) stays open
        return dict(row)


async def read_note(uow: NotesUnit, note_id: int) -> dict[str, Any]:
    async with uow:
        row = await uow.notes.fetchrow("SELECT note_id, text FROM notes WHERE note_id=$1", note_id)
        await uow.audit.record(subjects=[f"{note_id:010d}"])
        return dict(row)


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1")

    @api.post("/notes", status_code=201)
    async def post_note(body: NoteIn, user: Clerk, write: WriteDep) -> NoteOut:
        return await write.run(
            lambda uow: add_note(uow, body.text), NoteOut.model_validate, status_code=201
        )

    @api.get("/notes/{note_id}")
    async def get_note(note_id: int, user: Clerk, read: ReadDep) -> NoteOut:
        return await read.run(lambda uow: read_note(uow, note_id), NoteOut.model_validate)

    return api


def instance(dsn: str, bootstrap: KafkaConnection) -> FastAPI:
    settings = ServiceSettings(
        service_name="hold-probe",
        database_dsn=dsn,
        **kafka_settings(bootstrap),  # a probe service: the set-up's user
        consumer_group_prefix=f"t{uuid.uuid4().hex[:8]}",
        audit_seal_interval_seconds=0.05,
    )
    return build_service(
        settings,
        title="hold probe",
        routers=[router()],
        unit_of_work=NotesUnit,
        token_verifier=TokenVerifier([KEY.public_key()]),
    )


@pytest.fixture
async def database(pg_admin_dsn: str, tmp_path: Path) -> AsyncIterator[str]:
    (tmp_path / "0001_notes.sql").write_text(
        "CREATE TABLE notes (note_id bigserial PRIMARY KEY, text text NOT NULL);"
    )
    async with migrated_database(pg_admin_dsn, tmp_path) as dsn:
        yield dsn


def headers(key: str | None = None) -> dict[str, str]:
    token = mint_token(KEY, user_id="u1", roles=[CLERK])
    return {"Authorization": f"Bearer {token}"} | ({"Idempotency-Key": key} if key else {})


async def test_no_audited_request_waits_for_another_instances_open_transaction(
    database: str, kafka: KafkaConnection
) -> None:
    first, second = instance(database, kafka), instance(database, kafka)
    held = f"held-{uuid.uuid4().hex[:6]}"
    appended, release = asyncio.Event(), asyncio.Event()
    HOLDS[held] = (appended, release)
    try:
        async with (
            first.router.lifespan_context(first),
            second.router.lifespan_context(second),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=first), base_url="http://first"
            ) as one,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=second), base_url="http://second"
            ) as two,
        ):
            seeded = await two.post("/api/v1/notes", json={"text": "seed"}, headers=headers())
            assert seeded.status_code == 201, seeded.text
            note = seeded.json()["note_id"]

            holding = asyncio.create_task(
                one.post("/api/v1/notes", json={"text": held}, headers=headers("hold-1"))
            )
            await asyncio.wait_for(appended.wait(), DEADLOCK_GUARD)

            # While the held transaction (with its unsealed audit record) is open: audited
            # reads and writes on both instances, all at once, each its own transaction.
            requests = [
                client.get(f"/api/v1/notes/{note}", headers=headers())
                for client in (one, two)
                for _ in range(10)
            ] + [
                client.post(
                    "/api/v1/notes", json={"text": f"w{i}"}, headers=headers(f"k-{name}-{i}")
                )
                for name, client in (("one", one), ("two", two))
                for i in range(5)
            ]
            calls = [asyncio.ensure_future(r) for r in requests]
            try:
                _, waiting = await asyncio.wait(calls, timeout=DEADLOCK_GUARD)
                held_open = not holding.done()
            finally:
                release.set()  # also when some waited: let the held one end, then fail
            # Not cancelled: a waiting request would go on waiting (its audit on the way out
            # too); released, they end, and the count of those that had to wait is reported.
            answers = await asyncio.gather(*calls)
            assert len(waiting) == 0, f"{len(waiting)} requests waited for the held one"
            assert held_open  # the held request was open throughout
            assert sorted({a.status_code for a in answers}) == [200, 201]
            done = await asyncio.wait_for(holding, DEADLOCK_GUARD)
            assert done.status_code == 201, done.text

            # Every record of both instances (1 seed + 30 + the held one) is chained by the
            # one leading sealer, in one gap-free chain that verifies under the key.
            conn = await asyncpg.connect(database)
            try:
                await eventually(
                    lambda: _all_sealed(conn), DEADLOCK_GUARD, what="every record sealed"
                )
                report = await audit.verify(conn)
                operations = await conn.fetch("SELECT operation FROM audit_log ORDER BY seq")
            finally:
                await conn.close()
    finally:
        HOLDS.pop(held, None)
    assert report.ok, str(report)
    assert report.records == 32
    assert report.unsealed == 0
    assert sum(1 for r in operations if r["operation"].startswith("GET")) == 20


async def _all_sealed(conn: asyncpg.Connection) -> bool:
    return not await conn.fetchval("SELECT count(*) FROM audit_log WHERE seq IS NULL")
