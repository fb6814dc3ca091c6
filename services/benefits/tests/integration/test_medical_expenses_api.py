"""療養費 by API on PostgreSQL and Kafka: entered by a clerk, refused to the same person as
reviewer (409), approved by a supervisor at the member's rate; the payment event on the topic
without the account, the notice PDF; a prescribed application refused."""

from __future__ import annotations

import json

import pytest

from kokuho.events.contracts import benefits as contracts
from kokuho.events.testing.kafka import read_topic
from kokuho.platform.documents.checks import text_of
from kokuho.platform.testing import staff_headers

from .conftest import CLERK, Running

pytestmark = pytest.mark.integration

BODY = {
    "kind": "acupuncture",
    "nhi_household_number": "9920000501",
    "patient_addressee_number": "9910000501",
    "age_band": "under_70",
    "care_from": "2026-10-01",
    "paid_on": "2026-10-31",
    "paid_amount": 12_000,
    "standard_cost": 9_000,
    "payee_addressee_number": "9910000501",
    "bank_code": "0001",
    "branch_code": "001",
    "account_type": "ordinary",
    "account_number": "4444444",
    "holder_kana": "コクホ　シロウ",
}


async def test_an_acupuncture_benefit_by_two_people(running: Running) -> None:
    applied = await running.client.post(
        "/api/v1/medical-expense-applications", json=BODY, headers=running.headers(CLERK)
    )
    assert applied.status_code == 201, applied.text
    url = f"/api/v1/medical-expense-applications/{applied.json()['application_id']}"
    same = await running.client.post(
        f"{url}/review", json={"approve": True}, headers=running.headers("benefits.supervisor")
    )
    assert same.status_code == 409, same.text
    assert same.json()["type"].endswith("same-person-review")
    other = staff_headers(running.key, "U-SUPERVISOR", "benefits.supervisor")
    approved = await running.client.post(f"{url}/review", json={"approve": True}, headers=other)
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert (body["allowed_cost"], body["copayment_rate_percent"], body["amount"]) == (
        9_000,
        30,
        6_300,
    )
    assert body["paid"] == 6_300
    records = await read_topic(running.bootstrap, running.topic, expected=3)
    types = [json.loads(r.value)["type"] for r in records]
    assert types.count(contracts.BenefitPaymentOrdered.event_type) == 1
    assert "4444444" not in b"".join(r.value for r in records).decode()
    notice = await running.client.get(f"{url}/notice", headers=running.headers(CLERK))
    assert notice.status_code == 200
    assert "療養費（はり・きゅう） 支給決定通知書" in text_of(notice.content)
    prescribed = await running.client.post(
        "/api/v1/medical-expense-applications",
        json={**BODY, "care_from": "2024-10-01", "paid_on": "2024-11-30"},
        headers=running.headers(CLERK),
    )
    assert prescribed.status_code == 422
    assert prescribed.json()["type"].endswith("lump-sum-prescribed")
