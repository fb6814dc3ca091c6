"""A read whose use case writes only its audit records runs without a transaction
(``read.run(..., audit_only=True)``, ADR 0110) and leaves the audit log as the transactional
read does: the same records for an answered read, none of its own for a read that fails after
recording (the guard records the failure), several records committed together; the chain
verifies. Against the real PostgreSQL and Kafka."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import asyncpg
import httpx
import pytest
from fastapi import APIRouter, FastAPI

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.platform.audit import seal_pending, verify
from kokuho.platform.auth import StaffUser, TokenVerifier, require_roles
from kokuho.platform.calls import ReadDep
from kokuho.platform.errors import DomainError
from kokuho.platform.service import build_service
from kokuho.platform.settings import ServiceSettings
from kokuho.platform.testing import kafka_settings, migrated_database
from kokuho.platform.token import mint_token, new_private_key
from kokuho.platform.unit_of_work import UnitOfWork

pytestmark = pytest.mark.integration

CLERK = "reads.clerk"
KEY = new_private_key()
Clerk = Annotated[StaffUser, require_roles(CLERK)]
#: what a read is asked to do: answer, fail after recording, fail in making the response,
#: record twice, record nothing
WAYS = ("answer", "refuse", "respond", "twice", "unaudited")


class ReadRefused(DomainError):
    """A rule refusing the read after its audit record was made."""


class NotesUnit(UnitOfWork):
    def bind(self, conn: asyncpg.Connection) -> None:
        self.notes = conn


async def read_note(uow: NotesUnit, note_id: int, way: str) -> dict[str, Any]:
    async with uow:
        row = await uow.notes.fetchrow("SELECT note_id, text FROM notes WHERE note_id=$1", note_id)
        if way != "unaudited":
            await uow.audit.record(subjects=[f"{note_id:010d}"], detail={"view": "note"})
        if way == "twice":
            await uow.audit.record(subjects=["0000000099"], detail={"view": "related"})
        if way == "refuse":
            raise ReadRefused("refused after the audit record was made")
        return {**dict(row), "in_transaction": uow.notes.is_in_transaction()}


def respond(way: str) -> Any:
    def make(result: dict[str, Any]) -> dict[str, Any]:
        if way == "respond":
            raise RuntimeError("the response could not be made")
        return result

    return make


def router() -> APIRouter:
    r = APIRouter(prefix="/api/v1")

    @r.get("/transacted/{note_id}")
    async def transacted(note_id: int, way: str, user: Clerk, read: ReadDep) -> dict[str, Any]:
        return await read.run(lambda uow: read_note(uow, note_id, way), respond(way))

    @r.get("/untransacted/{note_id}")
    async def untransacted(note_id: int, way: str, user: Clerk, read: ReadDep) -> dict[str, Any]:
        return await read.run(
            lambda uow: read_note(uow, note_id, way), respond(way), audit_only=True
        )

    return r


@pytest.fixture
async def app_and_dsn(
    pg_admin_dsn: str, kafka: KafkaConnection, tmp_path: Path
) -> AsyncIterator[tuple[FastAPI, str]]:
    (tmp_path / "0001_notes.sql").write_text(
        "CREATE TABLE notes (note_id bigserial PRIMARY KEY, text text NOT NULL);"
        "INSERT INTO notes (text) VALUES ('a');"
    )
    async with migrated_database(pg_admin_dsn, tmp_path) as dsn:
        settings = ServiceSettings(
            service_name="reads-probe",
            database_dsn=dsn,
            **kafka_settings(kafka),  # a probe service of the test: the set-up's user
            consumer_group_prefix=f"t{uuid.uuid4().hex[:8]}",
        )
        app = build_service(
            settings,
            title="reads probe",
            routers=[router()],
            unit_of_work=NotesUnit,
            token_verifier=TokenVerifier([KEY.public_key()]),
        )
        yield app, dsn


async def test_an_audit_only_read_audits_as_the_transactional_read(
    app_and_dsn: tuple[FastAPI, str],
) -> None:
    app, dsn = app_and_dsn
    token = mint_token(KEY, user_id="u1", roles=[CLERK], terminal_id="T-1")
    answers: dict[tuple[str, str], httpx.Response] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://reads") as client:
            for kind in ("transacted", "untransacted"):
                for way in WAYS:
                    answers[kind, way] = await client.get(
                        f"/api/v1/{kind}/1",
                        params={"way": way},
                        headers={"Authorization": f"Bearer {token}", "X-Request-Id": way},
                    )
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT operation, request_id, user_id, terminal_id, subject_addressee_numbers,"
            " outcome, status_code, detail::text AS detail FROM audit_log ORDER BY id"
        )
        await seal_pending(conn)
        report = await verify(conn)
    finally:
        await conn.close()
    statuses = {key: answer.status_code for key, answer in answers.items()}
    for kind in ("transacted", "untransacted"):
        assert [statuses[kind, way] for way in WAYS] == [200, 422, 500, 200, 500]
    assert answers["transacted", "answer"].json()["in_transaction"] is True
    assert answers["untransacted", "answer"].json()["in_transaction"] is False

    def records(kind: str) -> list[tuple[Any, ...]]:
        return [
            (
                r["request_id"],
                r["user_id"],
                r["terminal_id"],
                tuple(r["subject_addressee_numbers"]),
                r["outcome"],
                r["status_code"],
                r["detail"],
            )
            for r in rows
            if r["operation"] == f"GET /api/v1/{kind}/{{note_id}}"
        ]

    untransacted = records("untransacted")
    assert untransacted == records("transacted")
    roles = '{"view": "note", "roles_used": ["reads.clerk"]}'
    assert untransacted == [
        ("answer", "u1", "T-1", ("0000000001",), "allowed", None, roles),
        # recorded, then refused: only the guard's record of the failure stays
        ("refuse", "u1", "T-1", (), "failed", 422, '{"roles_used": ["reads.clerk"]}'),
        ("respond", "u1", "T-1", (), "failed", 500, '{"roles_used": ["reads.clerk"]}'),
        ("twice", "u1", "T-1", ("0000000001",), "allowed", None, roles),
        (
            "twice",
            "u1",
            "T-1",
            ("0000000099",),
            "allowed",
            None,
            '{"view": "related", "roles_used": ["reads.clerk"]}',
        ),
        # no record made by the use case: a 500 (AuditMissing), recorded as failed
        ("unaudited", "u1", "T-1", (), "failed", 500, '{"roles_used": ["reads.clerk"]}'),
    ]
    assert report.ok, report
    assert report.records == len(rows)
