"""The service's own commands beside migrate/serve: ``seed``, ``turning-75`` and
``copayment-rates`` (for cron), ``retention`` and ``feeds-initial-load``, each on a pool of
its own."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from uuid import uuid4

from kokuho.eligibility.adapters.feeds import eligibility_facts, insured_now
from kokuho.eligibility.adapters.repositories import SOURCE
from kokuho.eligibility.adapters.unit_of_work import EligibilityUnit
from kokuho.eligibility.app.demo_city import seed_city
from kokuho.eligibility.app.jobs import JOBS
from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort, Units
from kokuho.eligibility.app.retention import apply_retention
from kokuho.eligibility.bootstrap import feeds_of_settings, topics_of
from kokuho.eligibility.config import Settings
from kokuho.eligibility.parameters import load_rules
from kokuho.events.runtime.feeds import FeedingEventStore
from kokuho.platform import database
from kokuho.platform.settings import ServiceSettings


@asynccontextmanager
async def units_of(settings: ServiceSettings) -> AsyncIterator[Units]:
    assert isinstance(settings, Settings)
    pool = await database.create_pool(settings, min_size=1, max_size=2)
    topics = topics_of(settings)
    feeds = feeds_of_settings(settings)  # a job's changes feed the departments too (ADR 0089)

    def unit() -> EligibilityUnitPort:
        return EligibilityUnit(lambda: pool, topics=topics, feeds=feeds)

    try:
        yield unit
    finally:
        await pool.close()


async def seed(settings: ServiceSettings) -> str:
    """The demo city (``seed_households`` households), once."""
    assert isinstance(settings, Settings)
    async with units_of(settings) as units:
        return await seed_city(units(), Eligibility(load_rules()), settings.seed_households)


async def run_job(name: str, settings: ServiceSettings, args: list[str]) -> int:
    ports = Eligibility(load_rules())
    as_of = date.fromisoformat(args[0]) if args else ports.today()
    async with units_of(settings) as units:
        result = await JOBS[name](units, ports, as_of)
    print(
        f"{name} as of {as_of}: {result.candidates} candidates,"
        f" {result.processed} processed, {len(result.failed)} refused"
    )
    return 0 if not result.failed else 1


async def turning_75_command(settings: ServiceSettings, args: list[str]) -> int:
    """The daily job for cron: ends NHI at 75 for every person due by the date (today)."""
    return await run_job("turning-75", settings, args)


async def copayment_rates_command(settings: ServiceSettings, args: list[str]) -> int:
    """Give 70-74 members the rate of the period containing the date (today)."""
    return await run_job("copayment-rates", settings, args)


async def retention_command(settings: ServiceSettings, args: list[str]) -> int:
    """``retention [--dry-run]``: erase what has passed its retention period today (C-95,
    C-96; ADR 0096) and print the report as JSON; ``--dry-run`` erases nothing."""
    unknown = [a for a in args if a != "--dry-run"]
    if unknown:
        print(f"retention: unknown arguments {unknown}; usage: retention [--dry-run]")
        return 2
    async with units_of(settings) as units:
        report = await apply_retention(
            units, Eligibility(load_rules()), dry_run="--dry-run" in args
        )
    print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    return 0


async def feeds_initial_load_command(settings: ServiceSettings, args: list[str]) -> int:
    """``feeds-initial-load [--dry-run]``: give every department feed eligibility owns an
    entry for each person insured now whom it has none for (people insured before the feed
    began and unchanged since; ADR 0089), with a delivery record each, in transactions of
    ``BATCH`` people; a person with an entry is left alone, so it can be run again. Prints
    the counts as JSON; ``--dry-run`` counts and rolls back."""
    assert isinstance(settings, Settings)
    unknown = [a for a in args if a != "--dry-run"]
    if unknown:
        print(f"feeds-initial-load: unknown arguments {unknown}; usage: {USAGE_FEEDS_LOAD}")
        return 2
    dry_run = "--dry-run" in args
    feeds = feeds_of_settings(settings)
    run_id = uuid4()
    people = entries = 0
    after = ""
    pool = await database.create_pool(settings, min_size=1, max_size=1)
    try:
        while True:
            async with pool.acquire() as conn:
                load = conn.transaction()
                await load.start()
                try:
                    facts = await insured_now(conn, after, FEEDS_LOAD_BATCH)
                    store = FeedingEventStore(
                        conn, source=SOURCE, feeds=feeds, project=eligibility_facts
                    )
                    entries += await store.load_initial(facts, run_id)
                except BaseException:
                    await load.rollback()
                    raise
                await (load.rollback() if dry_run else load.commit())
            if not facts:
                break
            people += len(facts)
            after = facts[-1].addressee_number
    finally:
        await pool.close()
    report = {
        "run_id": str(run_id),
        "dry_run": dry_run,
        "feeds": [feed.flow.flow_id for feed in feeds],
        "insured_people": people,
        "entries_written": entries,
    }
    print(json.dumps(report, indent=2))
    return 0


#: people a transaction of the initial load takes
FEEDS_LOAD_BATCH = 1000
USAGE_FEEDS_LOAD = "feeds-initial-load [--dry-run]"
