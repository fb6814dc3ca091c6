"""``python -m kokuho.assessment bench [--households N]``: the annual run on a synthetic city.

Builds a throwaway database, COPYs N households with members and incomes, then times the
annual run with the outbox relay running beside it, from start until every PremiumAssessed is
acknowledged by Kafka (on a topic of its own). The baseline is a raw COPY of the same
assessment rows into a plain table, measured in the same run; the ratio is printed. No
timing is asserted anywhere."""

from __future__ import annotations

import argparse
import asyncio
import resource
import time
import uuid
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import asyncpg

from kokuho.assessment.adapters.annual_run import RunSummary, run_annual
from kokuho.assessment.adapters.engine_workers import encoded_plan
from kokuho.assessment.adapters.rows import ASSESSMENT_COLUMNS, RawChunk
from kokuho.assessment.app.annual_run import plan_chunk
from kokuho.assessment.bootstrap import CityRulebook
from kokuho.assessment.config import Settings
from kokuho.assessment.domain.income_file import AMOUNTS
from kokuho.assessment.domain.instalments import due_dates
from kokuho.assessment.synthetic import load, population
from kokuho.events.ports import EventContext
from kokuho.events.runtime.connection import KafkaConnection, local_connection
from kokuho.events.runtime.kafka import KafkaSender, reliable_producer
from kokuho.events.runtime.relay import OutboxRelay, backlog
from kokuho.events.runtime.store import random_ids
from kokuho.events.runtime.topics import TopicSpec, ensure_topics
from kokuho.events.testing.databases import temporary_database
from kokuho.platform.collector import collector_paused
from kokuho.platform.database import migrate, migration_files

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"
#: the bench runs as operators run ``annual-run``: with the setting's worker processes
WORKERS: int = Settings.model_fields["annual_run_workers"].default


@dataclass(frozen=True)
class AnnualRunFigures:
    """One timed annual run and its baseline (``bench/annual_run.py`` makes summary rows)."""

    fiscal_year: int
    summary: RunSummary
    members: int
    assessed_seconds: float
    on_kafka_seconds: float
    copied_rows: int
    copy_seconds: float
    workers: int = 0
    #: CPU seconds of the run: the writing process (with the relay) and its worker processes
    cpu_seconds: float = 0.0
    worker_cpu_seconds: float = 0.0

    def line(self) -> str:
        s = self.summary
        return (
            f"annual run FY{self.fiscal_year}: {s.households} households ({self.members} "
            f"members), {s.assessed} assessed, {len(s.refused)} refused, {self.workers} worker"
            f" processes; assessed in "
            f"{self.assessed_seconds:.1f} s, every PremiumAssessed on Kafka after "
            f"{self.on_kafka_seconds:.1f} s ({s.assessed / self.on_kafka_seconds:,.0f} "
            f"households/s); raw COPY of the same {self.copied_rows} rows "
            f"{self.copy_seconds:.2f} s; ratio {self.on_kafka_seconds / self.copy_seconds:.1f}x;"
            f" CPU {self.cpu_seconds:.1f} s writing process + {self.worker_cpu_seconds:.1f} s"
            " workers"
        )


async def bench(
    admin_dsn: str,
    kafka: KafkaConnection,
    households: int,
    fiscal_year: int,
    workers: int = WORKERS,
) -> str:
    return (await measure(admin_dsn, kafka, households, fiscal_year, workers)).line()


async def measure(
    admin_dsn: str,
    kafka: KafkaConnection,
    households: int,
    fiscal_year: int,
    workers: int = WORKERS,
) -> AnnualRunFigures:
    topic = f"bench.assessment.{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka, [TopicSpec(topic, 3, 1)])
    async with temporary_database(admin_dsn) as dsn:
        await migrate(dsn, migration_files(MIGRATIONS))
        conn = await asyncpg.connect(dsn)
        try:
            members = await load(conn, households, fiscal_year)
        finally:
            await conn.close()
        before = _cpu()
        summary, assessed_at, on_kafka = await _timed_run(dsn, kafka, topic, fiscal_year, workers)
        cpu, worker_cpu = (after - start for after, start in zip(_cpu(), before, strict=True))
        rows, raw = await _raw_copy(dsn)
    return AnnualRunFigures(
        fiscal_year,
        summary,
        members,
        assessed_at,
        on_kafka,
        rows,
        raw,
        workers,
        cpu,
        worker_cpu,
    )


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its ended children: the run's worker
    processes are joined when it returns, so the difference around it is theirs."""
    own, children = (
        resource.getrusage(r) for r in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


async def _timed_run(
    dsn: str, kafka: KafkaConnection, topic: str, fiscal_year: int, workers: int
) -> tuple[RunSummary, float, float]:
    """The annual run with the relay beside it: seconds until assessed and until every
    ``PremiumAssessed`` is acknowledged by Kafka."""
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=4)
    producer = reliable_producer(kafka)
    await producer.start()
    stop = asyncio.Event()
    relay = OutboxRelay(dsn, KafkaSender(producer), service="assessment-bench", poll_interval=0.2)
    relay_task = asyncio.create_task(relay.run(stop))
    last = [0.0]

    def progress(s: RunSummary) -> None:
        now = time.perf_counter()
        if now - last[0] > 5:
            last[0] = now
            print(f"  {s.households:>7} households, {s.assessed} assessed", flush=True)

    started = time.perf_counter()
    try:
        summary = await run_annual(
            pool,
            CityRulebook("hiroshima", None),
            fiscal_year,
            actor="system:bench",
            today=date(fiscal_year, 6, 1),
            chunk_size=5000,
            topic=topic,
            progress=progress,
            workers=workers,
        )
        assessed_at = time.perf_counter() - started
        check = await asyncpg.connect(dsn)
        try:
            # polling with a deadline-free loop is fine here: the relay drains or the
            # operator stops the bench
            while await backlog(check) > 0:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
        finally:
            await check.close()
        on_kafka = time.perf_counter() - started
    finally:
        stop.set()
        await relay_task
        await producer.stop()
        await pool.close()
    return summary, assessed_at, on_kafka


async def _raw_copy(dsn: str) -> tuple[int, float]:
    """The baseline: the same assessment rows COPYed into a plain table (rows, seconds)."""
    columns = [
        "nhi_household_number",
        "fiscal_year",
        "revision",
        "assessment_id",
        "annual_amount",
        "statutory_reduction",
        "reduction_exemption_amount",
        "components",
        "cause",
        "assessed_by",
        "instalments",
        "inputs",
        "parameters_digest",
    ]
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT nhi_household_number, fiscal_year, revision, assessment_id,"
            " annual_amount, statutory_reduction, reduction_exemption_amount,"
            " components::text, cause, assessed_by, instalments::text, inputs::text,"
            " parameters_digest FROM assessments"
        )
        await conn.execute("CREATE TABLE raw_baseline (LIKE assessments INCLUDING DEFAULTS)")
        t0 = time.perf_counter()
        await conn.copy_records_to_table(
            "raw_baseline", columns=columns, records=[tuple(r) for r in rows]
        )
        raw = time.perf_counter() - t0
    finally:
        await conn.close()
    return len(rows), raw


def synthetic_chunks(households: int, fiscal_year: int, size: int = 5000) -> list[RawChunk]:
    """The bench's synthetic city as the annual run loads it (``RawChunk``s of ``size``
    households), without a database: what a worker process is handed."""
    heads, members, incomes = population(households, fiscal_year)
    member_columns = (
        "nhi_household_number",
        "addressee_number",
        "birth_date",
        "acquisition_date",
        "insured",
        "specified_same_household",
        "loss_date",
        "former_dependant_since",
        "involuntary_separation_date",
        "childbirth_date",
        "childbirth_multiple",
        "care_exclusions",
    )
    income_columns = (
        *("addressee_number", "income_year", "birth_date", "declared", *AMOUNTS),
        *("resident_tax_status", "taxable_income", "other_revenue"),
    )
    by_household: dict[object, list[tuple[object, ...]]] = {}
    for m in members:
        by_household.setdefault(m[0], []).append(
            (*m, True, False, None, None, None, None, False, "[]")
        )
    income_of = {r[0]: (*r[: 4 + len(AMOUNTS)], "unknown", None, None) for r in incomes}
    chunks = []
    for start in range(0, len(heads), size):
        part = heads[start : start + size]
        rows = [m for h in part for m in by_household[h[0]]]
        chunks.append(
            RawChunk(
                (
                    (
                        "nhi_household_number",
                        "householder_addressee_number",
                        "deemed_householder",
                        "specified_household_since",
                    ),
                    [(*h, None) for h in part],
                ),
                (member_columns, rows),
                (income_columns, [income_of[m[1]] for m in rows]),
                (ASSESSMENT_COLUMNS, []),
                (("nhi_household_number", "ratio_percent"), []),
                (("addressee_number",), []),
                (("nhi_household_number", "method"), []),
            )
        )
    return chunks


def engine_cpu(households: int, fiscal_year: int) -> str:
    """CPU a household of a worker process's part of the annual run (``encoded_plan``: the
    records built from the rows, the engine, the revision, its JSON) on the synthetic city,
    in this process, without PostgreSQL or Kafka (ADR 0108): the figure to profile."""
    rulebook = CityRulebook("hiroshima", None)
    params = rulebook(fiscal_year)
    plan = partial(
        plan_chunk,
        params=params,
        dues=due_dates(fiscal_year, params.instalments, rulebook.is_holiday),
        today=date(fiscal_year, 6, 1),
        actor="system:bench",
        topic="bench.assessment",
        context=EventContext(),
        new_ids=random_ids,
        validated=False,
    )
    chunks = synthetic_chunks(households, fiscal_year)
    with collector_paused():
        started = time.process_time()
        for chunk in chunks:
            encoded_plan(plan, chunk)
        cpu = time.process_time() - started
    return (
        f"engine (worker part of the annual run): {households} households, {cpu:.2f} s CPU, "
        f"{cpu / households * 1e6:.0f} µs a household"
    )


async def bench_command(settings: object, args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m kokuho.assessment bench")
    parser.add_argument("--households", type=int, default=150_000)
    parser.add_argument("--fiscal-year", type=int, default=2026)
    parser.add_argument(
        "--workers", type=int, default=WORKERS, help="engine worker processes (0: a thread)"
    )
    parser.add_argument(
        "--engine-only",
        action="store_true",
        help="only the worker's part, in this process, without PostgreSQL or Kafka (CPU a "
        "household; the figure to profile)",
    )
    ns = parser.parse_args(args)
    if ns.engine_only:
        print(engine_cpu(ns.households, ns.fiscal_year))
        return 0
    import os

    admin = os.environ.get(
        "KOKUHO_PG_ADMIN_DSN", "postgresql://kokuho_admin:kokuho_admin@127.0.0.1:55432/postgres"
    )
    # the broker's super user (.local/endpoints.json): the bench makes a topic of its own
    kafka = (
        local_connection(path=Path(os.environ["KOKUHO_ENDPOINTS"]))
        if os.environ.get("KOKUHO_ENDPOINTS")
        else local_connection()
    )
    print(await bench(admin, kafka, ns.households, ns.fiscal_year, ns.workers))
    return 0
