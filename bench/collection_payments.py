"""Collection: a payment file of N lines (300,000 by default) imported on a database and topic of
the bench's own: parsed, matched to the charges (消込), the ledgers and balances saved, and
every PaymentReceived acknowledged by Kafka (the outbox relay runs beside the import), against
a raw COPY of the same lines into a plain table measured in the same run.

    uv run python -m bench.collection_payments --lines 300000

Charges are set up first (untimed): N / 3 households with 10 instalments each, every line
paying one of a household's first three instalments."""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import time
import uuid
from datetime import date
from pathlib import Path

import asyncpg

from bench.infra import endpoints
from kokuho.collection.adapters.matching_workers import matching_executor
from kokuho.collection.adapters.unit_of_work import CollectionUnit
from kokuho.collection.app import payments
from kokuho.collection.app.ledgers import commit_batch, open_batch
from kokuho.collection.config import Settings
from kokuho.collection.domain import charging
from kokuho.collection.domain.payment_file import HEADER
from kokuho.collection.parameters import load_rules
from kokuho.events.contracts.payment_numbers import payment_number
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.kafka import KafkaSender, reliable_producer
from kokuho.events.runtime.relay import OutboxRelay, backlog
from kokuho.events.runtime.topics import TopicSpec, ensure_topics
from kokuho.platform.audit import PostgresAuditLog, RequestAudit
from kokuho.platform.testing import migrated_database

MIGRATIONS = Path(__file__).resolve().parents[1] / "services" / "collection" / "migrations"
FY = 2026
TODAY = date(2026, 12, 1)
MONTHS = (6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
#: the service's default (``payment_file_workers``)
WORKERS: int = Settings.model_fields["payment_file_workers"].default


def households(lines: int) -> list[str]:
    return [f"98{i:08d}" for i in range((lines + 2) // 3)]


def payment_file(lines: int) -> str:
    rows = [HEADER]
    for n in range(lines):
        household, period = f"98{n // 3:08d}", n % 3 + 1
        number = payment_number(FY, household, period)
        rows.append(f"{number},10000,2026-11-30,bank,B{n:09d}")
    return "\n".join(rows) + "\n"


def assessment(household: str) -> charging.AssessCharges:
    dues = [date(FY + (m < 4), m, 28) for m in MONTHS]
    return charging.AssessCharges(
        f"bench-{household}",
        FY,
        1,
        "assessment",
        [charging.Instalment(p, d, 10_000) for p, d in enumerate(dues, start=1)],
        "system:bench",
        date(FY, 6, 15),
    )


def unit(pool: asyncpg.Pool, topic: str, operation: str) -> CollectionUnit:
    trail = RequestAudit(
        PostgresAuditLog(pool),
        user_id="system:bench",
        terminal_id=None,
        operation=operation,
        request_id=None,
    )
    return CollectionUnit(lambda: pool, audit=trail, topic=topic)


async def set_up_charges(pool: asyncpg.Pool, topic: str, lines: int) -> None:
    numbers = households(lines)
    for i in range(0, len(numbers), 5000):
        chunk = numbers[i : i + 5000]
        async with unit(pool, topic, "bench charges") as uow:
            batch = await open_batch(uow, chunk)
            for household in chunk:
                batch.decide(household, lambda s, h=household: charging.assess(s, assessment(h)))
            await commit_batch(uow, batch)
        print(f"  charges of {min(i + 5000, len(numbers)):>7} households", flush=True)
    await pool.execute("DELETE FROM outbox")  # the ChargeSet events are not part of the figure


async def timed_import(
    dsn: str, kafka: KafkaConnection, topic: str, text: str, workers: int
) -> tuple[float, float, float, float, float]:
    """Seconds until the import committed, and until every PaymentReceived is on Kafka, each
    with this process's CPU seconds (import and relay share the process and its loop), and
    the CPU seconds of the import's matching workers (started and ended inside the import, as
    the service's import does: ``payment_file_workers``, ADR 0116)."""
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=4)
    producer = reliable_producer(kafka)
    await producer.start()
    stop = asyncio.Event()
    relay = OutboxRelay(dsn, KafkaSender(producer), service="collection-bench", poll_interval=0.2)
    relay_task = asyncio.create_task(relay.run(stop))
    rules = load_rules()
    command = payments.ImportPayments("bench.csv", text, False, "system:bench", TODAY)
    matcher = matching_executor(workers)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, cpu = time.perf_counter(), time.process_time()
    try:
        outcome = await payments.import_payments(
            unit(pool, topic, "bench import"), rules, command, matcher
        )
        imported, import_cpu = time.perf_counter() - started, time.process_time() - cpu
        assert outcome.record.applied == outcome.record.lines, outcome.record
        while await backlog(pool) > 0:  # noqa: ASYNC110 (the relay drains or the operator stops)
            await asyncio.sleep(0.1)
        on_kafka, kafka_cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        stop.set()
        await relay_task
        await producer.stop()
        await pool.close()
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = ended.ru_utime + ended.ru_stime - children.ru_utime - children.ru_stime
    return imported, on_kafka, import_cpu, kafka_cpu, worker_cpu


async def raw_copy(dsn: str, text: str) -> float:
    """The baseline: the same lines COPYed into a plain table."""
    records = []
    for row in text.splitlines()[1:]:
        notice, amount, paid_on, channel, reference = row.split(",")
        records.append((notice, int(amount), date.fromisoformat(paid_on), channel, reference))
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "CREATE TABLE raw_payments (notice_number text, amount bigint, paid_on date,"
            " channel text, reference text)"
        )
        started = time.perf_counter()
        await conn.copy_records_to_table("raw_payments", records=records)
        return time.perf_counter() - started
    finally:
        await conn.close()


async def run(admin_dsn: str, kafka: KafkaConnection, lines: int, workers: int = WORKERS) -> str:
    topic = f"bench.collection.{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka, [TopicSpec(topic, 3, 1)])
    text = payment_file(lines)
    async with migrated_database(admin_dsn, MIGRATIONS) as dsn:
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
        try:
            await set_up_charges(pool, topic, lines)
        finally:
            await pool.close()
        imported, on_kafka, import_cpu, kafka_cpu, worker_cpu = await timed_import(
            dsn, kafka, topic, text, workers
        )
        load = os.getloadavg()[0]
        raw = await raw_copy(dsn, text)
    return (
        f"collection payment file: {lines} lines ({len(households(lines))} households) imported"
        f" in {imported:.1f} s, every PaymentReceived on Kafka after {on_kafka:.1f} s"
        f" ({lines / on_kafka:,.0f} lines/s); raw COPY of the same lines {raw:.2f} s;"
        f" ratio {on_kafka / raw:.0f}x | goal < 30 s for 300,000 lines | process CPU"
        f" {import_cpu:.1f} s importing, {kafka_cpu:.1f} s until on Kafka; {workers} matching"
        f" worker(s) {worker_cpu:.1f} s; load average {load:.1f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=300_000)
    parser.add_argument(
        "--workers", type=int, default=WORKERS, help="matching worker processes (0: a thread)"
    )
    args = parser.parse_args()
    admin, kafka = endpoints()
    print(asyncio.run(run(admin, kafka, args.lines, args.workers)))
