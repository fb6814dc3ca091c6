"""Transfers (移転) on PostgreSQL and Kafka, over the seed's registry (issue 16): a manual
hand-over only for its flow, medium and items, recorded before it leaves and immutable
(C-66..C-68); collection's yearly tax file (移転 1, ``TaxDeductionTransferred``) delivered
with only the registry's items and every delivery listed for the auditor; a transfer outside
the registry blocked and logged; the drift check (C-69)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import asyncpg
import pytest

from kokuho.events.contracts.collection import TaxDeductionTransferred, TransferredPayment
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import publish as publish_events
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber

from .test_intermediate_server import addressee, poll

pytestmark = pytest.mark.integration

Numbers = Callable[[], IndividualNumber]
IMMUNIZATION = {
    "flow_id": "nhi-benefits-to-health-promotion-immunization",
    "recipient": "health-promotion-division",
    "method": "flash-memory",
    "items": ["addressee_number", "benefit_amount"],
}
TAX = "nhi-premiums-paid-to-municipal-tax"


async def test_a_manual_handover_only_for_its_flow_medium_and_items_each_recorded(  # type: ignore[no-untyped-def]
    gateway,
) -> None:
    who = addressee()
    headers = gateway.headers("linkage.operator", user="U-XFER")
    body = {**IMMUNIZATION, "addressee_numbers": [who]}
    ok = await gateway.client.post("/api/v1/transfers", json=body, headers=headers)
    assert ok.status_code == 201, ok.text
    assert ok.json()["subject_count"] == 1
    assert ok.json()["status"] == "delivered"
    assert ok.json()["receipt"].startswith("xfer-")
    assert gateway.channel_deliveries() == [
        (
            "health-promotion-division",
            "flash-memory",
            [{"addressee_number": who, "items": "addressee_number benefit_amount"}],
        )
    ]

    feed = {
        "flow_id": "nhi-eligibility-to-ltc-insurance",
        "recipient": "ltc-insurance-division",
        "method": "platform-linkage",
        "items": ["addressee_number"],
    }
    refusals = [
        ({**body, "items": ["addressee_number", "individual_number"]}, "items-not-approved"),
        ({**body, "method": "paper"}, "method-not-approved"),
        ({**body, "recipient": "police"}, "transfer-not-registered"),
        ({**body, **feed}, "not-a-manual-handover"),  # transfer 5 goes by its feed
        (  # transfer 3 is missing from the source
            {**body, "flow_id": "seed-transfer-3", "recipient": "unknown"},
            "transfer-not-registered",
        ),
        (  # transfer 7: the source leaves the method out
            {
                **body,
                "flow_id": "nhi-eligibility-to-disability-welfare",
                "recipient": "independence-support-division",
                "method": "platform-linkage",
                "items": ["addressee_number"],
            },
            "transfer-not-registered",
        ),
    ]
    for bad, slug in refusals:
        r = await gateway.client.post("/api/v1/transfers", json=bad, headers=headers)
        assert r.status_code == 422, r.text
        assert r.json()["type"].endswith(slug), (bad, r.text)
    assert len(gateway.channel_deliveries()) == 1

    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        rows = await conn.fetch(
            "SELECT flow_id, items, subjects, requested_by, channel FROM transfers"
        )
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
    assert [(r["flow_id"], r["subjects"], r["requested_by"], r["channel"]) for r in rows] == [
        (IMMUNIZATION["flow_id"], [who], "U-XFER", "manual-handover")
    ]
    assert failed == len(refusals)

    drift = await gateway.client.get("/api/v1/transfers/drift", headers=gateway.headers("auditor"))
    assert drift.status_code == 200
    assert drift.json()["drift"] == []


async def test_a_handover_is_recorded_before_it_leaves(gateway) -> None:  # type: ignore[no-untyped-def]
    body = {**IMMUNIZATION, "addressee_numbers": [addressee()]}
    real = gateway.channel.deliver

    async def line_down(**_: object) -> str:
        raise ConnectionRefusedError("media process down")

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
    [(recipient, method, _)] = gateway.channel_deliveries()
    assert (recipient, method) == ("health-promotion-division", "flash-memory")


def tax_part(part: int, households: list[str], **changed: object) -> TaxDeductionTransferred:
    fields: dict[str, object] = {
        "transfer_id": "tax-transfer-2025-abc",
        "flow_id": TAX,
        "recipient": "municipal-tax-division",
        "legal_basis": "番号法 第9条第2項 / 市条例 第3条",
        "method": "platform-linkage",
        "calendar_year": 2025,
        "part": part,
        "parts": 2,
        "lines": [
            TransferredPayment(nhi_household_number=h, amount=120_000, pension_deducted=40_000)
            for h in households
        ],
        "effective_on": date(2026, 1, 15),
        **changed,
    }
    return TaxDeductionTransferred(**fields)  # type: ignore[arg-type]


async def test_collections_yearly_tax_file_is_delivered_with_its_items_and_listed(  # type: ignore[no-untyped-def]
    gateway, kafka: KafkaConnection
) -> None:
    topic = gateway.settings.collection_topic
    assert topic
    first, second = [addressee() for _ in range(2)], [addressee()]
    await publish_events(
        kafka,
        topic,
        "tax-transfer-2025-abc",
        tax_part(1, first),
        source="/kokuho/collection",
    )
    await publish_events(
        kafka,
        topic,
        "tax-transfer-2025-abc",
        tax_part(2, second),
        source="/kokuho/collection",
    )
    dsn = gateway.settings.database_dsn
    rows = await poll(dsn, "SELECT 1 FROM (SELECT count(*) AS n FROM transfers) c WHERE n = 2")
    assert rows, "both parts delivered and recorded"

    delivered = gateway.channel_deliveries()
    assert [(r, m) for r, m, _ in delivered] == [("municipal-tax-division", "platform-linkage")] * 2
    lines = [line for _, _, payload in delivered for line in payload]
    assert sorted(line["nhi_household_number"] for line in lines) == sorted(first + second)
    assert {frozenset(line) for line in lines} == {
        frozenset({"calendar_year", "nhi_household_number", "amount", "pension_deducted"})
    }

    listing = await gateway.client.get(
        "/api/v1/transfers", params={"flow_id": TAX}, headers=gateway.headers("auditor")
    )
    assert listing.status_code == 200, listing.text
    items = listing.json()["items"]
    assert len(items) == 2
    for item in items:
        assert item["recipient"] == "municipal-tax-division"  # to whom
        assert item["legal_basis"] == "番号法 第9条第2項 / 市条例 第3条"  # basis
        assert item["channel"] == "yearly-file"
        assert item["requested_by"] == "system:transfer-feed"  # by whom
        assert item["source"] == "/kokuho/collection"
        assert item["status"] == "delivered"
        assert item["delivered_at"]  # when
        assert item["subject_kind"] == "nhi_household_number"
        assert item["detail"]["calendar_year"] == 2025
        assert item["detail"]["seed_transfer"] == 1
    assert sorted(item["detail"]["part"] for item in items) == [1, 2]
    assert sorted(s for item in items for s in item["subjects"]) == sorted(first + second)
    other = await gateway.client.get(
        "/api/v1/transfers", params={"flow_id": "nope"}, headers=gateway.headers("auditor")
    )
    assert other.json()["items"] == []
    clerk = await gateway.client.get("/api/v1/transfers", headers=gateway.headers("batch.operator"))
    assert clerk.status_code == 403
    conn = await asyncpg.connect(dsn)
    try:
        audited = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE user_id = 'system:transfer-feed'"
        )
    finally:
        await conn.close()
    assert audited == 2  # each delivery on the audit trail, as the feed


async def test_a_yearly_file_outside_the_registry_is_blocked_and_logged(  # type: ignore[no-untyped-def]
    gateway, kafka: KafkaConnection
) -> None:
    topic = gateway.settings.collection_topic
    assert topic
    blocked = tax_part(1, [addressee()], recipient="police")
    await publish_events(kafka, topic, "x", blocked, source="/kokuho/collection")
    dsn = gateway.settings.database_dsn
    audited = await poll(
        dsn, "SELECT detail FROM audit_log WHERE detail::text LIKE '%transfer-not-registered%'"
    )
    assert audited
    assert "C-67 alert: a transfer outside the registry was blocked" in gateway.logs.lines
    assert gateway.channel_deliveries() == []
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM transfers") == 0
    finally:
        await conn.close()


async def test_the_registry_lists_every_transfer_of_the_source(gateway) -> None:  # type: ignore[no-untyped-def]
    r = await gateway.client.get("/api/v1/transfers/registry", headers=gateway.headers("auditor"))
    assert r.status_code == 200, r.text
    flows = r.json()["flows"]
    assert [f["seed_number"] for f in flows] == list(range(1, 14))
    assert [f["seed_number"] for f in flows if f["status"] == "unknown"] == [3, 4, 8, 9]
    tax = flows[0]
    assert (tax["flow_id"], tax["channel"], tax["owning_service"]) == (
        TAX,
        "yearly-file",
        "collection",
    )
    # the event feeds name the topic made for their recipient (ADR 0089); nothing else does
    feeds = {f["seed_number"]: f for f in flows if f["feed_topic"]}
    assert sorted(feeds) == [5, 10, 13]
    assert feeds[5]["feed_topic"] == "kokuho.feeds.ltc-insurance.eligibility"
    assert feeds[5]["snapshot_topic"] == "kokuho.feeds.ltc-insurance.eligibility-state"
    assert feeds[5]["feed_event_type"] == "jp.kokuho.feeds.ltc_insurance_eligibility.v1"
    assert tax["feed_topic"] is None
