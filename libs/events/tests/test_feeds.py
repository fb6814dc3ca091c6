"""Department feeds (ADR 0089): the registry's feed rows and their rules, the pure entry
(exactly the registry's items), and the feeding event store on PostgreSQL (entries through the
outbox with their delivery records, in the change's transaction)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from pydantic import ValidationError

from kokuho.events.contracts import EventContract
from kokuho.events.contracts.feeds import LtcInsuranceEligibility
from kokuho.events.individual_numbers import check_digit
from kokuho.events.ports import IndividualNumberInEvent, StreamAppend
from kokuho.events.runtime.feeds import (
    Facts,
    FeedingEventStore,
    PostgresFeedDeliveries,
    entry_of,
    feed_topic_specs,
    feeds_of,
    merged,
)
from kokuho.events.testing.sample import SampleRecorded
from kokuho.events.transfers import (
    REGISTRY_FILE,
    FlowMalformed,
    RegistryFileError,
    checked_flow,
    load_registry,
)

REGISTRY = load_registry()
LTC = REGISTRY.flows["nhi-eligibility-to-ltc-insurance"]
SOURCE = "/kokuho/eligibility"

#: a synthetic individual number, its check digit computed here (never a real one)
SYNTHETIC_NUMBER = "12345678901" + str(check_digit("12345678901"))


def test_the_event_feeds_are_transfers_5_10_13_of_eligibility_on_their_own_topics() -> None:
    feeds = feeds_of(REGISTRY, "eligibility")
    assert [f.flow.seed_number for f in feeds] == [5, 10, 13]
    assert feeds_of(REGISTRY, "benefits") == ()
    assert [f.topic for f in feeds] == [
        "kokuho.feeds.ltc-insurance.eligibility",
        "kokuho.feeds.mental-health.eligibility",
        "kokuho.feeds.resident-register.eligibility",
    ]
    assert [f.snapshot_topic for f in feeds] == [
        "kokuho.feeds.ltc-insurance.eligibility-state",
        None,
        "kokuho.feeds.resident-register.eligibility-state",
    ]
    for feed in feeds:
        assert set(feed.contract.model_fields) == feed.flow.items
        assert "individual_number" not in feed.flow.items
    specs = feed_topic_specs(feeds)
    assert [(s.name, s.compacted) for s in specs if s.name.endswith("-state")] == [
        ("kokuho.feeds.ltc-insurance.eligibility-state", True),
        ("kokuho.feeds.resident-register.eligibility-state", True),
    ]
    prefixed = feeds_of(REGISTRY, "eligibility", topic_prefix="test.x.")
    assert prefixed[0].topic == "test.x.kokuho.feeds.ltc-insurance.eligibility"


def test_feed_rows_break_no_rule() -> None:
    with pytest.raises(FlowMalformed, match="feed_topic"):
        checked_flow(replace(LTC, feed_topic=None))
    with pytest.raises(FlowMalformed, match="outside"):
        checked_flow(replace(LTC, feed_topic="kokuho.eligibility.events"))
    with pytest.raises(FlowMalformed, match="second topic"):
        checked_flow(replace(LTC, snapshot_topic=LTC.feed_topic))
    with pytest.raises(FlowMalformed, match="keyed by the addressee number"):
        checked_flow(replace(LTC, items=LTC.items - {"addressee_number"}))
    manual = REGISTRY.flows["nhi-high-cost-ltc-to-ltc-insurance"]
    with pytest.raises(FlowMalformed, match="only an approved event feed"):
        checked_flow(replace(manual, feed_topic="kokuho.feeds.ltc-insurance.x"))


def _registry_with(tmp_path: Path, old: str, new: str) -> Path:
    text = REGISTRY_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "flows.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_feed_whose_contract_carries_more_than_its_items_stops_the_loader(
    tmp_path: Path,
) -> None:
    # transfer 13's row allowing fewer items than the LTC contract it would name
    bad = _registry_with(
        tmp_path,
        'feed_event_type = "jp.kokuho.feeds.resident_register_eligibility.v1"',
        'feed_event_type = "jp.kokuho.feeds.ltc_insurance_eligibility.v1"',
    )
    with pytest.raises(RegistryFileError, match="the registry allows"):
        load_registry(bad)
    twice = _registry_with(
        tmp_path,
        'feed_topic = "kokuho.feeds.mental-health.eligibility"',
        'feed_topic = "kokuho.feeds.ltc-insurance.eligibility"',
    )
    with pytest.raises(RegistryFileError, match="two feeds"):
        load_registry(twice)
    unknown = _registry_with(
        tmp_path,
        'feed_event_type = "jp.kokuho.feeds.mental_health_eligibility.v1"',
        'feed_event_type = "jp.kokuho.feeds.no_such_feed.v1"',
    )
    with pytest.raises(RegistryFileError):
        load_registry(unknown)


def test_an_entry_carries_exactly_the_registry_items() -> None:
    ltc, _, register = feeds_of(REGISTRY, "eligibility")
    facts = Facts(
        "1500000001",
        {
            "nhi_household_number": "2000000001",
            "acquisition_date": date(2026, 4, 1),
            "loss_date": None,
            "birth_date": date(1958, 5, 1),  # the service knows more than any feed may carry
            "insured_number": "30000001",
        },
    )
    state = merged(ltc, None, facts)
    assert set(state) == set(ltc.flow.items)  # even the kept state holds nothing else
    assert entry_of(ltc, state) == {
        "addressee_number": "1500000001",
        "nhi_household_number": "2000000001",
        "acquisition_date": "2026-04-01",
        "loss_date": None,
    }
    assert set(entry_of(register, merged(register, None, facts))) == {
        "addressee_number",
        "acquisition_date",
        "loss_date",
    }
    # a loss keeps the acquisition already known
    later = merged(ltc, state, Facts("1500000001", {"loss_date": date(2026, 9, 2)}))
    assert entry_of(ltc, later)["acquisition_date"] == "2026-04-01"
    assert entry_of(ltc, later)["loss_date"] == "2026-09-02"
    # an entry the contract refuses (no household) never leaves
    with pytest.raises(ValidationError):
        entry_of(ltc, {"addressee_number": "1500000001"})


def _ltc_facts(event: EventContract) -> list[Facts]:
    """A test projection: a sample event's ``note`` is read as an addressee number."""
    assert isinstance(event, SampleRecorded)
    return [
        Facts(
            event.note,
            {
                "nhi_household_number": "2000000001",
                "acquisition_date": date(2026, 4, 1),
                "loss_date": None,
                "secret": "never on a feed",
            },
        )
    ]


def _sample(addressee: str) -> SampleRecorded:
    return SampleRecorded(n=1, note=addressee)


async def _outbox(conn: asyncpg.Connection) -> list[dict[str, Any]]:
    rows = await conn.fetch("SELECT topic, key, value FROM outbox WHERE value IS NOT NULL")
    return [
        {"topic": r["topic"], "key": r["key"], "value": json.loads(bytes(r["value"]))} for r in rows
    ]


@pytest.mark.integration
async def test_the_feeding_store_puts_entries_and_records_in_the_change_transaction(
    events_db: str,
) -> None:
    feeds = feeds_of(REGISTRY, "eligibility", topic_prefix="t.")
    conn = await asyncpg.connect(events_db)
    try:
        store = FeedingEventStore(conn, source=SOURCE, feeds=feeds, project=_ltc_facts)
        async with conn.transaction():
            await store.append_batch(
                [
                    StreamAppend("s-1", 0, [_sample("1500000001")], "t.events", "h"),
                    # a private event (no topic) feeds nothing
                    StreamAppend("s-2", 0, [_sample("1500000002")], None, "h"),
                ]
            )
        on_feeds = [m for m in await _outbox(conn) if m["topic"].startswith("t.kokuho.feeds.")]
        # 5 and 10 and 13, the companions of 5 and 13: one person only
        assert {m["key"] for m in on_feeds} == {"1500000001"}
        assert sorted(m["topic"] for m in on_feeds) == sorted(
            t for feed in feeds for t in feed.topics
        )
        ltc = next(m for m in on_feeds if m["topic"] == "t.kokuho.feeds.ltc-insurance.eligibility")
        assert ltc["value"]["type"] == LtcInsuranceEligibility.event_type
        assert set(ltc["value"]["data"]) == set(LTC.items)
        assert "secret" not in json.dumps([m["value"] for m in on_feeds])

        listed = await PostgresFeedDeliveries(conn).listed(10)
        assert sorted(d.seed_number for d in listed) == [5, 10, 13]
        record = next(d for d in listed if d.seed_number == 5)
        assert str(record.delivery_id) == ltc["value"]["id"]
        assert (record.recipient, record.legal_basis) == (LTC.recipient, LTC.legal_basis)
        assert record.source_event_type == SampleRecorded.event_type
        assert await PostgresFeedDeliveries(conn).listed(10, addressee_number="1500000002") == []

        # a change that fails takes its entries and records with it
        async def failing_change() -> None:
            async with conn.transaction():
                await store.append_batch(
                    [StreamAppend("s-3", 0, [_sample("1500000003")], "t.events", "h")]
                )
                await store.append_batch(
                    [StreamAppend("s-4", 0, [_sample(SYNTHETIC_NUMBER)], "t.events", "h")]
                )

        with pytest.raises(IndividualNumberInEvent):
            await failing_change()
        assert await PostgresFeedDeliveries(conn).listed(10, addressee_number="1500000003") == []
        # the records are append-only
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("UPDATE feed_deliveries SET recipient = 'someone-else'")
    finally:
        await conn.close()


@pytest.mark.integration
async def test_forgetting_a_person_tombstones_the_snapshots_and_keeps_the_records(
    events_db: str,
) -> None:
    feeds = feeds_of(REGISTRY, "eligibility", topic_prefix="t.")
    conn = await asyncpg.connect(events_db)
    try:
        store = FeedingEventStore(conn, source=SOURCE, feeds=feeds, project=_ltc_facts)
        async with conn.transaction():
            await store.append_batch(
                [StreamAppend("s-1", 0, [_sample("1500000001")], "t.events", "h")]
            )
        async with conn.transaction():
            assert await store.forget(["1500000001"]) == 3  # its entry of 5, 10 and 13
        tombstones = await conn.fetch(
            "SELECT topic, key FROM outbox WHERE value IS NULL AND event_id IS NULL"
        )
        assert sorted((r["topic"], r["key"]) for r in tombstones) == [
            ("t.kokuho.feeds.ltc-insurance.eligibility-state", "1500000001"),
            ("t.kokuho.feeds.resident-register.eligibility-state", "1500000001"),
        ]
        assert await conn.fetchval("SELECT count(*) FROM feed_states") == 0
        assert len(await PostgresFeedDeliveries(conn).listed(10)) == 3  # C-66: kept
    finally:
        await conn.close()
