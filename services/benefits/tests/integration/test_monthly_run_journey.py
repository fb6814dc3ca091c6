"""The month end to end on the real PostgreSQL and Kafka, the service served in process: a
claims file through ``POST /api/v1/claim-imports`` and linkage-gateway's carry-over list on its
topic give a 高額療養費 decision, its payment event and its notice PDF; a re-run changes
nothing; a malformed claims file is refused naming every bad line, and nothing is applied.

Household 9920000201 (区分ウ): 1,000,000 yen of medical cost, 300,000 borne, and 3 high-cost
months carried over from the previous municipality (S2): the 多数回 limit 44,400 applies, so
the benefit is 255,600 (without the carry-over it would be 212,570, MHLW's leaflet)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from kokuho.events.contracts import benefits as contracts
from kokuho.events.contracts.linkage_gateway import HighCostCarryOverListed
from kokuho.events.testing.kafka import publish, read_topic
from kokuho.events.testing.waiting import eventually
from kokuho.platform.documents.checks import text_of

from ..unit.claims_kit import claims_file, d_line
from .conftest import CLERK, Running

pytestmark = pytest.mark.integration

BATCH = "batch.operator"
PAID, PROMPTED = "9920000201", "9920000202"
RATE_BODY = {
    "income_year": 2024,
    "householder_tax_exempt": False,
    "members": [
        {
            "addressee_number": "9910000201",
            "age_band": "under_70",
            "resident_tax_exempt": False,
            "old_proviso_income": 3_000_000,
        }
    ],
}
APPLICATION = {
    "nhi_household_number": PAID,
    "payee_addressee_number": "9910000201",
    "bank_code": "0001",
    "branch_code": "001",
    "account_type": "ordinary",
    "account_number": "7654321",
    "holder_kana": "コクホ　タロウ",
}
GOOD = claims_file(
    d_line("R0001", PAID, "9910000201", cost=1_000_000, self_pay=300_000),
    d_line("R0002", PROMPTED, "9910000202", cost=1_000_000, self_pay=300_000),
)
BAD = claims_file(
    d_line("R0001", PAID, "9910000201", cost=1_000_000, self_pay=300_000),
    d_line("R0002", PAID, "991000020", cost=1_000_000, self_pay=300_000),
    d_line("R0003", PAID, "9910000201", cost=1_000_000, self_pay=3_000_000),
    "A,NOPE,R,1,1,01",
)


async def given_rates_carry_over_and_application(running: Running) -> None:
    for household, person in ((PAID, "9910000201"), (PROMPTED, "9910000202")):
        members = [{**RATE_BODY["members"][0], "addressee_number": person}]  # type: ignore[index]
        body = {**RATE_BODY, "nhi_household_number": household, "members": members}
        decided = await running.client.post(
            "/api/v1/copayment-rate-decisions", json=body, headers=running.headers(CLERK)
        )
        assert decided.status_code == 201, decided.text
        assert decided.json()["under_70_category"] == "u"
    await publish(
        running.bootstrap,
        running.linkage_topic,
        PAID,
        HighCostCarryOverListed(
            kind="confirmed",
            target_month="2026-07",
            nhi_household_number=PAID,
            householder_addressee_number="9910000201",
            previous_insurer_number="340001",
            high_cost_months=3,
            last_high_cost_month="2026-06",
            file_date=date(2026, 8, 5),
        ),
        source="/kokuho/linkage-gateway",
    )
    applied = await running.client.post(
        "/api/v1/high-cost-applications", json=APPLICATION, headers=running.headers(CLERK)
    )
    assert applied.status_code == 201, applied.text
    assert applied.json()["payments"] == []  # nothing decided yet
    await eventually(
        lambda: running.fetch("SELECT 1 FROM carry_overs WHERE nhi_household_number = $1", PAID),
        what="the carry-over list consumed",
    )


async def run_month(running: Running) -> dict[str, object]:
    started = await running.client.post(
        "/api/v1/monthly-runs", json={"treatment_month": "2026-07"}, headers=running.headers(BATCH)
    )
    assert started.status_code == 202, started.text

    async def finished() -> dict[str, object] | None:
        status = await running.client.get(
            "/api/v1/monthly-runs/2026-07", headers=running.headers(CLERK)
        )
        body: dict[str, object] = status.json()
        return body if body["status"] == "finished" else None

    return await eventually(finished, what="the monthly run finished")


async def test_a_malformed_file_is_refused_whole_naming_every_line(running: Running) -> None:
    refused = await running.client.post(
        "/api/v1/claim-imports",
        json={"file_name": "bad.csv", "content": BAD},
        headers=running.headers(BATCH),
    )
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["type"].endswith("claims-file-refused")
    assert [e["pointer"] for e in problem["errors"]] == [
        "/body/content/line/3",
        "/body/content/line/4",
        "/body/content/line/5",
    ]
    assert "addressee_number" in problem["errors"][0]["reason"]
    assert await running.fetch("SELECT * FROM claims") == []
    assert await running.fetch("SELECT * FROM claim_imports") == []
    clerk = await running.client.post(
        "/api/v1/claim-imports",
        json={"file_name": "good.csv", "content": GOOD},
        headers=running.headers(CLERK),
    )
    assert clerk.status_code == 403


async def test_claims_and_a_carry_over_give_a_decision_its_payment_and_notice(
    running: Running,
) -> None:
    await given_rates_carry_over_and_application(running)
    imported = await running.client.post(
        "/api/v1/claim-imports",
        json={"file_name": "2026-08.csv", "content": GOOD},
        headers=running.headers(BATCH, **{"Idempotency-Key": "claims-2026-08"}),
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["claims"] == 2
    twice = await running.client.post(
        "/api/v1/claim-imports",
        json={"file_name": "again.csv", "content": GOOD},
        headers=running.headers(BATCH),
    )
    assert twice.status_code == 409

    first = await run_month(running)
    assert first["counts"] == {
        "households": 2,
        "decided": 2,
        "unchanged": 0,
        "no_benefit": 0,
        "prompted": 1,
        "payments": 1,
        "paid_amount": 255_600,
    }
    decision = await running.client.get(
        f"/api/v1/households/{PAID}/high-cost-decisions/2026-07", headers=running.headers(CLERK)
    )
    assert decision.status_code == 200, decision.text
    assert (decision.json()["benefit"], decision.json()["many_times"]) == (255_600, True)
    [payment] = decision.json()["payments"]
    assert payment["amount"] == 255_600

    records = await read_topic(running.bootstrap, running.topic, expected=6)
    types = [(r.key, json.loads(r.value)["type"]) for r in records]
    assert (PAID.encode(), contracts.BenefitPaymentOrdered.event_type) in types
    assert (PROMPTED.encode(), contracts.HighCostApplicationPrompted.event_type) in types
    paid = [json.loads(r.value)["data"] for r in records if r.key == PAID.encode()]
    assert any(d.get("amount") == 255_600 for d in paid)
    topic = b"".join(r.value for r in records).decode()
    assert "7654321" not in topic  # the account number never leaves the database
    assert "コクホ" not in topic

    notice = await running.client.get(
        f"/api/v1/households/{PAID}/high-cost-decisions/2026-07/notice",
        headers=running.headers(CLERK),
    )
    assert notice.headers["content-type"] == "application/pdf"
    text = text_of(notice.content)
    assert "支給決定通知書" in text
    assert "255,600円" in text
    prompt = await running.client.get(
        f"/api/v1/households/{PROMPTED}/high-cost-decisions/2026-07/notice",
        headers=running.headers(CLERK),
    )
    assert "支給申請のお知らせ" in text_of(prompt.content)

    events_before = await running.fetch("SELECT count(*) FROM events")
    again = await run_month(running)
    assert again["run_id"] != first["run_id"]
    counts = again["counts"]
    assert isinstance(counts, dict)
    assert (counts["decided"], counts["unchanged"], counts["payments"]) == (0, 2, 0)
    assert await running.fetch("SELECT count(*) FROM events") == events_before
    assert len(await running.fetch("SELECT * FROM benefit_payments")) == 1
