"""The service's own commands beside migrate/serve: ``seed``, ``turning-75`` and
``copayment-rates`` (for cron), each on units of its own pool."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

from kokuho.eligibility.adapters.unit_of_work import EligibilityUnit
from kokuho.eligibility.app.demo_city import seed_city
from kokuho.eligibility.app.jobs import JOBS
from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort, Units
from kokuho.eligibility.app.retention import apply_retention
from kokuho.eligibility.bootstrap import feeds_of_settings, topics_of
from kokuho.eligibility.config import Settings
from kokuho.eligibility.parameters import load_rules
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
