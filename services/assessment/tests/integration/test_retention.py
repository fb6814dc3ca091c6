"""The assessment retention job (C-95, C-96; ADR 0096) on the real PostgreSQL: fiscal year N
is kept through March 31 of N + 6 and erased from April 1 (the day before, the day itself, the
day after); the premium's rows and event streams, the incomes of the year before and the
pensions go; a stream whose event waits in the outbox is kept; erasure records are listed to
an auditor (audited); a re-run erases nothing new and a read afterwards finds nothing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import asyncpg
import pytest

from kokuho.assessment.adapters.unit_of_work import AssessmentUnit
from kokuho.assessment.app.retention import OUTBOX_PENDING, SYSTEM_RETENTION, apply_retention
from kokuho.assessment.domain import retention as r
from kokuho.assessment.parameters import load_retention
from kokuho.platform.audit import RequestAudit

from ..conftest import Running

pytestmark = pytest.mark.integration

H1, H2, PERSON = "5100000001", "5100000002", "6100000001"


async def seed(conn: asyncpg.Connection) -> None:
    for household, year in ((H1, 2024), (H1, 2025), (H2, 2024)):
        await conn.execute(
            "INSERT INTO assessments (nhi_household_number, fiscal_year, revision, assessment_id,"
            " annual_amount, statutory_reduction, components, explanation, cause, assessed_by)"
            " VALUES ($1, $2, 1, $3, 100000, 0, '{}', '{}', 'annual', 'U-TEST')",
            household,
            year,
            uuid.uuid4(),
        )
        event_id = uuid.uuid4()
        await conn.execute(
            "INSERT INTO events (stream_id, version, event_id, event_type, occurred_at, envelope)"
            " VALUES ($1, 1, $2, 'premium_assessed', now(), $3)",
            f"premium-{household}-{year}",
            event_id,
            json.dumps({"id": str(event_id)}),
        )
        published = None if household == H2 else datetime(2025, 4, 1, tzinfo=UTC)
        await conn.execute(
            "INSERT INTO outbox (event_id, topic, key, published_at) VALUES ($1, 't', $2, $3)",
            event_id,
            household,
            published,
        )
    application = uuid.uuid4()
    await conn.execute(
        "INSERT INTO reduction_exemptions (application_id, nhi_household_number, fiscal_year,"
        " reason_code, reason, ratio_percent, status, entered_by)"
        " VALUES ($1, $2, 2024, 'disaster', '火災', 50, 'approved', 'U-TEST')",
        application,
        H1,
    )
    decided = uuid.uuid4()
    await conn.execute(
        "INSERT INTO events (stream_id, version, event_id, event_type, occurred_at, envelope)"
        " VALUES ($1, 1, $2, 'decided', now(), '{}')",
        f"reduction-exemption-{application}",
        decided,
    )
    for year in (2023, 2024):  # the incomes of FY2024 and FY2025
        await conn.execute(
            "INSERT INTO incomes (addressee_number, income_year, birth_date, declared,"
            " salary_revenue, salary_income, pension_revenue, pension_income, other_income,"
            " family_employee_deduction, transfer_special_deduction, fixed_asset_tax,"
            " resident_tax_status, source, updated_by)"
            " VALUES ($1, $2, '1970-01-01', true, 3000000, 2000000, 0, 0, 0, 0, 0, 0,"
            " 'taxable', 'tax_file', 'U-TEST')",
            PERSON,
            year,
        )
    for year in (2024, 2025):
        await conn.execute(
            "INSERT INTO pensions (addressee_number, fiscal_year, annual_amount,"
            " ltc_special_collection, ltc_premium, previous_february_deduction, recorded_by)"
            " VALUES ($1, $2, 1800000, false, 0, 0, 'U-TEST')",
            PERSON,
            year,
        )


async def test_retention_boundary_records_and_reads(running: Running) -> None:
    rule = load_retention()
    assert rule.years == 5
    pool = await asyncpg.create_pool(running.dsn, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await seed(conn)

        def units() -> AssessmentUnit:
            trail = RequestAudit.of_system(lambda: pool, SYSTEM_RETENTION, "retention")
            return AssessmentUnit(lambda: pool, audit=trail, topic=running.settings.events_topic)

        async def run(day: date, dry_run: bool = False):  # type: ignore[no-untyped-def]
            at = datetime(day.year, day.month, day.day, 1, tzinfo=UTC)
            return await apply_retention(units, rule, now=at, on=day, dry_run=dry_run)

        dry = await run(date(2031, 3, 31), dry_run=True)
        assert dry.erased[r.ASSESSMENT] == [f"{H1}/2024", f"{H2}/2024"]
        assert await pool.fetchval("SELECT count(*) FROM assessments") == 3

        before = await run(date(2031, 3, 31))  # FY2025's last day of retention
        assert before.last_expired_year == 2024
        assert before.erased == {
            r.ASSESSMENT: [f"{H1}/2024"],
            r.INCOME: [f"{PERSON}/2023"],
            r.PENSION: [f"{PERSON}/2024"],
        }
        assert before.kept == {OUTBOX_PENDING: [f"{H2}/2024"]}
        assert before.kept_by_year == {2025: 1}
        streams = {row[0] for row in await pool.fetch("SELECT stream_id FROM events")}
        assert streams == {f"premium-{H1}-2025", f"premium-{H2}-2024"}  # reduction's went too
        assert await pool.fetchval("SELECT count(*) FROM reduction_exemptions") == 0
        assert await pool.fetchval("SELECT count(*) FROM incomes WHERE income_year = 2024") == 1

        itself = await run(date(2031, 4, 1))  # FY2025 erasable from today
        assert itself.erased == {
            r.ASSESSMENT: [f"{H1}/2025"],
            r.INCOME: [f"{PERSON}/2024"],
            r.PENSION: [f"{PERSON}/2025"],
        }
        await pool.execute("UPDATE outbox SET published_at = now()")  # the relay caught up
        after = await run(date(2031, 4, 2))
        assert after.erased == {r.ASSESSMENT: [f"{H2}/2024"]}
        again = await run(date(2031, 4, 3))
        assert (again.erased, again.records) == ({}, 0)
        for table in ("assessments", "events", "incomes", "income_history", "pensions"):
            assert await pool.fetchval(f"SELECT count(*) FROM {table}") == 0, table
        recorded = await pool.fetch(
            "SELECT data_class, subject, store, erased_on, erased_by FROM erasure_records"
        )
    finally:
        await pool.close()
    assert {(x["data_class"], x["subject"], x["store"]) for x in recorded} >= {
        (r.ASSESSMENT, f"{H1}/2024", store) for store in r.STORES[r.ASSESSMENT]
    }
    assert {x["erased_by"] for x in recorded} == {SYSTEM_RETENTION}
    assert len(recorded) == 3 * len(r.STORES[r.ASSESSMENT]) + 2 * 2 + 2 * 1

    gone = await running.client.get(
        f"/api/v1/households/{H1}/assessments/2025", headers=running.headers("auditor")
    )
    assert gone.status_code == 404, gone.text
    refused = await running.client.get(
        "/api/v1/erasure-records", headers=running.headers("assessment.clerk")
    )
    assert refused.status_code == 403
    listed = await running.client.get(
        "/api/v1/erasure-records",
        params={"limit": 200},
        headers=running.headers("auditor", user="U-AUD"),
    )
    assert listed.status_code == 200, listed.text
    assert len(listed.json()["items"]) == len(recorded)
    audited = await running.fetch(
        "SELECT subject_addressee_numbers FROM audit_log WHERE user_id = 'U-AUD'"
    )
    assert [PERSON] in [list(x[0]) for x in audited]
