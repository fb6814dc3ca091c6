"""``python -m kokuho.benefits monthly-run --month YYYY-MM [--payment-date YYYY-MM-DD]``: run (or
resume) a treatment month's run in this process, printing its progress; the served service's
relay publishes the events it stored. Exit 0 with the counts, 2 on a bad argument."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime, timedelta

from kokuho.benefits.adapters.monthly_job import ACTOR, JST
from kokuho.benefits.adapters.monthly_run import PostgresMonthlyRunStore
from kokuho.benefits.app.monthly_run import RunOptions, RunSummary, run_month
from kokuho.benefits.config import Settings
from kokuho.benefits.domain.claims import month_of
from kokuho.benefits.domain.errors import BenefitsError
from kokuho.benefits.parameters import load_schedule
from kokuho.platform.eventing import Eventing
from kokuho.platform.settings import ServiceSettings


def _progress(summary: RunSummary) -> None:
    print(
        f"  {summary.households} households: {summary.decided} decided,"
        f" {summary.unchanged} unchanged, {summary.prompted} prompted,"
        f" {summary.payments} payments",
        file=sys.stderr,
        flush=True,
    )


async def monthly_run_command(settings: ServiceSettings, args: list[str]) -> int:
    assert isinstance(settings, Settings)
    parser = argparse.ArgumentParser(prog="python -m kokuho.benefits monthly-run")
    parser.add_argument("--month", required=True, help="診療月 YYYY-MM")
    parser.add_argument("--payment-date", type=date.fromisoformat, default=None)
    ns = parser.parse_args(args)
    month = month_of(ns.month)
    if month is None:
        print("error: --month: not YYYY-MM", file=sys.stderr)
        return 2
    today = datetime.now(UTC).astimezone(JST).date()
    options = RunOptions(
        month, ACTOR, today, ns.payment_date or today + timedelta(days=14), settings.events_topic
    )
    async with Eventing(settings, relay=False, pool_size=4) as eventing:
        try:
            summary = await run_month(
                PostgresMonthlyRunStore(eventing.pool),
                load_schedule(),
                options,
                chunk_size=settings.monthly_run_chunk,
                progress=_progress,
            )
        except BenefitsError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(json.dumps({"run_id": str(summary.run_id), **summary.counts()}))
    return 0
