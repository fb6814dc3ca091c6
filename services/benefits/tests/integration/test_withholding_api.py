"""給付の一時差止 end to end on PostgreSQL and Kafka: delinquency's ``BenefitsWithheld``
published on the test's own delinquency topic and consumed through the inbox; a 葬祭費 approved
while withheld is decided but not paid (``BenefitPaymentWithheld``, listed for staff by API);
``BenefitsReleased`` (twice) orders the payment once (``BenefitPaymentOrdered``)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from kokuho.events.contracts import benefits as contracts
from kokuho.events.contracts.delinquency import BenefitsReleased, BenefitsWithheld
from kokuho.events.testing.kafka import publish, read_topic
from kokuho.events.testing.waiting import eventually
from kokuho.platform.testing import staff_headers

from .conftest import CLERK, Running
from .test_lump_sums_api import BODY

pytestmark = pytest.mark.integration
HOUSEHOLD = BODY["nhi_household_number"]


async def test_a_withheld_household_is_paid_once_on_release(running: Running) -> None:
    await publish(
        running.bootstrap,
        running.delinquency_topic,
        HOUSEHOLD,
        BenefitsWithheld(
            nhi_household_number=HOUSEHOLD,
            oldest_due_date=date(2025, 4, 30),
            effective_on=date(2026, 11, 30),  # the day before the review (NOW: 2026-12-01)
        ),
        source="/kokuho/delinquency",
    )
    await eventually(
        lambda: running.fetch("SELECT 1 FROM benefit_withholdings"),
        what="the withholding consumed",
    )
    applied = await running.client.post(
        "/api/v1/lump-sum-applications", json=BODY, headers=running.headers(CLERK)
    )
    assert applied.status_code == 201, applied.text
    url = f"/api/v1/lump-sum-applications/{applied.json()['application_id']}"
    other = staff_headers(running.key, "U-SUPERVISOR", "benefits.supervisor")
    approved = await running.client.post(f"{url}/review", json={"approve": True}, headers=other)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["amount"], approved.json()["paid"]) == (30_000, 0)
    assert approved.json()["payment_withheld"] is True
    listed = await running.client.get("/api/v1/withheld-payments", headers=running.headers(CLERK))
    assert listed.status_code == 200, listed.text
    [payment] = listed.json()["payments"]
    assert (payment["benefit_kind"], payment["amount"], payment["basis"]) == (
        "funeral",
        30_000,
        "rules.md §4.6 給付の一時差止",
    )

    for day in (date(2026, 12, 10), date(2026, 12, 11)):  # a second release pays nothing
        await publish(
            running.bootstrap,
            running.delinquency_topic,
            HOUSEHOLD,
            BenefitsReleased(nhi_household_number=HOUSEHOLD, reason="paid", effective_on=day),
            source="/kokuho/delinquency",
        )
    await eventually(
        lambda: running.fetch(
            "SELECT 1 FROM benefit_withholdings WHERE released_on IS NOT NULL"
            " AND (SELECT count(*) FROM inbox) >= 3"
        ),
        what="both releases consumed",
    )
    records = await read_topic(running.bootstrap, running.topic, expected=4)
    types = [json.loads(r.value)["type"] for r in records]
    assert types.count(contracts.BenefitPaymentWithheld.event_type) == 1
    assert types.count(contracts.BenefitPaymentOrdered.event_type) == 1
    ordered = next(
        json.loads(r.value)["data"]
        for r in records
        if json.loads(r.value)["type"] == contracts.BenefitPaymentOrdered.event_type
    )
    assert (ordered["amount"], ordered["payment_date"]) == (30_000, "2026-12-24")
    assert "2222222" not in b"".join(r.value for r in records).decode()
    read = await running.client.get(url, headers=running.headers(CLERK))
    assert (read.json()["paid"], read.json()["payment_withheld"]) == (30_000, False)
    empty = await running.client.get("/api/v1/withheld-payments", headers=running.headers(CLERK))
    assert empty.json()["payments"] == []
