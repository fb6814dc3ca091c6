"""The benefits service, served in process on the real PostgreSQL and Kafka.

Each test has its own topic and consumer-group prefix: a write is audited, idempotent, and its
event reaches the topic.
"""

from __future__ import annotations

import json
import uuid

import asyncpg
import pytest

from kokuho.benefits.commands import seed
from kokuho.benefits.config import Settings
from kokuho.events.contracts import benefits as contracts
from kokuho.events.testing.kafka import read_topic
from kokuho.platform import audit

from .conftest import CLERK, Running

pytestmark = pytest.mark.integration


async def test_opening_a_case_is_audited_idempotent_and_published(running: Running) -> None:
    body = {"addressee_number": "9910000001", "opened_on": "2026-12-01"}
    first = await running.client.post(
        "/api/v1/cases", json=body, headers=running.headers(CLERK, **{"Idempotency-Key": "k1"})
    )
    again = await running.client.post(
        "/api/v1/cases", json=body, headers=running.headers(CLERK, **{"Idempotency-Key": "k1"})
    )
    assert first.status_code == 201, first.text
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers.get("Idempotent-Replayed") == "true"
    case_id = first.json()["case_id"]

    read = await running.client.get(f"/api/v1/cases/{case_id}", headers=running.headers(CLERK))
    assert read.status_code == 200, read.text
    assert read.json() == first.json()
    assert read.json()["opened_by"] == "U-CLERK"

    records = await read_topic(running.bootstrap, running.topic, expected=1)
    assert len(records) == 1
    assert records[0].key == b"9910000001"
    envelope = json.loads(records[0].value)
    assert envelope["type"] == contracts.CaseOpened.event_type
    assert envelope["data"]["case_id"] == case_id

    assert len(await running.fetch("SELECT 1 FROM cases")) == 1
    conn = await asyncpg.connect(running.dsn)
    try:
        audited = await audit.accessed_by(conn, "U-CLERK")
    finally:
        await conn.close()
    assert [(r.operation, r.outcome) for r in audited] == [
        ("POST /api/v1/cases", "allowed"),
        ("POST /api/v1/cases", "allowed"),  # the replay, recorded by the guard
        ("GET /api/v1/cases/{case_id}", "allowed"),
    ]
    assert "9910000001" in audited[0].subjects
    assert "9910000001" in audited[2].subjects


async def test_refusals_are_problems_and_change_nothing(running: Running) -> None:
    tomorrow = {"addressee_number": "9910000001", "opened_on": "2026-12-02"}
    future = await running.client.post(
        "/api/v1/cases", json=tomorrow, headers=running.headers(CLERK)
    )
    assert (future.status_code, future.json()["type"]) == (
        422,
        "urn:kokuho:problem:case-opened-in-the-future",
    )
    bad = await running.client.post(
        "/api/v1/cases",
        json={"addressee_number": "99\u000010001", "opened_on": "2026-12-01"},
        headers=running.headers(CLERK),
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    missing = await running.client.get(
        f"/api/v1/cases/{uuid.uuid4()}", headers=running.headers(CLERK)
    )
    assert (missing.status_code, missing.json()["type"]) == (
        404,
        "urn:kokuho:problem:case-not-found",
    )
    anonymous = await running.client.post("/api/v1/cases", json=tomorrow)
    assert anonymous.status_code == 401
    wrong_role = await running.client.post(
        "/api/v1/cases", json=tomorrow, headers=running.headers("auditor")
    )
    assert wrong_role.status_code == 403
    assert await running.fetch("SELECT 1 FROM cases") == []
    assert await running.fetch("SELECT 1 FROM events") == []


async def test_the_demo_seed_opens_one_case_once(settings: Settings) -> None:
    first = await seed(settings)
    again = await seed(settings)
    assert "opened" in first
    assert "already" in again
    conn = await asyncpg.connect(settings.database_dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM cases") == 1
        assert await conn.fetchval("SELECT count(*) FROM events") == 1
    finally:
        await conn.close()
