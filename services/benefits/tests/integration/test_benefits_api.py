"""Co-payment rate decisions, served in process on the real PostgreSQL and Kafka.

Each test has its own topic and consumer-group prefix: a write is audited, idempotent, and its
event reaches the topic.
"""

from __future__ import annotations

import json

import asyncpg
import pytest

from kokuho.benefits.commands import seed
from kokuho.benefits.config import Settings
from kokuho.events.contracts import benefits as contracts
from kokuho.events.testing.kafka import read_topic
from kokuho.events.testing.waiting import eventually
from kokuho.platform import audit

from .conftest import CLERK, Running

pytestmark = pytest.mark.integration


URL = "/api/v1/copayment-rate-decisions"
BODY = {
    "nhi_household_number": "9920000001",
    "income_year": 2025,
    "householder_tax_exempt": False,
    "members": [
        {
            "addressee_number": "9910000001",
            "age_band": "70_74",
            "resident_tax_exempt": False,
            "taxable_income": 2012345,
            "old_proviso_income": 3012345,
            "revenue": 5012345,
        },
        {"addressee_number": "9910000002", "age_band": "under_70", "resident_tax_exempt": False},
    ],
}


async def test_a_decision_is_audited_idempotent_published_and_kept_without_incomes(
    running: Running,
) -> None:
    headers = running.headers(CLERK, **{"Idempotency-Key": "k1"})
    first = await running.client.post(URL, json=BODY, headers=headers)
    again = await running.client.post(URL, json=BODY, headers=headers)
    assert first.status_code == 201, first.text
    assert first.json()["copayment_rate_percent"] == 30
    assert first.json()["elderly_category"] == "active_1"
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers.get("Idempotent-Replayed") == "true"
    same = await running.client.post(URL, json=BODY, headers=running.headers("batch.operator"))
    assert same.status_code == 200  # the same outcome in force: nothing new

    read = await running.client.get(
        "/api/v1/households/9920000001/copayment-rates/2025", headers=running.headers(CLERK)
    )
    assert read.status_code == 200, read.text
    assert read.json() == first.json()

    records = await read_topic(running.bootstrap, running.topic, expected=1)
    assert len(records) == 1
    assert records[0].key == b"9920000001"
    envelope = json.loads(records[0].value)
    assert envelope["type"] == contracts.CopaymentRateDecided.event_type
    assert envelope["data"]["copayment_rate_percent"] == 30
    assert envelope["data"]["addressee_numbers"] == ["9910000001"]
    assert "5012345" not in records[0].value.decode()  # no income on the topic
    assert "2012345" not in records[0].value.decode()

    [row] = await running.fetch("SELECT * FROM copayment_rates")
    for amount in ("2012345", "3012345", "5012345"):
        assert amount not in str(dict(row))
    conn = await asyncpg.connect(running.dsn)
    try:
        audited = await audit.accessed_by(conn, "U-CLERK")
    finally:
        await conn.close()
    assert [(r.operation, r.outcome) for r in audited][:1] == [(f"POST {URL}", "allowed")]
    assert "9910000001" in audited[0].subjects


async def test_refusals_are_problems_and_change_nothing(running: Running) -> None:
    future = await running.client.post(
        URL, json={**BODY, "income_year": 2026}, headers=running.headers(CLERK)
    )
    assert (future.status_code, future.json()["type"]) == (
        422,
        "urn:kokuho:problem:income-year-not-ended",
    )
    bad = await running.client.post(
        URL, json={**BODY, "nhi_household_number": "99200"}, headers=running.headers(CLERK)
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["pointer"] == "/body/nhi_household_number"
    missing = await running.client.get(
        "/api/v1/households/9920000001/copayment-rates/2024", headers=running.headers(CLERK)
    )
    assert (missing.status_code, missing.json()["type"]) == (
        404,
        "urn:kokuho:problem:copayment-rate-not-found",
    )
    assert (await running.client.post(URL, json=BODY)).status_code == 401
    assert (
        await running.client.post(URL, json=BODY, headers=running.headers("auditor"))
    ).status_code == 403
    assert await running.fetch("SELECT 1 FROM copayment_rates") == []
    assert await running.fetch("SELECT 1 FROM events") == []


async def test_the_demo_seed_decides_once(settings: Settings) -> None:
    first = await seed(settings)
    conn = await asyncpg.connect(settings.database_dsn)
    try:
        counts = "SELECT (SELECT count(*) FROM copayment_rates), (SELECT count(*) FROM events),"
        counts += " (SELECT count(*) FROM claims), (SELECT count(*) FROM carry_overs),"
        counts += " (SELECT count(*) FROM monthly_runs), (SELECT count(*) FROM payees)"
        before = tuple(await conn.fetchrow(counts))
        again = await seed(settings)
        assert "decided (30%)" in first
        assert "requested" in first
        assert "already" in again
        assert tuple(await conn.fetchrow(counts)) == before
        assert before[2:] == (3, 1, 1, 1)  # 3 claims, a carry-over, a run, a payee
    finally:
        await conn.close()


async def test_the_demo_seed_gives_make_run_a_monthly_run_result(
    settings: Settings, running: Running
) -> None:
    said = await seed(settings)
    month = said.rsplit("monthly run of ", 1)[1][:7]

    async def finished() -> dict[str, object] | None:
        got = await running.client.get(
            f"/api/v1/monthly-runs/{month}", headers=running.headers(CLERK)
        )
        return got.json() if got.json().get("status") == "finished" else None

    run = await eventually(finished, what="the seeded month run by the service's job")
    counts = run["counts"]
    assert isinstance(counts, dict)
    assert (counts["households"], counts["decided"], counts["prompted"]) == (2, 2, 1)
    assert (counts["payments"], counts["paid_amount"]) == (1, 255_600)
