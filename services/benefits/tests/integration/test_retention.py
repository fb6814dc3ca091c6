"""The benefits retention job (C-95, C-96; ADR 0100) on the real PostgreSQL and Kafka: 葬祭費
applications through the API (paid, refused, pending), 高額療養費 months as the monthly run
leaves them (paid; decided and not paid) and their claims; each benefit is kept the day before
the fifth anniversary of the date it was received (its payment date; a refusal: its decision)
and erased on the day itself (stream, published outbox rows, read models with the payee
account), one erasure record per store; undecided and unpaid benefits are never erased; a
household's claims of a month go from the fifth anniversary of the month's last day, once the
month's 高額療養費 decision is gone; a dry run changes nothing; a re-run erases nothing new; a
read afterwards is 404; the records are listed to an auditor, audited."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import asyncpg
import pytest

from kokuho.benefits.adapters.retention import RetentionUnit
from kokuho.benefits.app.retention import apply_retention
from kokuho.benefits.commands import retention_command
from kokuho.benefits.config import Settings
from kokuho.benefits.domain import retention as r
from kokuho.benefits.parameters import load_retention
from kokuho.events.contracts import benefits as contracts
from kokuho.platform.retention import SYSTEM_RETENTION
from kokuho.platform.testing import (
    RetentionRuns,
    erasure_records_listed,
    outbox_relayed,
    retention_command_runs_today,
    staff_headers,
)

from .conftest import CLERK, NOW, Running

pytestmark = pytest.mark.integration

HC_PAID, HC_UNPAID = "9920000501", "9920000502"
PAID_HOUSEHOLD, PENDING_HOUSEHOLD, REFUSED_HOUSEHOLD = "9920000504", "9920000505", "9920000506"
MEDICAL_HOUSEHOLD = "9920000508"
ACUPUNCTURE = {
    "kind": "acupuncture",
    "nhi_household_number": MEDICAL_HOUSEHOLD,
    "patient_addressee_number": "9910000508",
    "age_band": "under_70",
    "care_from": "2026-10-01",
    "paid_on": "2026-10-31",
    "paid_amount": 12_000,
    "standard_cost": 9_000,
    "payee_addressee_number": "9910000508",
    "bank_code": "0001",
    "branch_code": "001",
    "account_type": "ordinary",
    "account_number": "4444444",
    "holder_kana": "コクホ　シロウ",
}
MONTH = date(2026, 8, 1)
CLAIMS_ONLY, NOVEMBER = "9920000507", date(2026, 11, 1)  # claims, no 高額療養費 for the month
TABLES = (
    "events",
    "outbox",
    "high_cost_decisions",
    "benefit_payments",
    "lump_sum_applications",
    "claims",
    "claim_adjustments",
    "erasure_records",
)


def funeral(household: str, subject: str) -> dict[str, Any]:
    return {
        "kind": "funeral",
        "nhi_household_number": household,
        "subject_addressee_number": subject,
        "event_date": "2026-11-02",
        "funeral_date": "2026-11-05",
        "payee_addressee_number": "9910000599",
        "bank_code": "0001",
        "branch_code": "001",
        "account_type": "ordinary",
        "account_number": "2222222",
        "holder_kana": "コクホ　ジロウ",
    }


async def applied(running: Running, household: str, subject: str) -> str:
    response = await running.client.post(
        "/api/v1/lump-sum-applications",
        json=funeral(household, subject),
        headers=running.headers(CLERK),
    )
    assert response.status_code == 201, response.text
    application_id: str = response.json()["application_id"]
    return application_id


async def reviewed(running: Running, application_id: str, body: dict[str, Any]) -> None:
    supervisor = staff_headers(running.key, "U-SUPERVISOR", "benefits.supervisor")
    response = await running.client.post(
        f"/api/v1/lump-sum-applications/{application_id}/review", json=body, headers=supervisor
    )
    assert response.status_code == 200, response.text


async def high_cost_month(pool: asyncpg.Pool, household: str, paid: bool) -> None:
    """A 高額療養費 month as the monthly run records it: decided on 11/10 (50,000 yen), and
    paid on 11/25, or (not paid) prompted to apply (申請勧奨)."""
    decision = uuid.uuid4()
    await pool.execute(
        "INSERT INTO high_cost_decisions (nhi_household_number, treatment_month, decision_id,"
        " revision, version, benefit, paid, prompted, inputs_digest, counts_for_many_times,"
        " many_times, self_pay_total, household_borne, claims, persons, limits, decided_by,"
        " decided_on) VALUES ($1, $2, $3, 1, $4, 50000, $5, $6, 'd', true, false, 130000,"
        " 80000, 2, '[]', '{}', 'system:monthly-run', '2026-11-10')",
        household,
        MONTH,
        decision,
        2 if paid else 1,
        50_000 if paid else 0,
        not paid,
    )
    stream = f"high-cost-{household}-{MONTH:%Y-%m}"
    events = [(contracts.HighCostBenefitDecided.event_type, {"decided_on": "2026-11-10"})]
    if paid:
        payment = uuid.uuid4()
        await pool.execute(
            "INSERT INTO benefit_payments VALUES ($1, $2, 'high_cost', $3, '9910000598', $4,"
            " 50000, '2026-11-25', 'system:monthly-run', '2026-11-10')",
            payment,
            decision,
            household,
            MONTH,
        )
        events.append((contracts.BenefitPaymentOrdered.event_type, {"payment_date": "2026-11-25"}))
    for version, (event_type, data) in enumerate(events, start=1):
        event_id = uuid.uuid4()
        envelope = {"id": str(event_id), "type": event_type}
        envelope["data"] = {"nhi_household_number": household, **data}  # type: ignore[assignment]
        await pool.execute(
            "INSERT INTO events (stream_id, version, event_id, event_type, occurred_at,"
            " envelope) VALUES ($1, $2, $3, $4, '2026-11-10T03:00:00Z', $5)",
            stream,
            version,
            event_id,
            event_type,
            json.dumps(envelope),
        )
        await pool.execute(
            "INSERT INTO outbox (event_id, topic, key, published_at)"
            " VALUES ($1, 't', $2, '2026-11-10T03:00:01Z')",
            event_id,
            household,
        )


async def claims_of(pool: asyncpg.Pool, household: str, month: date, import_id: uuid.UUID) -> None:
    """Two claims of the household's month as the federation's file brings them, one adjusted."""
    for n in (1, 2):
        number = f"R{household[-3:]}{month:%y%m}{n}"
        await pool.execute(
            "INSERT INTO claims (claim_number, import_id, processing_month, treatment_month,"
            " nhi_household_number, addressee_number, age_band, turning_75, provider, setting,"
            " kind, treatment_days, points, medical_cost, self_pay)"
            " VALUES ($1, $2, $3, $3, $4, '9910000597', 'under_70', false, '3410000001',"
            " 'outpatient', 'medical', 3, 30000, 300000, 90000)",
            number,
            import_id,
            month,
            household,
        )
    await pool.execute(
        "INSERT INTO claim_adjustments VALUES ($1, (SELECT count(*) FROM claim_adjustments),"
        " $2, 'reexamination', 'A1', 300000, 90000, 290000, 87000)",
        import_id,
        f"R{household[-3:]}{month:%y%m}1",
    )


async def test_retention_of_benefits(running: Running, capsys: pytest.CaptureFixture[str]) -> None:
    period = load_retention()
    assert (period.years, period.confidence) == (5, "confirmed")
    paid = await applied(running, PAID_HOUSEHOLD, "9910000501")
    await applied(running, PENDING_HOUSEHOLD, "9910000502")
    refused = await applied(running, REFUSED_HOUSEHOLD, "9910000503")
    await reviewed(running, paid, {"approve": True, "payment_date": "2026-12-15"})
    await reviewed(running, refused, {"approve": False, "reason": "葬祭を行った者でない"})
    acupuncture = await running.client.post(
        "/api/v1/medical-expense-applications", json=ACUPUNCTURE, headers=running.headers(CLERK)
    )
    assert acupuncture.status_code == 201, acupuncture.text
    medical = acupuncture.json()["application_id"]
    approved = await running.client.post(
        f"/api/v1/medical-expense-applications/{medical}/review",
        json={"approve": True, "payment_date": "2026-12-15"},
        headers=staff_headers(running.key, "U-SUPERVISOR", "benefits.supervisor"),
    )
    assert approved.status_code == 200, approved.text
    streams = {
        "paid": "lump-sum-funeral-9910000501",
        "pending": "lump-sum-funeral-9910000502",
        "refused": "lump-sum-funeral-9910000503",
        "hc_paid": f"high-cost-{HC_PAID}-2026-08",
        "hc_unpaid": f"high-cost-{HC_UNPAID}-2026-08",
        "medical": f"medical-expense-{medical}",
    }
    pool = await asyncpg.create_pool(running.dsn, min_size=1, max_size=2)
    try:
        await high_cost_month(pool, HC_PAID, paid=True)
        await high_cost_month(pool, HC_UNPAID, paid=False)
        import_id = uuid.uuid4()
        await pool.execute(
            "INSERT INTO claim_imports (import_id, file_name, sha256, file_date,"
            " processing_month, claims, adjustments, received_by) VALUES ($1, 'r.csv', 'x',"
            " '2026-12-01', '2026-12-01', 6, 3, 'U-OP')",
            import_id,
        )
        for household, month in ((HC_PAID, MONTH), (HC_UNPAID, MONTH), (CLAIMS_ONLY, NOVEMBER)):
            await claims_of(pool, household, month, import_id)

        await outbox_relayed(pool)
        # recorded on the service's day (its clock), whatever the machine's: an undecided
        # application is a candidate from 5 years after its last event
        await pool.execute(
            "UPDATE events SET occurred_at = $1 WHERE stream_id NOT LIKE 'high-cost%'", NOW
        )

        run = RetentionRuns(pool, apply_retention, RetentionUnit, period)

        before = await run.counts(TABLES)
        early = await run(date(2031, 11, 24))  # 5 years from 2026-11-25, the first payment
        assert (early.erased, early.records) == ({}, 0)
        assert early.kept == {
            r.NOT_PAID: [streams["hc_unpaid"]],  # decided 2026-11-10
            r.DECISION_HELD: [f"{HC_PAID}/2026-08", f"{HC_UNPAID}/2026-08"],
        }
        dry = await run(date(2031, 12, 15), dry_run=True)
        assert dry.erased == {
            r.HIGH_COST: [streams["hc_paid"]],
            r.LUMP_SUM: [streams["paid"], streams["refused"]],  # in stream order
            r.CLAIMS: [f"{CLAIMS_ONLY}/2026-11"],  # HC_PAID's wait for its decision to go
            r.MEDICAL_EXPENSE: [streams["medical"]],
        }
        assert dry.records == 0
        assert await run.counts(TABLES) == before  # the dry run changed nothing

        hc_day = await run(date(2031, 11, 25))
        # the decision, then in the same run the claims it was decided on
        assert hc_day.erased == {
            r.HIGH_COST: [streams["hc_paid"]],
            r.CLAIMS: [f"{HC_PAID}/2026-08"],
        }
        assert hc_day.records == len(r.CLASSES[r.HIGH_COST][1]) + len(r.CLAIM_STORES)
        assert await pool.fetchval("SELECT count(*) FROM benefit_payments") == 0
        assert await pool.fetchval("SELECT count(*) FROM high_cost_decisions") == 1
        again = await run(date(2031, 11, 26))
        assert (again.erased, again.records) == ({}, 0)
        claims_eve = await run(date(2031, 11, 29))  # November 2026 ended on the 30th
        assert claims_eve.erased == {}
        claims_day = await run(date(2031, 11, 30))
        assert claims_day.erased == {r.CLAIMS: [f"{CLAIMS_ONLY}/2026-11"]}
        left_claims = await pool.fetch("SELECT DISTINCT nhi_household_number FROM claims")
        assert [x[0] for x in left_claims] == [HC_UNPAID]
        assert await pool.fetchval("SELECT count(*) FROM claim_adjustments") == 1
        refusal_day = await run(date(2031, 12, 1))  # refused on 2026-12-01, nothing paid
        assert refusal_day.erased == {r.LUMP_SUM: [streams["refused"]]}
        day_before = await run(date(2031, 12, 14))  # paid on 2026-12-15
        assert day_before.erased == {}
        assert day_before.kept == {
            r.NOT_PAID: [streams["hc_unpaid"]],
            r.DECISION_HELD: [f"{HC_UNPAID}/2026-08"],
            r.NOT_DECIDED: [streams["pending"]],
        }
        paid_day = await run(date(2031, 12, 15))
        assert paid_day.erased == {
            r.LUMP_SUM: [streams["paid"]],
            r.MEDICAL_EXPENSE: [streams["medical"]],
        }
        assert await pool.fetchval("SELECT count(*) FROM medical_expense_applications") == 0
        never = await run(date(2060, 1, 1))
        assert (never.erased, never.records) == ({}, 0)
        assert never.kept == {
            r.NOT_PAID: [streams["hc_unpaid"]],
            r.NOT_DECIDED: [streams["pending"]],
            r.DECISION_HELD: [f"{HC_UNPAID}/2026-08"],
        }
        left = {row[0] for row in await pool.fetch("SELECT DISTINCT stream_id FROM events")}
        assert left == {streams["hc_unpaid"], streams["pending"]}
        accounts = await pool.fetch("SELECT account_number FROM lump_sum_applications")
        assert len(accounts) == 1  # the pending application's only
        records = await pool.fetch("SELECT data_class, subject, store FROM erasure_records")
        audited = await pool.fetch(
            "SELECT subject_addressee_numbers FROM audit_log WHERE user_id = $1", SYSTEM_RETENTION
        )
    finally:
        await pool.close()
    expected = {
        (r.HIGH_COST, f"{HC_PAID}/{streams['hc_paid']}"),
        (r.LUMP_SUM, f"{REFUSED_HOUSEHOLD}/{streams['refused']}"),
        (r.LUMP_SUM, f"{PAID_HOUSEHOLD}/{streams['paid']}"),
        (r.CLAIMS, f"{HC_PAID}/2026-08"),
        (r.CLAIMS, f"{CLAIMS_ONLY}/2026-11"),
        (r.MEDICAL_EXPENSE, f"{MEDICAL_HOUSEHOLD}/{streams['medical']}"),
    }
    stores = {c: s for c, (_, s) in r.CLASSES.items()} | {r.CLAIMS: r.CLAIM_STORES}
    assert {(x["data_class"], x["subject"], x["store"]) for x in records} == {
        (c, s, store) for c, s in expected for store in stores[c]
    }
    erased_for = [
        HC_PAID,
        HC_PAID,
        CLAIMS_ONLY,
        PAID_HOUSEHOLD,
        REFUSED_HOUSEHOLD,
        MEDICAL_HOUSEHOLD,
    ]
    assert sorted(list(x[0]) for x in audited) == sorted([h] for h in erased_for)

    gone = await running.client.get(
        f"/api/v1/lump-sum-applications/{paid}", headers=running.headers(CLERK)
    )
    assert gone.status_code == 404, gone.text
    medical_gone = await running.client.get(
        f"/api/v1/medical-expense-applications/{medical}", headers=running.headers(CLERK)
    )
    assert medical_gone.status_code == 404, medical_gone.text
    listed = await erasure_records_listed(
        running.client, running.headers(CLERK), staff_headers(running.key, "U-AUD", "auditor")
    )
    assert len(listed) == len(records)
    read = await running.fetch(
        "SELECT subject_addressee_numbers FROM audit_log WHERE user_id = 'U-AUD'"
        " AND detail->>'view' = 'erasure-records'"
    )
    assert [sorted(x[0]) for x in read] == [
        sorted([HC_PAID, CLAIMS_ONLY, PAID_HOUSEHOLD, REFUSED_HOUSEHOLD, MEDICAL_HOUSEHOLD])
    ]

    # the command: today's run for Japan's day (nothing of the test is 5 years old); an
    # unknown argument is refused
    settings = Settings(database_dsn=running.dsn)
    await retention_command_runs_today(
        lambda args: retention_command(settings, args), lambda: capsys.readouterr().out
    )
