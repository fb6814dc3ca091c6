"""The example consumer of docs/consumers.md on the real broker and PostgreSQL: it reads a
department feed (the LTC Insurance Division's, transfer 5, under a test name) from the beginning
and applies each entry once, though the topic carries one twice and a new consumer group reads
everything again."""

from __future__ import annotations

import importlib.util
import uuid
from datetime import date
from pathlib import Path
from types import ModuleType

import asyncpg
import pytest

from kokuho.events.contracts.feeds import LtcInsuranceEligibility
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.topics import TopicSpec, ensure_topics
from kokuho.events.testing.databases import temporary_database
from kokuho.events.testing.kafka import produce, publish, read_topic

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "department_consumer.py"

pytestmark = pytest.mark.integration


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("department_consumer", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _entry(n: int) -> LtcInsuranceEligibility:
    return LtcInsuranceEligibility(
        addressee_number=f"{n:010d}",
        nhi_household_number="2000000001",
        acquisition_date=date(2026, 4, 1),
        loss_date=None,
    )


async def test_reads_from_the_beginning_and_applies_each_event_once(
    kafka: KafkaConnection, pg_admin_dsn: str
) -> None:
    example = _example()
    topic = f"test.department.{uuid.uuid4().hex[:12]}.kokuho.feeds.ltc-insurance.eligibility"
    await ensure_topics(kafka, [TopicSpec(topic, 2, 1)])
    ids = await publish(
        kafka, topic, "0000000001", _entry(1), _entry(2), source="/kokuho/eligibility"
    )
    # the first event delivered again, as after a producer retry or a consumer crash
    first = (await read_topic(kafka, topic, expected=2))[0]
    await produce(kafka, topic, [(first.key, first.value)])

    # the example takes plain aiokafka settings (a department has none of Kokuho's code)
    auth = {k: v for k, v in kafka.client_options().items() if k != "bootstrap_servers"}
    async with temporary_database(pg_admin_dsn) as dsn:
        group = f"{topic}.ltc"
        applied, skipped = await example.consume(
            kafka.bootstrap_servers, topic, group, dsn, idle_seconds=3, **auth
        )
        assert (applied, skipped) == (2, 1)
        # the same group again: its offsets were committed, nothing is read twice
        assert await example.consume(
            kafka.bootstrap_servers, topic, group, dsn, idle_seconds=2, **auth
        ) == (0, 0)
        # a new group reads from the beginning; every event is already applied
        again = await example.consume(
            kafka.bootstrap_servers, topic, f"{group}.rebuild", dsn, idle_seconds=3, **auth
        )
        assert again == (0, 3)
        conn = await asyncpg.connect(dsn)
        try:
            rows = await conn.fetch(
                "SELECT event_id, type FROM received_events ORDER BY kafka_offset"
            )
        finally:
            await conn.close()
    assert sorted(r["event_id"] for r in rows) == sorted(ids)
    assert {r["type"] for r in rows} == {LtcInsuranceEligibility.event_type}
