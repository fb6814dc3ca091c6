"""``POST /api/v1/high-cost-calculations`` on the real PostgreSQL and Kafka: the answer to the
yen, idempotent, audited, guarded, bad input named, and nothing stored or published."""

from __future__ import annotations

import json
from pathlib import Path

import asyncpg
import pytest

from kokuho.platform import audit

from .conftest import CLERK, Running

pytestmark = pytest.mark.integration

EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "what-if-mixed-household.json").read_text(
        encoding="utf-8"
    )
)
URL = "/api/v1/high-cost-calculations"


async def test_the_calculator_answers_is_idempotent_and_audited(running: Running) -> None:
    headers = running.headers(CLERK, **{"Idempotency-Key": "calc-1"})
    first = await running.client.post(URL, json=EXAMPLE, headers=headers)
    again = await running.client.post(URL, json=EXAMPLE, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["benefit"] == 868_570
    assert [x["amount"] for x in first.json()["limits"]] == [18_000, 57_600, 111_430]
    assert (again.status_code, again.json()) == (200, first.json())
    assert again.headers.get("Idempotent-Replayed") == "true"
    conn = await asyncpg.connect(running.dsn)
    try:
        audited = await audit.accessed_by(conn, "U-CLERK")
        assert await conn.fetchval("SELECT count(*) FROM events") == 0
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 0
    finally:
        await conn.close()
    assert [(r.operation, r.outcome) for r in audited][:1] == [(f"POST {URL}", "allowed")]


async def test_the_calculator_refuses_bad_input_by_field(running: Running) -> None:
    bad = {**EXAMPLE, "bills": [{**EXAMPLE["bills"][0], "medical_cost": -5}]}
    answer = await running.client.post(URL, json=bad, headers=running.headers(CLERK))
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [e["pointer"] for e in answer.json()["errors"]] == ["/body/bills/0/medical_cost"]

    stranger = {**EXAMPLE, "bills": [{**EXAMPLE["bills"][0], "person": "stranger"}]}
    refused = await running.client.post(URL, json=stranger, headers=running.headers(CLERK))
    assert refused.status_code == 422
    assert refused.json()["type"] == "urn:kokuho:problem:household-month-invalid"
    assert refused.json()["detail"].startswith("bills/0/person")

    number = {**EXAMPLE, "bills": [{**EXAMPLE["bills"][0], "provider": "123456789012"}]}
    assert (
        await running.client.post(URL, json=number, headers=running.headers(CLERK))
    ).status_code == 422

    early = {**EXAMPLE, "treatment_month": "2018-07"}
    too_early = await running.client.post(URL, json=early, headers=running.headers(CLERK))
    assert too_early.json()["type"] == "urn:kokuho:problem:no-limits-for-month"


async def test_the_calculator_is_guarded(running: Running) -> None:
    assert (await running.client.post(URL, json=EXAMPLE)).status_code == 401
    wrong = await running.client.post(URL, json=EXAMPLE, headers=running.headers("batch.operator"))
    assert wrong.status_code == 403
    for role in ("benefits.supervisor", "auditor"):
        ok = await running.client.post(URL, json=EXAMPLE, headers=running.headers(role))
        assert ok.status_code == 200, ok.text


async def test_a_month_of_year_zero_or_without_limits_is_422_not_500(running: Running) -> None:
    """Found by fuzzing: 0000-01 matched the month pattern and crashed building the date; a
    monthly run for a month no limit table covers was accepted and failed in the job."""
    year_zero = await running.client.post(
        URL, json={**EXAMPLE, "treatment_month": "0000-01"}, headers=running.headers(CLERK)
    )
    assert year_zero.status_code == 422, year_zero.text
    assert [e["pointer"] for e in year_zero.json()["errors"]] == ["/body/treatment_month"]
    for path in ("/api/v1/monthly-runs/0000-01", "/api/v1/households/2000000001/claims/0000-01"):
        got = await running.client.get(path, headers=running.headers(CLERK))
        assert got.status_code == 422, (path, got.text)
        assert [e["pointer"] for e in got.json()["errors"]] == ["/path/treatment_month"]
    too_early = await running.client.post(
        "/api/v1/monthly-runs",
        json={"treatment_month": "2001-01"},
        headers=running.headers("batch.operator"),
    )
    assert too_early.status_code == 422, too_early.text
    assert too_early.json()["type"].endswith("no-limits-for-month")
    conn = await asyncpg.connect(running.dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM monthly_runs") == 0
    finally:
        await conn.close()
