"""不当利得 / 返納金 end to end on PostgreSQL and Kafka: claims received by API, then eligibility's
``QualificationLost`` with a past loss date (a late notification) published on the test's own
eligibility topic and consumed: a case is detected for the claims after the loss; the clerk
proposes, the same person may not review (409), a supervisor agrees: ``RepaymentClaimed`` on
the topic (no claim numbers), the 納入通知書 PDF; refusals are problems."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest

from kokuho.events.contracts import benefits as contracts
from kokuho.events.contracts.eligibility import QualificationLost
from kokuho.events.testing.kafka import publish, read_topic
from kokuho.events.testing.waiting import eventually
from kokuho.platform.documents.checks import text_of
from kokuho.platform.testing import staff_headers

from ..unit.claims_kit import claims_file, d_line
from .conftest import CLERK, Running

pytestmark = pytest.mark.integration
HOUSEHOLD, PERSON = "9920000401", "9910000401"
BATCH = "batch.operator"


def lost(loss: date) -> QualificationLost:
    return QualificationLost(
        change_id=uuid.uuid4(),
        entered_by="eligibility-clerk-1",
        confirmed_by="eligibility-clerk-2",
        addressee_number=PERSON,
        nhi_household_number=HOUSEHOLD,
        insured_number="12345678",
        loss_date=loss,
        loss_reason="joined_employee_insurance",
        fact_date=loss,
        notification_date=date(2026, 11, 20),
        late_notification=True,
        remains_in_household=False,
    )


async def test_a_late_loss_becomes_a_claimed_repayment_under_four_eyes(running: Running) -> None:
    content = claims_file(
        d_line("RQ0001", HOUSEHOLD, PERSON, cost=100_000, self_pay=30_000, month="2026-07"),
        d_line("RQ0002", HOUSEHOLD, PERSON, cost=40_000, self_pay=12_000, month="2026-08"),
        header="H,KKH-RZP,1,2026-10-20,2026-10",
    )
    r = await running.client.post(
        "/api/v1/claim-imports",
        json={"file_name": "oct.csv", "content": content},
        headers=running.headers(BATCH),
    )
    assert r.status_code == 201, r.text
    await publish(
        running.bootstrap,
        running.eligibility_topic,
        HOUSEHOLD,
        lost(date(2026, 7, 15)),
        source="/kokuho/eligibility",
    )
    cases = await eventually(
        lambda: running.fetch("SELECT repayment_id FROM repayments"), what="the case detected"
    )
    case_id = cases[0]["repayment_id"]
    url = f"/api/v1/repayments/{case_id}"
    case = (await running.client.get(url, headers=running.headers(CLERK))).json()
    assert (case["status"], case["detected_amount"], case["review_month"]) == (
        "detected",
        28_000,  # August only: the loss on 7/15 leaves July for the clerk to check
        "2026-07-01",
    )
    listed = await running.client.get("/api/v1/repayments", headers=running.headers(CLERK))
    assert [c["repayment_id"] for c in listed.json()["repayments"]] == [str(case_id)]

    early = await running.client.get(f"{url}/notice", headers=running.headers(CLERK))
    assert early.status_code == 409
    bad = await running.client.post(
        f"{url}/proposal",
        json={"claim": True, "amount": 99_999_999},
        headers=running.headers(CLERK),
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    proposed = await running.client.post(
        f"{url}/proposal", json={"claim": True}, headers=running.headers(CLERK)
    )
    assert proposed.status_code == 200, proposed.text
    same = staff_headers(running.key, "U-CLERK", "benefits.supervisor")
    refused = await running.client.post(f"{url}/review", json={"agree": True}, headers=same)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("same-person-review")
    clerk_review = await running.client.post(
        f"{url}/review", json={"agree": True}, headers=running.headers(CLERK)
    )
    assert clerk_review.status_code == 403
    other = staff_headers(running.key, "U-SUPERVISOR", "benefits.supervisor")
    claimed = await running.client.post(
        f"{url}/review", json={"agree": True, "due_date": "2026-12-31"}, headers=other
    )
    assert claimed.status_code == 200, claimed.text
    assert (claimed.json()["status"], claimed.json()["amount"]) == ("claimed", 28_000)

    records = await read_topic(running.bootstrap, running.topic, expected=1)
    (event,) = [
        json.loads(r.value)
        for r in records
        if json.loads(r.value)["type"] == contracts.RepaymentClaimed.event_type
    ]
    assert event["data"]["amount"] == 28_000
    assert event["data"]["due_date"] == "2026-12-31"
    assert (event["data"]["proposed_by"], event["data"]["decided_by"]) == (
        "U-CLERK",
        "U-SUPERVISOR",
    )
    assert "RQ0002" not in json.dumps(event)
    pdf = await running.client.get(f"{url}/notice", headers=running.headers(CLERK))
    assert pdf.status_code == 200
    text = text_of(pdf.content)
    assert "返納金納入通知書" in text
    assert "28,000円" in text
    audits = await running.fetch(
        "SELECT count(*) FROM audit_log WHERE $1 = ANY(subject_addressee_numbers)", PERSON
    )
    assert audits[0][0] >= 5  # detection, reads, proposal, review, notice

    # the loss again (a redelivery or a second notice): nothing new
    await publish(
        running.bootstrap,
        running.eligibility_topic,
        HOUSEHOLD,
        lost(date(2026, 7, 15)),
        source="/kokuho/eligibility",
    )
    await eventually(
        lambda: running.fetch("SELECT 1 FROM inbox HAVING count(*) >= 2"),
        what="the second loss consumed",
    )
    after = await running.fetch("SELECT status, version FROM repayments")
    assert [tuple(r) for r in after] == [("claimed", 4)]
