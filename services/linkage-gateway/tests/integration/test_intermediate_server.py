"""Intermediate-server linkage on the real PostgreSQL and Kafka: eligibility events drive
replica registration (C-79) with the integrated addressee number; inquiries against the
permitted list (C-71..C-74) with results deleted after the period (C-77); provisions with
holds (C-80, C-81); reconciliation (C-84)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from kokuho.events.contracts import EventContract
from kokuho.events.contracts.assessment import PremiumAssessed
from kokuho.events.contracts.eligibility import QualificationAcquired, QualificationLost
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import publish as publish_events
from kokuho.linkage_gateway.adapters.jobs import purge_inquiry_results
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber
from kokuho.platform.testing import eventually

pytestmark = pytest.mark.integration

Numbers = Callable[[], IndividualNumber]
OPERATOR = "linkage.operator"
INQUIRER = "linkage.ipn-inquirer"


def addressee() -> str:
    return f"{uuid.uuid4().int % 10**10:010d}"


def provenance() -> dict[str, Any]:
    return {"change_id": uuid.uuid4(), "entered_by": "U-ELIG", "confirmed_by": "U-SUP"}


def acquired(who: str, on: date) -> QualificationAcquired:
    return QualificationAcquired(
        **provenance(),
        addressee_number=who,
        nhi_household_number="5000000001",
        insured_number="12345678",
        card_symbol="広",
        card_number="1234",
        branch_number="01",
        acquisition_date=on,
        acquisition_reason="moved_in",
        fact_date=on,
        notification_date=on,
        late_notification=False,
        birth_date=date(1980, 5, 5),
        relationship="householder",
        householder_addressee_number=who,
    )


def lost(who: str, on: date, reason: str = "moved_out") -> QualificationLost:
    return QualificationLost(
        **provenance(),
        addressee_number=who,
        nhi_household_number="5000000001",
        insured_number="12345678",
        loss_date=on,
        loss_reason=reason,  # type: ignore[arg-type]
        fact_date=on,
        notification_date=on,
        late_notification=False,
        remains_in_household=False,
    )


async def publish(
    bootstrap: KafkaConnection, topic: str, event: EventContract, key: str
) -> uuid.UUID:
    (event_id,) = await publish_events(bootstrap, topic, key, event, source="/kokuho/eligibility")
    return event_id


async def poll(dsn: str, query: str, *args: Any, timeout: float = 30.0) -> list[asyncpg.Record]:
    """Rows of ``query`` once there are any (or [] after the deadline)."""

    async def rows() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn)
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    try:
        return await eventually(rows, timeout, interval=0.1)
    except AssertionError:
        return []


async def bind(gateway, who: str, number: IndividualNumber) -> str:  # type: ignore[no-untyped-def]
    r = await gateway.client.post(
        "/api/v1/individual-numbers",
        json={"addressee_number": who, "individual_number": number.value},
        headers=gateway.headers("eligibility.clerk"),
    )
    assert r.status_code == 201, r.text
    resolved = await gateway.client.get(
        f"/api/v1/persons/{who}/individual-number",
        params={"affair": "nhi-eligibility"},
        headers=gateway.headers(OPERATOR),
    )
    assert resolved.status_code == 200, resolved.text
    return str(resolved.json()["integrated_addressee_number"])


async def test_qualification_acquired_on_kafka_registers_the_replica(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers, kafka: KafkaConnection
) -> None:
    who, number = addressee(), numbers()
    integrated = await bind(gateway, who, number)
    topic = gateway.settings.eligibility_topic
    event_id = await publish(kafka, topic, acquired(who, date(2026, 4, 1)), who)

    dsn = gateway.settings.database_dsn
    rows = await poll(
        dsn,
        "SELECT integrated_addressee_number, item, version, legal_basis_row, source_event_id"
        " FROM replica_registrations WHERE addressee_number = $1",
        who,
    )
    assert len(rows) == 1
    assert rows[0]["integrated_addressee_number"] == integrated
    assert rows[0]["item"] == "nhi-qualification"
    assert rows[0]["source_event_id"] == event_id
    assert "主務省令" in rows[0]["legal_basis_row"]
    sent = gateway.server.received[-1]
    assert sent.integrated_addressee_number == integrated
    assert sent.content == {"insured": True, "acquisition_date": "2026-04-01", "loss_date": None}
    assert number.value not in repr(gateway.server.received)

    # The same event again (redelivery) registers nothing; a loss registers version 2.
    await publish(kafka, topic, acquired(who, date(2026, 4, 1)), who)
    await publish(kafka, topic, lost(who, date(2026, 9, 1)), who)
    rows = await poll(
        dsn,
        "SELECT version FROM replica_registrations WHERE addressee_number = $1 AND version = 2",
        who,
    )
    assert len(rows) == 1
    assert gateway.server.replicas[(integrated, "nhi-qualification")] == {
        "insured": False,
        "acquisition_date": "2026-04-01",
        "loss_date": "2026-09-01",
    }
    conn = await asyncpg.connect(dsn)
    try:
        total = await conn.fetchval(
            "SELECT count(*) FROM replica_registrations WHERE addressee_number = $1", who
        )
    finally:
        await conn.close()
    assert total == 2

    # C-83: staff view the current replica (an auditor may; a clerk may not).
    viewed = await gateway.client.get(
        f"/api/v1/persons/{who}/replicas", headers=gateway.headers("auditor", user="U-VIEW")
    )
    assert viewed.status_code == 200, viewed.text
    [replica] = viewed.json()["items"]
    assert replica["item"] == "nhi-qualification"
    assert replica["content"]["loss_date"] == "2026-09-01"
    assert (replica["version"], replica["registered_version"]) == (2, 2)
    assert replica["integrated_addressee_number"] == integrated
    assert number.value not in viewed.text
    refused = await gateway.client.get(
        f"/api/v1/persons/{who}/replicas", headers=gateway.headers("eligibility.clerk")
    )
    assert refused.status_code == 403

    # C-84: the reconciliation finds nothing, then flags a deliberately altered replica.
    clean = await gateway.client.get(
        "/api/v1/replicas/reconciliation", headers=gateway.headers("auditor")
    )
    assert clean.status_code == 200
    assert clean.json()["differences"] == []
    gateway.server.replicas[(integrated, "nhi-qualification")]["loss_date"] = "2026-10-01"
    flagged = await gateway.client.get(
        "/api/v1/replicas/reconciliation", headers=gateway.headers("auditor")
    )
    [difference] = flagged.json()["differences"]
    assert difference["integrated_addressee_number"] == integrated
    assert difference["kind"] == "content-differs"
    assert difference["original"]["loss_date"] == "2026-09-01"
    conn = await asyncpg.connect(dsn)
    try:
        audited = await conn.fetch(
            "SELECT subject_addressee_numbers AS s FROM audit_log"
            " WHERE operation = 'GET /api/v1/replicas/reconciliation' ORDER BY seq"
        )
    finally:
        await conn.close()
    # the clean run showed no one; the flagged run showed this person's replica
    assert [list(a["s"]) for a in audited] == [[], [who]]


async def test_a_replica_waits_for_the_number_and_goes_out_when_it_is_bound(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers, kafka: KafkaConnection
) -> None:
    who = addressee()
    await publish(kafka, gateway.settings.eligibility_topic, acquired(who, date(2026, 5, 1)), who)
    dsn = gateway.settings.database_dsn
    pending = await poll(
        dsn,
        "SELECT version FROM replicas WHERE addressee_number = $1"
        " AND integrated_addressee_number IS NULL",
        who,
    )
    assert len(pending) == 1
    integrated = await bind(gateway, who, numbers())
    rows = await poll(
        dsn,
        "SELECT integrated_addressee_number FROM replica_registrations WHERE addressee_number = $1",
        who,
    )
    assert [r[0] for r in rows] == [integrated]


async def test_a_death_keeps_the_number_sealed_and_marks_the_person(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers, kafka: KafkaConnection
) -> None:
    who = addressee()
    await bind(gateway, who, numbers())
    await publish(
        kafka,
        gateway.settings.eligibility_topic,
        lost(who, date(2026, 6, 2), reason="death"),
        who,
    )
    rows = await poll(
        gateway.settings.database_dsn,
        "SELECT deceased_at FROM integrated_addressee WHERE addressee_number = $1"
        " AND deceased_at IS NOT NULL",
        who,
    )
    assert len(rows) == 1
    r = await gateway.client.get(
        f"/api/v1/persons/{who}/individual-number",
        params={"affair": "nhi-eligibility"},
        headers=gateway.headers(OPERATOR),
    )
    assert r.status_code == 200
    assert r.json()["deceased"] is True


async def test_inquiries_only_on_the_list_recorded_and_results_deleted_after_the_period(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers
) -> None:
    who = addressee()
    integrated = await bind(gateway, who, numbers())
    gateway.server.provider_data[
        ("health-insurer", "health-insurance-qualification", integrated)
    ] = {
        "insurer": "kyokai-kenpo",
        "qualified": True,
    }
    dsn = gateway.settings.database_dsn

    refused = await gateway.client.post(
        "/api/v1/ipn/inquiries",
        json={
            "addressee_number": who,
            "affair": "nhi-eligibility",
            "provider": "municipal-tax",
            "item": "local-tax-income",
        },
        headers=gateway.headers(INQUIRER, user="U-INQ"),
    )
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("inquiry-not-permitted")
    not_permitted_user = await gateway.client.post(
        "/api/v1/ipn/inquiries",
        json={
            "addressee_number": who,
            "affair": "nhi-eligibility",
            "provider": "health-insurer",
            "item": "health-insurance-qualification",
        },
        headers=gateway.headers(OPERATOR, user="U-NOPERM"),
    )
    assert not_permitted_user.status_code == 403
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM ipn_inquiries") == 0
        denied = await conn.fetch(
            "SELECT user_id, outcome FROM audit_log WHERE operation LIKE 'POST /api/v1/ipn%'"
        )
    finally:
        await conn.close()
    assert sorted((r["user_id"], r["outcome"]) for r in denied) == [
        ("U-INQ", "failed"),
        ("U-NOPERM", "denied"),
    ]

    made = await gateway.client.post(
        "/api/v1/ipn/inquiries",
        json={
            "addressee_number": who,
            "affair": "nhi-eligibility",
            "provider": "health-insurer",
            "item": "health-insurance-qualification",
        },
        headers=gateway.headers(INQUIRER, user="U-INQ"),
    )
    assert made.status_code == 201, made.text
    inquiry = made.json()
    assert inquiry["status"] == "answered"
    assert inquiry["result"] == {"insurer": "kyokai-kenpo", "qualified": True}
    assert inquiry["requested_by"] == "U-INQ"
    assert inquiry["legal_basis_row"]

    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        retention = timedelta(days=gateway.settings.inquiry_result_retention_days)
        assert await purge_inquiry_results(pool, retention=retention) == 0
        later = datetime.now(UTC) + retention + timedelta(minutes=1)
        assert await purge_inquiry_results(pool, retention=retention, now=later) == 1
        async with pool.acquire() as conn:
            recorded = await conn.fetchval(
                "SELECT detail::text FROM audit_log WHERE user_id = $1",
                "system:inquiry-result-retention",
            )
    finally:
        await pool.close()
    assert inquiry["inquiry_id"] in recorded
    after = await gateway.client.get(
        f"/api/v1/ipn/inquiries/{inquiry['inquiry_id']}", headers=gateway.headers("auditor")
    )
    assert after.status_code == 200
    assert after.json()["result"] is None
    assert after.json()["result_deleted_at"] is not None


async def test_provisions_are_recorded_and_flagged_items_held_for_approval(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers
) -> None:
    who = addressee()
    integrated = await bind(gateway, who, numbers())
    connector = gateway.headers("linkage.ipn-connector")

    auto = await gateway.client.post(
        "/api/v1/ipn/provision-requests",
        json={
            "requester": "health-insurer",
            "integrated_addressee_number": integrated,
            "item": "nhi-qualification",
        },
        headers=connector,
    )
    assert auto.status_code == 201, auto.text
    assert auto.json()["status"] == "provided"
    assert auto.json()["addressee_number"] == who

    refused = await gateway.client.post(
        "/api/v1/ipn/provision-requests",
        json={
            "requester": "health-insurer",
            "integrated_addressee_number": integrated,
            "item": "nhi-benefit-detail",
        },
        headers=connector,
    )
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("provision-not-permitted")

    held = await gateway.client.post(
        "/api/v1/ipn/provision-requests",
        json={
            "requester": "welfare-office",
            "integrated_addressee_number": integrated,
            "item": "nhi-benefit-detail",
        },
        headers=connector,
    )
    assert held.json()["status"] == "held"
    assert held.json()["provided_at"] is None
    listing = await gateway.client.get("/api/v1/provisions/held", headers=gateway.headers(OPERATOR))
    assert [p["provision_id"] for p in listing.json()["items"]] == [held.json()["provision_id"]]

    approved = await gateway.client.post(
        f"/api/v1/provisions/{held.json()['provision_id']}/approval",
        headers=gateway.headers(OPERATOR, user="U-APPROVER"),
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == "U-APPROVER"
    again = await gateway.client.post(
        f"/api/v1/provisions/{held.json()['provision_id']}/approval",
        headers=gateway.headers(OPERATOR),
    )
    assert again.status_code == 404

    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        rows = await conn.fetch(
            "SELECT requester, item, legal_basis_row, status FROM provisions"
            " WHERE addressee_number = $1 ORDER BY requested_at",
            who,
        )
    finally:
        await conn.close()
    assert [(r["requester"], r["status"]) for r in rows] == [
        ("health-insurer", "provided"),
        ("welfare-office", "approved"),
    ]
    assert all(r["legal_basis_row"] for r in rows)


async def test_there_is_no_manual_replica_write_route(gateway) -> None:  # type: ignore[no-untyped-def]
    for path in ("/api/v1/replicas", "/api/v1/replicas/registrations"):
        r = await gateway.client.post(path, json={}, headers=gateway.headers(OPERATOR))
        assert r.status_code in (404, 405)
    # C-79 over the whole API: every route that names replicas only reads
    paths = gateway.app.openapi()["paths"]
    replica_routes = {p: set(ops) for p, ops in paths.items() if "replica" in p}
    assert replica_routes  # the viewer and the reconciliation exist
    assert all(methods == {"get"} for methods in replica_routes.values()), replica_routes


def premium(household: str, fiscal_year: int, revision: int, amount: int) -> PremiumAssessed:
    return PremiumAssessed(
        assessment_id=uuid.uuid4(),
        nhi_household_number=household,
        fiscal_year=fiscal_year,
        revision=revision,
        kind="assessment" if revision == 1 else "correction",
        cause="annual_run",
        assessed_on=date(2026, 6, 15),
        annual_amount=amount,
        previous_annual_amount=None,
        difference=0,
        statutory_reduction=0,
        insured_months=12,
        components=[],
        parameter_documents=["national-2026"],
    )


async def test_assessed_premiums_become_the_householders_replica(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers, kafka: KafkaConnection
) -> None:
    head = addressee()
    household = "5000000001"
    integrated = await bind(gateway, head, numbers())
    # The premium may arrive before the household is known: it waits for the householder.
    await publish(
        kafka, gateway.settings.assessment_topic, premium(household, 2026, 1, 98700), head
    )
    await publish(kafka, gateway.settings.eligibility_topic, acquired(head, date(2026, 4, 1)), head)
    dsn = gateway.settings.database_dsn
    rows = await poll(
        dsn,
        "SELECT version FROM replica_registrations WHERE addressee_number = $1 AND item = $2",
        head,
        "nhi-premium",
    )
    assert len(rows) == 1
    assert gateway.server.replicas[(integrated, "nhi-premium")] == {
        "nhi_household_number": household,
        "fiscal_years": {
            "2026": {"annual_amount": 98700, "statutory_reduction": 0, "assessed_on": "2026-06-15"}
        },
    }
    # A correction replaces the year's amount; a late, older revision changes nothing.
    await publish(
        kafka, gateway.settings.assessment_topic, premium(household, 2026, 2, 91000), head
    )
    await publish(
        kafka, gateway.settings.assessment_topic, premium(household, 2026, 1, 98700), head
    )
    rows = await poll(
        dsn,
        "SELECT version FROM replica_registrations WHERE addressee_number = $1 AND item = $2"
        " AND version = 2",
        head,
        "nhi-premium",
    )
    assert len(rows) == 1
    replica = gateway.server.replicas[(integrated, "nhi-premium")]
    assert replica["fiscal_years"]["2026"]["annual_amount"] == 91000


async def test_benefits_asks_another_insurer_about_its_benefits(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers
) -> None:
    """The seed's third use (給付調整): on the list since issue 13, answered and recorded with
    its legal-basis row; the resident-record inquiry the seed never names is refused."""
    who = addressee()
    integrated = await bind(gateway, who, numbers())
    gateway.server.provider_data[("health-insurer", "health-insurance-benefit", integrated)] = {
        "insurer": "kyokai-kenpo",
        "benefits": [{"month": "2026-05", "kind": "high-cost"}],
    }
    made = await gateway.client.post(
        "/api/v1/ipn/inquiries",
        json={
            "addressee_number": who,
            "affair": "nhi-benefits",
            "provider": "health-insurer",
            "item": "health-insurance-benefit",
        },
        headers=gateway.headers(INQUIRER, user="U-BEN"),
    )
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "answered"
    assert made.json()["result"]["insurer"] == "kyokai-kenpo"
    assert "71の項" in made.json()["legal_basis_row"]
    refused = await gateway.client.post(
        "/api/v1/ipn/inquiries",
        json={
            "addressee_number": who,
            "affair": "nhi-eligibility",
            "provider": "resident-record",
            "item": "resident-record",
        },
        headers=gateway.headers(INQUIRER, user="U-BEN"),
    )
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("inquiry-not-permitted")
