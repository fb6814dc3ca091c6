"""Resolving the work list over the API on the real PostgreSQL and Kafka: an unmatched bank
line assigned under four eyes becomes a PaymentReceived of the household (once); an
over-payment refunded is appropriated and gets its notice; a slip closed at once; refusals
(roles, the same person, an action the kind does not take, a second resolution) change
nothing; every step audited."""

from __future__ import annotations

from typing import Any

import pytest

from kokuho.events.contracts import collection as contracts

from .conftest import FY, Running
from .test_collection_journeys import (
    CLERK,
    SUPERVISOR,
    balance,
    charged,
    import_file,
    payment_file,
)

pytestmark = pytest.mark.integration

H1, STRANGER = "9950000021", "9950000029"


async def open_items(running: Running) -> dict[str, dict[str, Any]]:
    response = await running.client.get("/api/v1/work-items", headers=running.headers(CLERK))
    assert response.status_code == 200, response.text
    return {i["kind"]: i for i in response.json()["items"]}


async def counts(running: Running) -> tuple[int, ...]:
    return (
        await running.fetchval("SELECT count(*) FROM events"),
        await running.fetchval("SELECT count(*) FROM work_item_resolutions"),
        await running.fetchval("SELECT count(*) FROM work_items WHERE resolved"),
        await running.fetchval("SELECT count(*) FROM documents"),
    )


async def test_work_items_are_resolved_under_four_eyes_once(running: Running) -> None:
    await running.assess(H1, [10_000] * 10)
    await charged(running, H1)
    text = payment_file((STRANGER, 1, 10_000, "W1"), (H1, 1, 13_000, "W2"))
    assert (await import_file(running, text)).status_code == 201
    items = await open_items(running)
    assert set(items) == {"unmatched", "over-payment"}
    unmatched, over = items["unmatched"], items["over-payment"]
    assert (unmatched["channel"], unmatched["paid_on"]) == ("bank", "2026-11-30")
    base = f"/api/v1/work-items/{unmatched['item_id']}/resolutions"

    before = await counts(running)
    refused = [
        await running.client.post(  # an auditor does not resolve
            base,
            json={"action": "close", "reason": "x"},
            headers=running.headers("auditor"),
        ),
        await running.client.post(  # an over-payment is held already: not assigned
            f"/api/v1/work-items/{over['item_id']}/resolutions",
            json={"action": "assign", "reason": "x", "household": H1},
            headers=running.headers(CLERK),
        ),
        await running.client.post(  # an assignment names its household
            base, json={"action": "assign", "reason": "x"}, headers=running.headers(CLERK)
        ),
        await running.client.post(
            base,
            json={"action": "assign", "reason": "x", "household": "12"},
            headers=running.headers(CLERK),
        ),
    ]
    assert [r.status_code for r in refused] == [403, 422, 422, 422]
    assert refused[1].json()["type"] == "urn:kokuho:problem:action-not-allowed"
    assert refused[3].headers["content-type"].startswith("application/problem+json")
    assert await counts(running) == before

    entered = await running.client.post(
        base,
        json={
            "action": "assign",
            "reason": "納付書の世帯番号誤り: 世帯主に確認",
            "household": H1,
            "fiscal_year": FY,
            "period": 2,
        },
        headers=running.headers(CLERK, user="Sato"),
    )
    assert entered.status_code == 201, entered.text
    assert entered.json()["status"] == "pending"
    resolution = entered.json()["resolution_id"]
    second = await running.client.post(
        base, json={"action": "close", "reason": "x"}, headers=running.headers(CLERK)
    )
    assert (second.status_code, second.json()["type"]) == (
        409,
        "urn:kokuho:problem:resolution-pending",
    )
    confirm = f"{base}/{resolution}/confirmation"
    own = await running.client.post(confirm, headers=running.headers(SUPERVISOR, user="sato"))
    assert (own.status_code, own.json()["type"]) == (
        403,
        "urn:kokuho:problem:same-staff-confirming",
    )
    clerk = await running.client.post(confirm, headers=running.headers(CLERK, user="Suzuki"))
    assert clerk.status_code == 403
    paid_before = (await balance(running, H1))["instalments"][1]["paid"]
    assert paid_before == 0  # W2's 3,000 over instalment 1 is held, not paid
    done = await running.client.post(confirm, headers=running.headers(SUPERVISOR, user="Tanaka"))
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["decided_by"]) == ("confirmed", "Tanaka")
    assert (await balance(running, H1))["instalments"][1]["paid"] == 10_000
    payments = await running.published(contracts.PaymentReceived.event_type, 2)
    assigned = [p for p in payments if p["data"]["reference"] == "W1"]
    assert [(p["key"], p["data"]["period"], p["data"]["amount"]) for p in assigned] == [
        (H1, 2, 10_000)
    ]
    again = await running.client.post(confirm, headers=running.headers(SUPERVISOR, user="Ito"))
    assert (again.status_code, again.json()["type"]) == (
        409,
        "urn:kokuho:problem:resolution-not-pending",
    )
    detail = await running.client.get(
        f"/api/v1/work-items/{unmatched['item_id']}", headers=running.headers("auditor")
    )
    assert detail.status_code == 200, detail.text
    assert detail.json()["item"]["resolved"] is True
    assert [(r["status"], r["entered_by"]) for r in detail.json()["resolutions"]] == [
        ("confirmed", "Sato")
    ]

    refund = await running.client.post(
        f"/api/v1/work-items/{over['item_id']}/resolutions",
        json={"action": "refund", "reason": "世帯主の申出"},
        headers=running.headers(CLERK, user="Sato"),
    )
    assert refund.status_code == 201, refund.text
    refunded = await running.client.post(
        f"/api/v1/work-items/{over['item_id']}/resolutions/{refund.json()['resolution_id']}"
        "/confirmation",
        headers=running.headers(SUPERVISOR, user="Tanaka"),
    )
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["outcome"].startswith("refund notice ")
    # 3,000 held: appropriated to instalment 3 (overdue on 1 December), nothing left to refund
    appropriated = await running.published(contracts.Appropriated.event_type, 1)
    assert [a["amount"] for a in appropriated[0]["data"]["principal"]] == [3_000]
    assert (await balance(running, H1))["refundable"] == 0
    assert await open_items(running) == {}
    audited = await running.fetchval(
        "SELECT count(*) FROM audit_log WHERE operation LIKE '%work-items%'"
    )
    assert audited >= 6
