"""The department feeds eligibility owns (issue 16, ADR 0089), end to end on the real
PostgreSQL and Kafka: a counter change reaches the long-term-care feed (transfer 5), its
current-state companion and the resident-register feed (transfer 13) with exactly the items the
transfer registry allows, keyed by the addressee number; a loss follows in order on the same
key; every entry is listed for the auditor, and for nobody else."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from kokuho.eligibility.commands import feeds_initial_load_command, seed, units_of
from kokuho.eligibility.config import Settings
from kokuho.events.contracts import Envelope, parse_data
from kokuho.events.contracts.eligibility import QualificationAcquired, QualificationLost
from kokuho.events.contracts.feeds import LtcInsuranceEligibility, ResidentRegisterEligibility
from kokuho.events.runtime.feeds import INITIAL_LOAD
from kokuho.events.testing.databases import temporary_database
from kokuho.events.testing.kafka import read_topic
from kokuho.events.transfers import load_registry
from kokuho.platform.database import migrate, migration_files
from kokuho.platform.testing import individual_numbers_in

from .. import builders as b
from ..conftest import MIGRATIONS, find_on_topic

pytestmark = pytest.mark.integration

CLERK = "eligibility.clerk"
Headers = Callable[..., dict[str, str]]
REGISTRY = load_registry()
LTC = REGISTRY.flows["nhi-eligibility-to-ltc-insurance"]
RESIDENT_REGISTER = REGISTRY.flows["nhi-eligibility-to-resident-register"]
MENTAL_HEALTH = REGISTRY.flows["nhi-eligibility-to-mental-health"]


def feed(settings: Settings, topic: str | None) -> str:
    assert topic is not None
    return f"{settings.feed_topic_prefix}{topic}"


async def confirmed(
    client: httpx.AsyncClient, token: Headers, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    entered = await client.post(path, json=body, headers=token("clerk-a", CLERK))
    assert entered.status_code == 201, entered.text
    done = await client.post(
        f"/api/v1/changes/{entered.json()['change_id']}/confirm", headers=token("clerk-b", CLERK)
    )
    assert done.status_code == 200, done.text
    result: dict[str, Any] = done.json()
    return result


async def test_an_acquisition_reaches_the_ltc_feed_with_only_the_allowed_items(
    client: httpx.AsyncClient, token: Headers, eligibility_settings: Settings
) -> None:
    settings = eligibility_settings
    assert settings.feed_topic_prefix  # the test's own feed topics, not the city's
    head, spouse = b.addressee(), b.addressee()
    day = date.today() - timedelta(days=30)
    body = b.move_in(head, fact=day)
    # a householder of 67 (LTC first insured) and a spouse of 45 (LTC second insured)
    body["members"][0]["details"] = b.details(date(day.year - 67, 5, 1))
    body["members"].append(
        b.member(spouse, relationship="spouse", fact=day, birth=date(day.year - 45, 7, 1))
    )
    change = await confirmed(client, token, "/api/v1/households", body)
    household = change["nhi_household_number"]
    acquired = {
        e["data"]["addressee_number"]: e["data"]
        for e in change["events"]
        if e["type"] == QualificationAcquired.event_type
    }
    acquisition = acquired[head]["acquisition_date"]
    bootstrap = settings.kafka_connection()  # its own user reads the feed it writes

    key, value = await find_on_topic(
        bootstrap, feed(settings, LTC.feed_topic), lambda k, v: k == head.encode()
    )
    assert key == head.encode()
    assert value is not None
    envelope = Envelope.model_validate(value)
    assert envelope.type == LtcInsuranceEligibility.event_type == LTC.feed_event_type
    assert envelope.source == "/kokuho/eligibility"
    assert envelope.partitionkey == envelope.subject == head
    # Exactly the registry's items: nothing of the event the registry does not allow (no
    # insured number, card, birth date, reason, relationship, clerk, name or address).
    assert set(envelope.data) == set(LTC.items)
    assert set(envelope.data) == {
        "addressee_number",
        "nhi_household_number",
        "acquisition_date",
        "loss_date",
    }
    assert envelope.data == {
        "addressee_number": head,
        "nhi_household_number": household,
        "acquisition_date": acquisition,
        "loss_date": None,
    }
    assert isinstance(parse_data(envelope.type, envelope.data), LtcInsuranceEligibility)
    assert not individual_numbers_in(str(value))
    source_event_id = envelope.causationid

    # The current-state companion (compacted) holds the same entry under the same key.
    _, state = await find_on_topic(
        bootstrap, feed(settings, LTC.snapshot_topic), lambda k, v: k == head.encode()
    )
    assert state is not None
    assert state["data"] == envelope.data

    # The resident register is allowed fewer items (no household number).
    _, register = await find_on_topic(
        bootstrap, feed(settings, RESIDENT_REGISTER.feed_topic), lambda k, v: k == spouse.encode()
    )
    assert register is not None
    assert register["type"] == ResidentRegisterEligibility.event_type
    assert set(register["data"]) == set(RESIDENT_REGISTER.items)
    assert set(register["data"]) == {"addressee_number", "acquisition_date", "loss_date"}

    # A loss: the person's next entry on the same key, after the first (one partition, in
    # order), with the acquisition kept from the feed's state.
    moved_out = date.today() - timedelta(days=5)
    loss = {
        "addressee_number": spouse,
        "reason": "moved_out",
        "fact_date": moved_out.isoformat(),
        "notification_date": date.today().isoformat(),
        "identity_verification": b.ID,
    }
    lost = await confirmed(client, token, f"/api/v1/households/{household}/losses", loss)
    assert any(e["type"] == QualificationLost.event_type for e in lost["events"])
    ltc_topic = feed(settings, LTC.feed_topic)

    def spouse_entries(records: list[Any]) -> list[dict[str, Any]]:
        return [
            Envelope.from_json_bytes(r.value).data
            for r in records
            if r.key == spouse.encode() and r.value is not None
        ]

    records = await read_topic(
        bootstrap, ltc_topic, until=lambda rs: len(spouse_entries(list(rs))) >= 2, timeout=30
    )
    entries = spouse_entries(list(records))
    assert [e["loss_date"] for e in entries] == [None, (moved_out + timedelta(days=1)).isoformat()]
    assert entries[1]["acquisition_date"] == acquired[spouse]["acquisition_date"]
    assert all(set(e) == set(LTC.items) for e in entries)

    # Every entry is recorded and listed for the auditor: what, to whom, when, on which basis.
    listed = await client.get(
        "/api/v1/feeds/deliveries",
        params={"addressee_number": head},
        headers=token("auditor-1", "auditor"),
    )
    assert listed.status_code == 200, listed.text
    by_flow = {d["flow_id"]: d for d in listed.json()["items"]}
    assert set(by_flow) == {LTC.flow_id, MENTAL_HEALTH.flow_id, RESIDENT_REGISTER.flow_id}
    ltc = by_flow[LTC.flow_id]
    assert ltc["delivery_id"] == str(envelope.id)
    assert ltc["recipient"] == LTC.recipient == "ltc-insurance-division"
    assert ltc["legal_basis"] == LTC.legal_basis
    assert ltc["seed_number"] == 5
    assert ltc["topics"] == [ltc_topic, feed(settings, LTC.snapshot_topic)]
    assert sorted(ltc["items"]) == sorted(LTC.items)
    assert ltc["source_event_type"] == QualificationAcquired.event_type
    assert ltc["source_event_id"] == str(source_event_id)
    assert by_flow[RESIDENT_REGISTER.flow_id]["recipient"] == "ward-administration-division"

    spouse_listed = await client.get(
        "/api/v1/feeds/deliveries",
        params={"addressee_number": spouse, "flow_id": LTC.flow_id},
        headers=token("auditor-1", "auditor"),
    )
    assert [d["source_event_type"] for d in spouse_listed.json()["items"]] == [
        QualificationLost.event_type,
        QualificationAcquired.event_type,
    ]

    # The auditor's reading is itself audited, with whose deliveries were read.
    conn = await asyncpg.connect(settings.database_dsn)
    try:
        read = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE user_id = 'auditor-1'"
            " AND operation LIKE '%feeds/deliveries%' AND $1 = ANY(subject_addressee_numbers)",
            head,
        )
    finally:
        await conn.close()
    assert read == 1

    # Only the auditor; a bad period is a problem, not a 500.
    clerk = await client.get("/api/v1/feeds/deliveries", headers=token("clerk-a", CLERK))
    assert clerk.status_code == 403


async def test_an_erased_person_is_forgotten_by_the_current_state_feeds(
    client: httpx.AsyncClient, token: Headers, eligibility_settings: Settings
) -> None:
    """Erasure (C-95/C-96, whichever path: a supervisors' request or the retention job, both
    through ``persons.erase``): the person's kept feed entries go and each current-state topic
    gets a tombstone for them; the delivery records stay (C-66)."""
    settings = eligibility_settings
    head = b.addressee()
    day = date.today() - timedelta(days=30)
    body = b.move_in(head, fact=day)
    body["members"][0]["details"] = b.details(date(day.year - 50, 5, 1))
    await confirmed(client, token, "/api/v1/households", body)
    bootstrap = settings.kafka_connection()  # its own user reads the feed it writes
    state_topic = feed(settings, LTC.snapshot_topic)
    _, state = await find_on_topic(bootstrap, state_topic, lambda k, v: k == head.encode())
    assert state is not None

    async with units_of(settings) as unit, unit() as uow:
        assert await uow.persons.erase(head, "test: retention ended")

    def tombstoned(records: list[Any]) -> bool:
        return any(r.key == head.encode() and r.value is None for r in records)

    records = await read_topic(
        bootstrap, state_topic, until=lambda rs: tombstoned(list(rs)), timeout=30
    )
    assert tombstoned(list(records))
    conn = await asyncpg.connect(settings.database_dsn)
    try:
        kept = await conn.fetchval(
            "SELECT count(*) FROM feed_states WHERE addressee_number = $1", head
        )
        delivered = await conn.fetchval(
            "SELECT count(*) FROM feed_deliveries WHERE addressee_number = $1", head
        )
    finally:
        await conn.close()
    assert kept == 0
    assert delivered > 0
    bad = await client.get(
        "/api/v1/feeds/deliveries",
        params={"on_or_after": "2026-04-02", "on_or_before": "2026-04-01"},
        headers=token("auditor-1", "auditor"),
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["pointer"] == "/query/on_or_before"


async def test_the_commands_feed_too(pg_admin_dsn: str) -> None:
    """``seed``, ``turning-75`` and the other commands run on units of their own pool: their
    changes reach the feeds like the API's (every insured person of the demo city has an
    entry for the LTC division, with exactly its items, and a delivery record)."""
    async with temporary_database(pg_admin_dsn) as dsn:
        await migrate(dsn, migration_files(MIGRATIONS))
        await seed(Settings(database_dsn=dsn, seed_households=5))
        conn = await asyncpg.connect(dsn)
        try:
            insured = {
                r["addressee_number"]
                for r in await conn.fetch("SELECT addressee_number FROM qualification_periods")
            }
            entries = [
                json.loads(bytes(r["value"]))
                for r in await conn.fetch(
                    "SELECT value FROM outbox WHERE topic = $1", LTC.feed_topic
                )
            ]
            recorded = {
                r["addressee_number"]
                for r in await conn.fetch(
                    "SELECT addressee_number FROM feed_deliveries WHERE flow_id = $1",
                    LTC.flow_id,
                )
            }
        finally:
            await conn.close()
    assert insured
    assert {e["data"]["addressee_number"] for e in entries} == insured == recorded
    assert all(set(e["data"]) == set(LTC.items) for e in entries)


async def test_the_initial_load_feeds_people_insured_before_the_feeds_began(
    pg_admin_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """People insured before a feed began (no entry kept for them) get one entry per feed
    stating their current state, recorded with the load as its source; those with an entry
    are left alone; a dry run writes nothing; a second load writes nothing."""
    async with temporary_database(pg_admin_dsn) as dsn:
        await migrate(dsn, migration_files(MIGRATIONS))
        settings = Settings(database_dsn=dsn, seed_households=6)
        await seed(settings)
        conn = await asyncpg.connect(dsn)
        try:
            insured = await conn.fetch(
                "SELECT addressee_number, nhi_household_number, acquisition_date"
                " FROM qualification_periods WHERE open ORDER BY addressee_number"
            )
            before = {r["addressee_number"]: r for r in insured[::2]}  # every other person
            await conn.execute(
                "DELETE FROM feed_states WHERE addressee_number = ANY($1::text[])", list(before)
            )
            await conn.execute("DELETE FROM outbox")
            flows = await conn.fetchval("SELECT count(DISTINCT flow_id) FROM feed_states")

            async def load(*args: str) -> dict[str, Any]:
                assert await feeds_initial_load_command(settings, list(args)) == 0
                report: dict[str, Any] = json.loads(capsys.readouterr().out)
                return report

            dry = await load("--dry-run")
            assert dry["entries_written"] == len(before) * flows
            assert await conn.fetchval("SELECT count(*) FROM outbox") == 0

            report = await load()
            assert report["insured_people"] == len(insured)
            assert report["entries_written"] == len(before) * flows == dry["entries_written"]
            entries = [
                json.loads(bytes(r["value"]))
                for r in await conn.fetch(
                    "SELECT value FROM outbox WHERE topic = $1", LTC.feed_topic
                )
            ]
            assert {e["data"]["addressee_number"] for e in entries} == set(before)
            for e in entries:
                person = before[e["data"]["addressee_number"]]
                assert e["data"] == {
                    "addressee_number": person["addressee_number"],
                    "nhi_household_number": person["nhi_household_number"],
                    "acquisition_date": person["acquisition_date"].isoformat(),
                    "loss_date": None,
                }
                assert e["causationid"] == report["run_id"]
            recorded = await conn.fetch(
                "SELECT addressee_number, source_event_type FROM feed_deliveries"
                " WHERE source_event_id = $1::uuid",
                report["run_id"],
            )
            assert len(recorded) == report["entries_written"]
            assert {r["addressee_number"] for r in recorded} == set(before)
            assert {r["source_event_type"] for r in recorded} == {INITIAL_LOAD}

            written = await conn.fetchval("SELECT count(*) FROM outbox")
            assert (await load())["entries_written"] == 0
            assert await conn.fetchval("SELECT count(*) FROM outbox") == written
        finally:
            await conn.close()
    assert await feeds_initial_load_command(settings, ["--later"]) == 2
