"""What the suite checks once the load and the faults are over: the eligibility topic against
the acknowledged commands (set equality by change and event id), order per key, assessment's
read model against the events, eligibility's changes against the acknowledged entries, and
deterministic dumps of read models (live against replayed)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from kokuho.events.runtime.connection import KafkaConnection
from tests.faults.load import Acked

PREFIX = "jp.kokuho.eligibility."
#: the events a confirmed change of each kind publishes: (event type, whose)
#: the events that name one person (the others are the household's)
PERSONAL = {"qualification_acquired.v1", "qualification_lost.v1"}
COMPOSITION = ("household_composition_changed.v1", None)
EXPECTED = {
    "register": [
        ("household_registered.v1", None),
        ("qualification_acquired.v1", "person"),
        COMPOSITION,
    ],
    "acquire": [("qualification_acquired.v1", "person"), COMPOSITION],
    "lose": [("qualification_lost.v1", "person"), COMPOSITION],
}
#: the eventing runtime's and platform's own tables: not read models
PLATFORM_TABLES = {
    "events",
    "outbox",
    "inbox",
    "personal_payloads",
    "feed_states",
    "feed_deliveries",
    "idempotency_keys",
    "schema_migrations",
}
#: columns that record when a row was written (``now()``), not what the events said
WALL_CLOCK_COLUMNS = {"updated_at"}


@dataclass
class Message:
    partition: int
    offset: int
    key: str
    event_id: str
    type: str
    sequence: int | None
    data: dict[str, Any]


async def read_topic(connection: KafkaConnection, topic: str) -> list[Message]:
    consumer = AIOKafkaConsumer(**connection.client_options(), enable_auto_commit=False)
    await consumer.start()
    try:
        parts = await partitions(connection, [topic])
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        out: list[Message] = []
        while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for tp, records in batch.items():
                for r in records:
                    envelope = json.loads(r.value)
                    seq = envelope.get("sequence")
                    out.append(
                        Message(
                            tp.partition,
                            r.offset,
                            (r.key or b"").decode(),
                            envelope["id"],
                            envelope["type"],
                            int(seq) if seq is not None else None,
                            envelope["data"],
                        )
                    )
        return out
    finally:
        await consumer.stop()


async def partitions(connection: KafkaConnection, topics: list[str]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(**connection.client_options())
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    parts = [TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]]
    if {tp.topic for tp in parts} != set(topics):
        raise RuntimeError(f"not every topic of {topics} has partitions: {described}")
    return sorted(parts)


async def lag(connection: KafkaConnection, group: str, topics: list[str]) -> int:
    """Messages on ``topics`` that ``group`` has not committed yet (a group that has committed
    nothing counts everything)."""
    admin = AIOKafkaAdminClient(**connection.client_options())
    consumer = AIOKafkaConsumer(**connection.client_options())
    await admin.start()
    await consumer.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
        parts = await partitions(connection, topics)
        ends = await consumer.end_offsets(parts)
        return sum(
            end - (committed[tp].offset if tp in committed and committed[tp].offset >= 0 else 0)
            for tp, end in ends.items()
        )
    finally:
        await consumer.stop()
        await admin.close()


@dataclass
class TopicCheck:
    expected: int = 0
    found: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    redelivered: int = 0  # the same event id on the topic again (the relay's at-least-once)
    out_of_order: list[str] = field(default_factory=list)


def check_topic(acked: list[Acked], messages: list[Message]) -> TopicCheck:
    """Every confirmed change's events exactly once (distinct event ids per (change, type,
    person)), nothing else, and per key the aggregate's sequence increasing, on one partition."""
    expected: set[tuple[str, str, str | None]] = set()
    for a in acked:
        if a.kind.startswith("confirm-"):
            for kind, whose in EXPECTED[a.kind.removeprefix("confirm-")]:
                expected.add((a.change_id, kind, a.person if whose else None))
    firsts: dict[str, Message] = {}
    seen_ids: set[str] = set()
    by_effect: dict[tuple[str, str, str | None], set[str]] = defaultdict(set)
    result = TopicCheck(expected=len(expected))
    for m in sorted(messages, key=lambda m: (m.partition, m.offset)):
        if m.event_id in seen_ids:
            result.redelivered += 1
            continue
        seen_ids.add(m.event_id)
        firsts[m.event_id] = m
        kind = m.type.removeprefix(PREFIX)
        whose = m.data.get("addressee_number") if kind in PERSONAL else None
        by_effect[(str(m.data.get("change_id")), kind, whose)].add(m.event_id)
    found = set(by_effect)
    result.found = len(found & expected)
    result.lost = sorted(str(e) for e in expected - found)
    result.unexpected = sorted(str(e) for e in found - expected)
    result.duplicated = sorted(str(e) for e, ids in by_effect.items() if len(ids) > 1)
    last: dict[str, tuple[int, int]] = {}
    for m in sorted(firsts.values(), key=lambda m: (m.partition, m.offset)):
        if m.sequence is None:
            continue
        before = last.get(m.key)
        if before is not None and (before[0] != m.partition or before[1] >= m.sequence):
            result.out_of_order.append(
                f"key {m.key}: sequence {m.sequence} (partition {m.partition}, offset {m.offset})"
                f" after {before[1]} (partition {before[0]})"
            )
        last[m.key] = (m.partition, m.sequence)
    return result


def expected_members(acked: list[Acked], messages: list[Message]) -> set[tuple[Any, ...]]:
    """assessment's rows the acknowledged changes must leave: one ``households`` row per
    registered household with its householder, one ``household_members`` row per person with
    the dates their events carry."""
    confirmed = {a.change_id for a in acked if a.kind.startswith("confirm-")}
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for m in messages:
        if str(m.data.get("change_id")) not in confirmed:
            continue
        kind = m.type.removeprefix(PREFIX)
        if kind == "qualification_acquired.v1":
            row = rows.setdefault((m.data["nhi_household_number"], m.data["addressee_number"]), {})
            row["acquisition_date"] = m.data["acquisition_date"]
        elif kind == "qualification_lost.v1":
            row = rows.setdefault((m.data["nhi_household_number"], m.data["addressee_number"]), {})
            row["loss_date"] = m.data["loss_date"]
    households = {
        ("household", m.data["nhi_household_number"], m.data["householder_addressee_number"])
        for m in messages
        if m.type == f"{PREFIX}household_registered.v1"
        and str(m.data.get("change_id")) in confirmed
    }
    members = {(h, p, r.get("acquisition_date"), r.get("loss_date")) for (h, p), r in rows.items()}
    return members | households


async def live_members(dsn: str) -> set[tuple[Any, ...]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT nhi_household_number, addressee_number, acquisition_date::text,"
            " loss_date::text FROM household_members"
        )
        households = await conn.fetch(
            "SELECT 'household', nhi_household_number, householder_addressee_number FROM households"
        )
        return {tuple(r) for r in rows} | {tuple(r) for r in households}
    finally:
        await conn.close()


async def entries(dsn: str) -> list[str]:
    """eligibility's changes, one per entered change (the effect of an entry command)."""
    conn = await asyncpg.connect(dsn)
    try:
        return [str(r["change_id"]) for r in await conn.fetch("SELECT change_id FROM changes")]
    finally:
        await conn.close()


async def dump(dsn: str) -> dict[str, bytes]:
    """Every read-model table as bytes: all rows sorted by all columns, text form, without the
    columns that only record when a row was written."""
    conn = await asyncpg.connect(dsn)
    try:
        tables = [
            r["table_name"]
            for r in await conn.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                " AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
            if r["table_name"] not in PLATFORM_TABLES
        ]
        out = {}
        for table in tables:
            columns = [
                r["column_name"]
                for r in await conn.fetch(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema ="
                    " 'public' AND table_name = $1 ORDER BY ordinal_position",
                    table,
                )
                if r["column_name"] not in WALL_CLOCK_COLUMNS
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = await conn.fetch(f'SELECT {listed} FROM "{table}"')
            lines = sorted("\t".join(map(repr, tuple(r))) for r in rows)
            out[table] = "\n".join([listed, *lines]).encode()
        return out
    finally:
        await conn.close()
