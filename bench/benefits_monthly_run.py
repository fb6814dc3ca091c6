"""Benefits: the monthly run of a treatment month over N claims (300,000 by default, about
N / 3 households) on a database and topic of the bench's own: every household through the
高額療養費 calculation and its decision, the decisions, payments and 申請勧奨 written, and every
event (HighCostBenefitDecided, BenefitPaymentOrdered, HighCostApplicationPrompted) acknowledged
by Kafka (the outbox relay runs beside the run), against a raw COPY of the same claim rows into
a plain table measured in the same run. Then the same month again (a re-run: nothing changes).

    uv run python -m bench.benefits_monthly_run --claims 300000

Set up first (untimed, by COPY): the claims, each household's 所得区分 (copayment_rates) and
the payee account of half of them. Synthetic: a quarter of the households have an inpatient
stay (600,000-1,600,000 yen), a sixth a 70–74 member."""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg

from bench.infra import endpoints
from kokuho.benefits.adapters.monthly_run import PostgresMonthlyRunStore
from kokuho.benefits.adapters.rows import CLAIM_COLUMNS
from kokuho.benefits.app.monthly_run import RunOptions, RunSummary, run_month
from kokuho.benefits.parameters import load_schedule
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.kafka import KafkaSender, reliable_producer
from kokuho.events.runtime.relay import OutboxRelay, backlog
from kokuho.events.runtime.topics import TopicSpec, ensure_topics
from kokuho.platform.testing import migrated_database

MIGRATIONS = Path(__file__).resolve().parents[1] / "services" / "benefits" / "migrations"
MONTH = date(2026, 7, 1)  # income year 2024 (rules.md §3.1: Jan–Jul, two years before)
TODAY = date(2026, 9, 10)
IMPORT_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")


def synthetic(claims: int, seed: int = 11) -> tuple[list[tuple[Any, ...]], list[str], set[str]]:
    """Claim rows (3 a household), the households, and those with a 70–74 member."""
    rng = random.Random(seed)
    rows: list[tuple[Any, ...]] = []
    households: list[str] = []
    elderly: set[str] = set()
    for h in range((claims + 2) // 3):
        household = f"98{h:08d}"
        households.append(household)
        people = [f"97{h:08d}"[:10]]
        bands = ["under_70"]
        if rng.random() < 1 / 6:
            people.append(f"96{h:08d}"[:10])
            bands.append("70_74")
            elderly.add(household)
        stay = rng.random() < 0.25
        for k in range(3):
            n = h * 3 + k
            if n >= claims:
                break
            who = k % len(people)
            share = 3 if bands[who] == "under_70" else 2
            if stay and k == 0:
                points, setting = rng.randrange(60_000, 160_000), "inpatient"
            else:
                points, setting = rng.randrange(300, 5_000), "outpatient"
            cost = points * 10
            rows.append(
                (
                    f"B{n:09d}",
                    IMPORT_ID,
                    date(2026, 8, 1),
                    MONTH,
                    household,
                    people[who],
                    bands[who],
                    False,
                    f"13{rng.randrange(1000):08d}",
                    setting,
                    "medical",
                    None,
                    None,
                    rng.randrange(1, 20),
                    points,
                    cost,
                    cost * share // 10,
                )
            )
    return rows, households, elderly


async def set_up(dsn: str, claims: int) -> tuple[int, list[tuple[Any, ...]]]:
    rows, households, elderly = synthetic(claims)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "INSERT INTO claim_imports (import_id, file_name, sha256, file_date,"
            " processing_month, claims, adjustments, received_by)"
            " VALUES ($1, 'bench', 'bench', '2026-08-20', '2026-08-01', $2, 0, 'system:bench')",
            IMPORT_ID,
            len(rows),
        )
        await conn.copy_records_to_table("claims", columns=list(CLAIM_COLUMNS), records=rows)
        await conn.copy_records_to_table(
            "copayment_rates",
            records=[
                (
                    n,
                    2024,
                    date(2025, 8, 1),
                    date(2026, 7, 31),
                    "u",
                    "general" if n in elderly else None,
                    20 if n in elderly else None,
                    [],
                    "system:bench",
                    TODAY,
                    [],
                    1,
                )
                for n in households
            ],
        )
        await conn.copy_records_to_table(
            "payees",
            records=[
                (n, f"97{n[2:]}", "0001", "001", "ordinary", "1234567", "ベンチ", TODAY, "bench")
                for n in households[::2]
            ],
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return len(households), rows


async def timed_run(
    dsn: str, kafka: KafkaConnection, topic: str, workers: int
) -> tuple[RunSummary, float, float]:
    """The run with the relay beside it: seconds until the run finished and until every event
    it stored is acknowledged by Kafka. ``workers`` > 0: chunks computed in that many
    processes (0: a thread beside the loads and writes)."""
    executor = ProcessPoolExecutor(workers) if workers else None
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=4)
    producer = reliable_producer(kafka)
    await producer.start()
    stop = asyncio.Event()
    relay = OutboxRelay(dsn, KafkaSender(producer), service="benefits-bench", poll_interval=0.2)
    relay_task = asyncio.create_task(relay.run(stop))
    last = [time.perf_counter()]

    def progress(s: RunSummary) -> None:
        if time.perf_counter() - last[0] > 5:
            last[0] = time.perf_counter()
            print(f"  {s.households:>7} households, {s.decided} decided", flush=True)

    options = RunOptions(MONTH, "system:bench", TODAY, date(2026, 9, 25), topic)
    started = time.perf_counter()
    try:
        summary = await run_month(
            PostgresMonthlyRunStore(pool),
            load_schedule(),
            options,
            progress=progress,
            executor=executor,
        )
        ran = time.perf_counter() - started
        while await backlog(pool) > 0:  # noqa: ASYNC110 (the relay drains or the operator stops)
            await asyncio.sleep(0.1)
        on_kafka = time.perf_counter() - started
    finally:
        stop.set()
        await relay_task
        await producer.stop()
        await pool.close()
        if executor is not None:
            executor.shutdown()
    return summary, ran, on_kafka


async def raw_copy(dsn: str, rows: list[tuple[Any, ...]]) -> float:
    """The baseline: the same claim rows COPYed into a plain table."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE TABLE raw_claims (LIKE claims INCLUDING DEFAULTS)")
        started = time.perf_counter()
        await conn.copy_records_to_table("raw_claims", columns=list(CLAIM_COLUMNS), records=rows)
        return time.perf_counter() - started
    finally:
        await conn.close()


async def run(admin_dsn: str, kafka: KafkaConnection, claims: int, workers: int = 0) -> str:
    topic = f"bench.benefits.{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka, [TopicSpec(topic, 3, 1)])
    async with migrated_database(admin_dsn, MIGRATIONS) as dsn:
        households, rows = await set_up(dsn, claims)
        summary, ran, on_kafka = await timed_run(dsn, kafka, topic, workers)
        again, rerun, _ = await timed_run(dsn, kafka, topic, workers)
        conn = await asyncpg.connect(dsn)
        try:
            events = await conn.fetchval("SELECT count(*) FROM events")
        finally:
            await conn.close()
        raw = await raw_copy(dsn, rows)
    assert again.decided == 0, again.counts()  # a re-run changes nothing
    return (
        f"benefits monthly run: {len(rows)} claims, {households} households"
        f" ({workers or 'no'} worker process{'es' if workers != 1 else ''}):"
        f" {summary.decided} decided, {summary.payments} payments, {summary.prompted} prompted,"
        f" {len(summary.held)} held, {events} events; run {ran:.1f} s, every event on Kafka"
        f" after {on_kafka:.1f} s ({len(rows) / on_kafka:,.0f} claims/s); re-run {rerun:.1f} s,"
        f" {again.unchanged} unchanged; raw COPY of the same claim rows {raw:.2f} s;"
        f" ratio {on_kafka / raw:.0f}x | goal < 60 s for 300,000 claims"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=300_000)
    parser.add_argument("--workers", type=int, default=0, help="compute processes (0: a thread)")
    args = parser.parse_args()
    admin, kafka = endpoints()
    print(asyncio.run(run(admin, kafka, args.claims, args.workers)))
