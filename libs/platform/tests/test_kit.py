"""The service kit: build_service, the write/read contexts, the unit of work, the one domain
error rule, the request base and the cursor helper; against the real PostgreSQL and Kafka."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import asyncpg
import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import ValidationError

from kokuho.events.ports import ConcurrencyConflict
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.platform.auth import StaffUser, TokenVerifier, require_roles
from kokuho.platform.calls import ReadDep, WriteDep
from kokuho.platform.errors import DomainError
from kokuho.platform.models import FileContent, Page, RequestModel, ResponseModel
from kokuho.platform.pagination import NUMBER_POSITION, decode_cursor, encode_cursor
from kokuho.platform.problems import Problem
from kokuho.platform.service import build_service, kit_of
from kokuho.platform.settings import ServiceSettings
from kokuho.platform.testing import kafka_settings, migrated_database
from kokuho.platform.token import mint_token, new_private_key
from kokuho.platform.unit_of_work import InMemoryUnitOfWork, RecordingAudit, UnitOfWork

CLERK = "kit.clerk"
KEY = new_private_key()
Clerk = Annotated[StaffUser, require_roles(CLERK)]


class NoteRefused(DomainError):
    """The rule this test service refuses notes by."""


class NoteNotFound(DomainError):
    status = 404


class NoteIn(RequestModel):
    text: str
    tags: tuple[str, ...] = ()


class NoteOut(ResponseModel):
    note_id: int
    text: str


class NotesUnit(UnitOfWork):
    def bind(self, conn: asyncpg.Connection) -> None:
        self.notes = conn


async def add_note(uow: NotesUnit, text: str, *, audit: bool = True) -> dict[str, Any]:
    """A use case: it enters the unit itself, writes, records its audit."""
    async with uow:
        if text == "refuse":
            raise NoteRefused("notes saying 'refuse' are refused")
        row = await uow.notes.fetchrow(
            "INSERT INTO notes (text) VALUES ($1) RETURNING note_id, text", text
        )
        if text == "conflict":
            raise ConcurrencyConflict("note", 1, 2)
        if audit:
            await uow.audit.record(subjects=[f"{row['note_id']:010d}"], detail={"kind": "note"})
        return dict(row)


async def read_note(uow: NotesUnit, note_id: int) -> dict[str, Any]:
    async with uow:
        row = await uow.notes.fetchrow("SELECT note_id, text FROM notes WHERE note_id=$1", note_id)
        if row is None:
            raise NoteNotFound(f"note {note_id} does not exist")
        await uow.audit.record(subjects=[f"{note_id:010d}"])
        return dict(row)


def notes_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1")

    @router.post("/notes", status_code=201)
    async def post_note(body: NoteIn, user: Clerk, write: WriteDep) -> NoteOut:
        return await write.run(
            lambda uow: add_note(uow, body.text), NoteOut.model_validate, status_code=201
        )

    @router.post("/unaudited-notes", status_code=201)
    async def post_unaudited(body: NoteIn, user: Clerk, write: WriteDep) -> NoteOut:
        return await write.run(
            lambda uow: add_note(uow, body.text, audit=False), NoteOut.model_validate
        )

    @router.get("/notes/{note_id}")
    async def get_note(note_id: int, user: Clerk, read: ReadDep) -> NoteOut:
        return await read.run(lambda uow: read_note(uow, note_id), NoteOut.model_validate)

    return router


@pytest.fixture
async def kit_app(
    pg_admin_dsn: str, kafka: KafkaConnection, tmp_path: Path
) -> AsyncIterator[tuple[FastAPI, str]]:
    (tmp_path / "0001_notes.sql").write_text(
        "CREATE TABLE notes (note_id bigserial PRIMARY KEY, text text NOT NULL);"
    )
    async with migrated_database(pg_admin_dsn, tmp_path) as dsn:
        settings = ServiceSettings(
            service_name="kit-probe",
            database_dsn=dsn,
            **kafka_settings(kafka),  # a probe service of the test: the set-up's user
            consumer_group_prefix=f"t{uuid.uuid4().hex[:8]}",
        )
        app = build_service(
            settings,
            title="kit probe",
            routers=[notes_router()],
            unit_of_work=NotesUnit,
            token_verifier=TokenVerifier([KEY.public_key()]),
        )
        yield app, dsn


def headers(key: str | None = None) -> dict[str, str]:
    token = mint_token(KEY, user_id="u1", roles=[CLERK])
    out = {"Authorization": f"Bearer {token}"}
    return out | ({"Idempotency-Key": key} if key else {})


@pytest.mark.integration
async def test_a_write_commits_effects_audit_and_key_together(
    kit_app: tuple[FastAPI, str],
) -> None:
    app, dsn = kit_app
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
            first = await client.post("/api/v1/notes", json={"text": "a"}, headers=headers("k1"))
            again = await client.post("/api/v1/notes", json={"text": "a"}, headers=headers("k1"))
            refused = await client.post("/api/v1/notes", json={"text": "refuse"}, headers=headers())
            conflict = await client.post(
                "/api/v1/notes", json={"text": "conflict"}, headers=headers()
            )
            unaudited = await client.post(
                "/api/v1/unaudited-notes", json={"text": "u"}, headers=headers()
            )
            read = await client.get(f"/api/v1/notes/{first.json()['note_id']}", headers=headers())
            missing = await client.get("/api/v1/notes/999", headers=headers())
            nul = await client.post("/api/v1/notes", json={"text": "a\u0000"}, headers=headers())
            nested = await client.post(
                "/api/v1/notes", json={"text": "a", "tags": ["x\u0007"]}, headers=headers()
            )
            extra = await client.post(
                "/api/v1/notes", json={"text": "a", "other": 1}, headers=headers()
            )
    assert first.status_code == 201, first.text
    assert again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert (refused.status_code, refused.json()["type"]) == (
        422,
        "urn:kokuho:problem:note-refused",
    )
    assert (conflict.status_code, conflict.json()["type"]) == (
        409,
        "urn:kokuho:problem:concurrent-change",
    )
    assert unaudited.status_code == 500
    assert read.status_code == 200
    assert read.json()["text"] == "a"
    assert (missing.status_code, missing.json()["type"]) == (
        404,
        "urn:kokuho:problem:note-not-found",
    )
    for bad, pointer in ((nul, "/body/text"), (nested, "/body/tags"), (extra, "/body/other")):
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["pointer"] == pointer
    conn = await asyncpg.connect(dsn)
    try:
        texts = [r["text"] for r in await conn.fetch("SELECT text FROM notes ORDER BY note_id")]
        keys = await conn.fetchval("SELECT count(*) FROM idempotency_keys")
        audited = await conn.fetch(
            "SELECT operation, outcome FROM audit_log WHERE outcome = 'allowed' ORDER BY seq"
        )
    finally:
        await conn.close()
    # Only the one good note stays: the refused, conflicting and unaudited writes rolled back.
    assert texts == ["a"]
    assert keys == 1
    # the write, its replay (audited by the guard) and the read
    assert [r["operation"] for r in audited] == [
        "POST /api/v1/notes",
        "POST /api/v1/notes",
        "GET /api/v1/notes/{note_id}",
    ]


@pytest.mark.integration
async def test_a_unit_of_work_on_the_pool_commits_or_rolls_back(
    kit_app: tuple[FastAPI, str],
) -> None:
    app, _dsn = kit_app
    async with app.router.lifespan_context(app):
        kit = kit_of_app(app)
        async with NotesUnit(kit.pool) as uow:
            await uow.notes.execute("INSERT INTO notes (text) VALUES ('kept')")

        async def refused() -> None:
            async with NotesUnit(kit.pool) as uow:
                await uow.notes.execute("INSERT INTO notes (text) VALUES ('dropped')")
                raise NoteRefused("no")

        with pytest.raises(NoteRefused):
            await refused()
        texts = await kit.pool().fetch("SELECT text FROM notes")
    assert [r["text"] for r in texts] == ["kept"]


def kit_of_app(app: FastAPI) -> Any:
    class _Req:
        def __init__(self, app: FastAPI) -> None:
            self.app = app

    return kit_of(_Req(app))  # type: ignore[arg-type]


def test_a_unit_of_work_needs_exactly_one_source() -> None:
    with pytest.raises(TypeError):
        NotesUnit()
    with pytest.raises(RuntimeError):
        _ = NotesUnit(lambda: None).conn  # type: ignore[arg-type,return-value]


async def test_the_in_memory_unit_counts_commits_and_rollbacks() -> None:
    uow = InMemoryUnitOfWork()
    async with uow, uow:  # a use case calling another: one commit
        await uow.audit.record(subjects=["0000000001"])

    async def refused() -> None:
        async with uow:
            raise NoteRefused("x")

    with pytest.raises(NoteRefused):
        await refused()
    assert (uow.commits, uow.rollbacks) == (1, 1)
    assert isinstance(uow.audit, RecordingAudit)
    assert uow.audit.records[0]["subjects"] == ["0000000001"]


def test_request_model_refuses_control_characters_anywhere_and_unknown_fields() -> None:
    assert NoteIn(text="line\nbreak\ttab").text == "line\nbreak\ttab"
    assert NoteIn(text="試験　花子 カタカナ été").text == "試験　花子 カタカナ été"
    invisible = ("\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\x85")  # bidi, zero-width, C1
    for bad in (
        {"text": "a\x7f"},
        {"text": "a", "tags": ["\x00"]},
        {"text": "a", "x": 1},
        *({"text": f"Sato{ch}"} for ch in invisible),
    ):
        with pytest.raises(ValidationError):
            NoteIn.model_validate(bad)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ＡＢＣ１２３－４", "ABC123-4"),  # full-width Latin and digits
        ("ｶﾞｯｺｳ ﾆ ｲｸ", "ガッコウ ニ イク"),  # half-width kana, voiced marks composed
        ("㈱試験", "(株)試験"),
        ("試験　花子", "試験　花子"),  # the ideographic space between surname and given name
        ("\ufa19社", "\ufa19社"),  # 神 U+FA19, a compatibility ideograph: another character
        ("葛\U000e0100西", "葛\U000e0100西"),  # an ideographic variation sequence
        ("plain ASCII, as sent", "plain ASCII, as sent"),
    ],
)
def test_free_text_is_stored_in_one_written_form(typed: str, stored: str) -> None:
    """Issue 9: one address, reason or note is not stored two ways (NFKC for width forms),
    and nothing NFKC would destroy is touched."""
    note = NoteIn(text=typed, tags=[typed])
    assert note.text == stored
    assert note.tags == (stored,)


def test_a_file_field_is_left_as_sent() -> None:
    class FileIn(RequestModel):
        content: Annotated[str, FileContent]

    assert FileIn(content="ＡＢＣ,ｶﾞ\n").content == "ＡＢＣ,ｶﾞ\n"


def test_page_is_typed() -> None:
    page = Page[NoteOut](items=[NoteOut(note_id=1, text="a")], next_cursor=None)
    assert page.model_dump() == {"items": [{"note_id": 1, "text": "a"}], "next_cursor": None}


def test_cursor_round_trip_and_refusals() -> None:
    assert decode_cursor(None, position=NUMBER_POSITION) is None
    assert decode_cursor(encode_cursor(42), position=NUMBER_POSITION) == "42"
    assert decode_cursor(encode_cursor("1000000001"), position=r"[0-9]{10}") == "1000000001"
    forged = [
        "not base64 at all",
        base64.urlsafe_b64encode(b"[1]").decode(),
        base64.urlsafe_b64encode(b'{"after": true}').decode(),
        encode_cursor("x" * 10),
        encode_cursor("1" * 19),
    ]
    for cursor in forged:
        with pytest.raises(Problem) as refused:
            decode_cursor(cursor, position=NUMBER_POSITION)
        assert (refused.value.status, refused.value.type) == (
            400,
            "urn:kokuho:problem:invalid-cursor",
        )


def test_domain_error_slug_and_status() -> None:
    assert NoteRefused.problem_slug() == "note-refused"
    assert (NoteRefused.status, NoteNotFound.status) == (422, 404)


def test_event_store_refusals_map_to_their_problems() -> None:
    from kokuho.events.ports import IndividualNumberInEvent
    from kokuho.platform.problems import domain_problem

    assert domain_problem(IndividualNumberInEvent("t", "data/note")) == (
        422,
        "individual-number-refused",
    )
    assert domain_problem(ConcurrencyConflict("s", 1, 2)) == (409, "concurrent-change")
    assert domain_problem(NoteNotFound("x")) == (404, "note-not-found")
