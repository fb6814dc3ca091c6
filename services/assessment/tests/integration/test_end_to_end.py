"""End to end on real Kafka and PostgreSQL: a move-in at eligibility plus imported income
leads to PremiumAssessed on Kafka; a later loss leads to a correction on Kafka."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date

import pytest

from kokuho.events.contracts.eligibility import QualificationLost
from kokuho.events.contracts.payment_numbers import payment_number
from kokuho.events.testing.kafka import Record, read_topic

from ..conftest import Running
from .test_assessment_api import HEADER, income_line, known_household, numbers

pytestmark = pytest.mark.integration


async def premium_events(running: Running, household: str, expected: int) -> list[dict]:
    """PremiumAssessed events of one household on the test's own topic (read from the start)."""

    def premiums(records: Sequence[Record]) -> list[dict]:
        mine = [json.loads(r.value) for r in records if r.key == household.encode()]
        return [e for e in mine if e["type"] == "jp.kokuho.assessment.premium_assessed.v1"]

    records = await read_topic(
        running.settings.kafka_connection(),
        running.settings.events_topic,
        until=lambda rs: len(premiums(rs)) >= expected,
        timeout=45,
    )
    return premiums(records)


async def test_move_in_income_assessment_then_loss_correction(running: Running) -> None:
    household, person = numbers()
    await known_household(running, household, person)  # QualificationAcquired on Kafka
    r = await running.client.post(
        "/api/v1/income-imports",
        json={"file_name": "tax.csv", "content": f"{HEADER}\n{income_line(person, 2_000_000)}\n"},
        headers=running.headers("batch.operator"),
    )
    assert r.status_code == 201
    r = await running.client.post(
        "/api/v1/assessments",
        json={"nhi_household_number": household, "fiscal_year": 2026},
        headers=running.headers("assessment.clerk"),
    )
    assert r.status_code == 201, r.text

    (first,) = await premium_events(running, household, 1)
    data = first["data"]
    assert data["kind"] == "assessment"
    assert data["assessed_by"] == "U-CLERK"  # the clerk who asked (C-24)
    assert data["annual_amount"] == 316_000
    assert data["insured_months"] == 12
    assert {c["component"] for c in data["components"]} == {
        "medical",
        "elderly_support",
        "long_term_care",
        "child_support",
    }
    # assessed on 2026-11-26: 第1–5期 are past, 316,000 over 第6–10期 = 63,200 each
    assert [i["amount"] for i in data["instalments"]] == [0] * 5 + [63_200] * 5
    assert data["instalments"][6]["due_date"] == "2027-01-04"
    # each instalment names the 納付番号 printed on its slip, which collection matches by
    assert [i["payment_number"] for i in data["instalments"]] == [
        payment_number(2026, data["nhi_household_number"], n) for n in range(1, 11)
    ]
    assert person not in json.dumps(first)  # no addressee numbers, names or incomes on the topic

    # moves out on 2026-09-30: loss the day after → premium months April to September
    await running.publish_eligibility(
        household,
        QualificationLost(
            change_id=uuid.uuid4(),
            entered_by="E1",
            confirmed_by="E2",
            addressee_number=person,
            nhi_household_number=household,
            insured_number="12345678",
            loss_date=date(2026, 10, 1),
            loss_reason="moved_out",
            fact_date=date(2026, 9, 30),
            notification_date=date(2026, 10, 2),
            late_notification=False,
            remains_in_household=False,
        ),
    )
    events = await premium_events(running, household, 2)
    assert len(events) == 2
    correction = events[1]["data"]
    # 6 of 12 months: 190,000/2 = 95,000; 61,800/2 = 30,900; 57,800/2 = 28,900; 6,400/2 = 3,200
    assert correction["kind"] == "correction"
    assert correction["cause"] == "eligibility_change"
    assert correction["assessed_by"] == "system:eligibility-policy"  # C-24: who caused it
    assert correction["revision"] == 2
    assert correction["annual_amount"] == 158_000
    assert correction["difference"] == -158_000
    assert correction["insured_months"] == 6
    assert [i["amount"] for i in correction["instalments"]] == [0] * 5 + [31_600] * 5
    assert [i["difference"] for i in correction["instalments"]] == [0] * 5 + [-31_600] * 5
