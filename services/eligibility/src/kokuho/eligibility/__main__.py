"""``python -m kokuho.eligibility migrate|seed|serve|verify-audit|turning-75 [YYYY-MM-DD]``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import asyncpg

from kokuho.eligibility.adapters.postgres import Topics
from kokuho.eligibility.bootstrap import build
from kokuho.eligibility.config import Settings
from kokuho.eligibility.parameters import load_rules
from kokuho.eligibility.seed import seed
from kokuho.events.contracts import eligibility as contracts
from kokuho.events.contracts import linkage_gateway
from kokuho.events.runtime.topics import TopicSpec
from kokuho.platform.commands import ServiceDefinition, main
from kokuho.platform.settings import ServiceSettings

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


async def turning_75_command(settings: ServiceSettings, args: list[str]) -> int:
    """The daily job for cron: ends NHI at 75 for every person due by the date (today)."""
    from kokuho.eligibility.app.service import EligibilityService
    from kokuho.eligibility.jobs import turning_75

    service = EligibilityService(load_rules())
    as_of = date.fromisoformat(args[0]) if args else service.today()
    pool = await asyncpg.create_pool(settings.database_dsn, min_size=1, max_size=2)
    try:
        assert isinstance(settings, Settings)
        topics = Topics(settings.events_topic, settings.personal_details_topic)
        result = await turning_75(pool, service, as_of, topics)
    finally:
        await pool.close()
    print(
        f"turning-75 as of {as_of}: {result.candidates} candidates,"
        f" {result.processed} processed, {len(result.failed)} refused"
    )
    return 0 if not result.failed else 1


async def copayment_rates_command(settings: ServiceSettings, args: list[str]) -> int:
    """Give 70-74 members the rate of the period containing the date (today)."""
    from kokuho.eligibility.app.service import EligibilityService
    from kokuho.eligibility.jobs import copayment_rates

    assert isinstance(settings, Settings)
    service = EligibilityService(load_rules())
    as_of = date.fromisoformat(args[0]) if args else service.today()
    topics = Topics(settings.events_topic, settings.personal_details_topic)
    pool = await asyncpg.create_pool(settings.database_dsn, min_size=1, max_size=2)
    try:
        result = await copayment_rates(pool, service, as_of, topics)
    finally:
        await pool.close()
    print(
        f"copayment-rates as of {as_of}: {result.candidates} candidates,"
        f" {result.processed} processed, {len(result.failed)} refused"
    )
    return 0 if not result.failed else 1


DEFINITION = ServiceDefinition(
    settings=Settings,
    build_app=build,
    migrations=MIGRATIONS,
    topics=[
        TopicSpec(contracts.EVENTS_TOPIC, 3, 1),
        TopicSpec(contracts.PERSONAL_DETAILS_TOPIC, 3, 1, compacted=True),
        # The topic eligibility consumes (and its .dlq, where refused differences go): created
        # here too, idempotently, so the consumer never waits on a topic that is not there yet.
        TopicSpec(linkage_gateway.TOPIC, 3, 1),
    ],
    seed=seed,
    extra_commands={
        "turning-75": turning_75_command,
        "copayment-rates": copayment_rates_command,
    },
)

if __name__ == "__main__":
    sys.exit(main(DEFINITION))
