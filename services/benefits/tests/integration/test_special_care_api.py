"""特別療養費 by API on PostgreSQL and Kafka: before delinquency's flag an application is refused
(422 naming care_from, nothing stored); ``SpecialCareFlagged`` on the test's own delinquency
topic is consumed; then entered by a clerk, approved by a supervisor: the 10割 less the
一部負担金, and the ``BenefitPaymentOrdered`` on the topic marked appropriable to arrears for
collection (rules.md §4.6), without the account."""

from __future__ import annotations

import json
from datetime import date

import pytest

from kokuho.events.contracts import benefits as contracts
from kokuho.events.contracts.delinquency import SpecialCareFlagged
from kokuho.events.testing.kafka import publish, read_topic
from kokuho.events.testing.waiting import eventually
from kokuho.platform.testing import staff_headers

from .conftest import CLERK, Running
from .test_medical_expenses_api import BODY as ACUPUNCTURE

pytestmark = pytest.mark.integration
HOUSEHOLD = "9920000601"
BODY = {
    **ACUPUNCTURE,
    "kind": "special_care",
    "nhi_household_number": HOUSEHOLD,
    "patient_addressee_number": "9910000601",
    "payee_addressee_number": "9910000601",
    "care_from": "2026-11-10",
    "paid_on": "2026-11-10",
    "paid_amount": 25_000,
    "standard_cost": 25_000,
}


async def test_a_flagged_household_is_paid_the_10_wari_less_the_copayment(
    running: Running,
) -> None:
    early = await running.client.post(
        "/api/v1/medical-expense-applications", json=BODY, headers=running.headers(CLERK)
    )
    assert early.status_code == 422, early.text
    assert early.json()["type"].endswith("special-care-not-flagged")
    assert "care_from" in early.json()["detail"]
    assert await running.fetch("SELECT 1 FROM medical_expense_applications") == []

    await publish(
        running.bootstrap,
        running.delinquency_topic,
        HOUSEHOLD,
        SpecialCareFlagged(
            nhi_household_number=HOUSEHOLD,
            oldest_due_date=date(2025, 7, 31),
            effective_on=date(2026, 11, 1),
        ),
        source="/kokuho/delinquency",
    )
    await eventually(
        lambda: running.fetch("SELECT 1 FROM special_care_periods"), what="the flag consumed"
    )
    applied = await running.client.post(
        "/api/v1/medical-expense-applications", json=BODY, headers=running.headers(CLERK)
    )
    assert applied.status_code == 201, applied.text
    url = f"/api/v1/medical-expense-applications/{applied.json()['application_id']}"
    other = staff_headers(running.key, "U-SUPERVISOR", "benefits.supervisor")
    approved = await running.client.post(f"{url}/review", json={"approve": True}, headers=other)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["amount"], approved.json()["paid"]) == (17_500, 17_500)
    records = await read_topic(running.bootstrap, running.topic, expected=3)
    (payment,) = [
        json.loads(r.value)["data"]
        for r in records
        if json.loads(r.value)["type"] == contracts.BenefitPaymentOrdered.event_type
    ]
    assert (payment["benefit_kind"], payment["may_appropriate_to_arrears"]) == (
        "special_care",
        True,
    )
    assert "4444444" not in b"".join(r.value for r in records).decode()
    pdf = await running.client.get(f"{url}/notice", headers=running.headers(CLERK))
    assert pdf.status_code == 200
