"""Transfers (移転) on PostgreSQL: only registered flows, only their items, each recorded and
immutable (C-66..C-68); the drift check (C-69)."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
import pytest

from kokuho.linkage_gateway.domain.individual_number import IndividualNumber

from .test_intermediate_server import addressee, bind

pytestmark = pytest.mark.integration

Numbers = Callable[[], IndividualNumber]


async def test_only_registered_flows_are_delivered_and_each_is_recorded(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers
) -> None:
    who, number = addressee(), numbers()
    integrated = await bind(gateway, who, number)
    headers = gateway.headers("linkage.operator", user="U-XFER")
    body = {
        "flow_id": "nhi-to-municipal-tax-2026",
        "recipient": "municipal-tax-division",
        "method": "platform-linkage",
        "items": ["addressee_number", "integrated_addressee_number"],
        "addressee_numbers": [who],
    }
    ok = await gateway.client.post("/api/v1/transfers", json=body, headers=headers)
    assert ok.status_code == 201, ok.text
    assert ok.json()["subject_count"] == 1
    assert ok.json()["status"] == "delivered"
    assert ok.json()["receipt"].startswith("xfer-")
    delivered = gateway.channel_deliveries()
    assert delivered == [
        (
            "municipal-tax-division",
            "platform-linkage",
            [{"addressee_number": who, "integrated_addressee_number": integrated}],
        )
    ]

    refusals = [
        ({**body, "items": ["addressee_number", "individual_number"]}, "items-not-approved"),
        ({**body, "method": "media"}, "method-not-approved"),
        ({**body, "recipient": "police"}, "transfer-not-registered"),
    ]
    for bad, slug in refusals:
        r = await gateway.client.post("/api/v1/transfers", json=bad, headers=headers)
        assert r.status_code == 422, r.text
        assert r.json()["type"].endswith(slug)
    assert len(gateway.channel_deliveries()) == 1

    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        rows = await conn.fetch("SELECT flow_id, items, subjects, requested_by FROM transfers")
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("DELETE FROM transfers")
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("UPDATE transfers SET recipient = 'police'")
        failed = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE operation = 'POST /api/v1/transfers'"
            " AND outcome = 'failed'"
        )
    finally:
        await conn.close()
    assert [(r["flow_id"], r["subjects"], r["requested_by"]) for r in rows] == [
        ("nhi-to-municipal-tax-2026", [who], "U-XFER")
    ]
    assert failed == 3

    drift = await gateway.client.get("/api/v1/transfers/drift", headers=gateway.headers("auditor"))
    assert drift.status_code == 200
    assert drift.json()["drift"] == []


async def test_a_transfer_is_recorded_before_it_leaves(gateway, numbers: Numbers) -> None:  # type: ignore[no-untyped-def]
    who = addressee()
    await bind(gateway, who, numbers())
    body = {
        "flow_id": "nhi-to-welfare-2026",
        "recipient": "welfare-division",
        "method": "platform-linkage",
        "items": ["addressee_number", "individual_number"],
        "addressee_numbers": [who],
    }
    real = gateway.channel.deliver

    async def line_down(**_: object) -> str:
        raise ConnectionRefusedError("linkage platform down")

    gateway.channel.deliver = line_down
    down = await gateway.client.post(
        "/api/v1/transfers", json=body, headers=gateway.headers("linkage.operator")
    )
    assert down.status_code == 503
    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        attempts = await conn.fetch("SELECT status, receipt FROM transfers")
    finally:
        await conn.close()
    assert [(r["status"], r["receipt"]) for r in attempts] == [("prepared", None)]

    gateway.channel.deliver = real
    ok = await gateway.client.post(
        "/api/v1/transfers", json=body, headers=gateway.headers("linkage.operator")
    )
    assert ok.status_code == 201
    [(recipient, method, payload)] = gateway.channel_deliveries()
    assert (recipient, method) == ("welfare-division", "platform-linkage")
    assert sorted(payload[0]) == ["addressee_number", "individual_number"]
    logs = "\n".join(gateway.logs.lines)
    assert payload[0]["individual_number"] not in logs
