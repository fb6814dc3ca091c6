"""葬祭費 by API on PostgreSQL and Kafka: entered by a clerk, refused to the same person as
reviewer (409), approved by a supervisor; the payment event on the topic without the account,
the notice PDF; audited."""

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
    "kind": "funeral",
    "nhi_household_number": "9920000401",
    "subject_addressee_number": "9910000401",
    "event_date": "2026-11-02",
    "funeral_date": "2026-11-05",
    "payee_addressee_number": "9910000402",
    "bank_code": "0001",
    "branch_code": "001",
    "account_type": "ordinary",
    "account_number": "2222222",
    "holder_kana": "コクホ　ジロウ",
}


async def test_a_funeral_benefit_by_two_people(running: Running) -> None:
    applied = await running.client.post(
        "/api/v1/lump-sum-applications", json=BODY, headers=running.headers(CLERK)
    )
    assert applied.status_code == 201, applied.text
    application_id = applied.json()["application_id"]
    assert applied.json()["status"] == "pending"
    url = f"/api/v1/lump-sum-applications/{application_id}"
    same = await running.client.post(
        f"{url}/review",
        json={"approve": True},
        headers=running.headers("benefits.supervisor"),  # U-CLERK again
    )
    assert same.status_code == 409, same.text
    assert same.json()["type"].endswith("same-person-review")
    other = staff_headers(running.key, "U-SUPERVISOR", "benefits.supervisor")
    approved = await running.client.post(f"{url}/review", json={"approve": True}, headers=other)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["amount"], approved.json()["paid"]) == (30_000, 30_000)

    records = await read_topic(running.bootstrap, running.topic, expected=3)
    types = [json.loads(r.value)["type"] for r in records]
    assert contracts.BenefitPaymentOrdered.event_type in types
    assert all(r.key == b"9920000401" for r in records)
    topic = b"".join(r.value for r in records).decode()
    assert "2222222" not in topic
    assert "コクホ" not in topic

    notice = await running.client.get(f"{url}/notice", headers=running.headers(CLERK))
    assert notice.status_code == 200
    assert "葬祭費 支給決定通知書" in text_of(notice.content)
    prescribed = await running.client.post(
        "/api/v1/lump-sum-applications",
        json={
            **BODY,
            "subject_addressee_number": "9910000409",
            "event_date": "2024-01-02",
            "funeral_date": "2024-01-05",
        },
        headers=running.headers(CLERK),
    )
    assert prescribed.status_code == 422
    assert prescribed.json()["type"].endswith("lump-sum-prescribed")
