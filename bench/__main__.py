"""`make bench`: python -m bench [--events N]."""

from __future__ import annotations

import argparse
import asyncio
import platform

from bench import relay_and_consumer, store_append
from bench.infra import endpoints
from kokuho.assessment.bench import bench as assessment_annual_run


async def main(total: int, households: int) -> None:
    admin_dsn, bootstrap = endpoints()
    print(f"Kokuho benchmarks: {total} events each; {platform.processor() or platform.machine()}")
    results = [
        *await store_append.run(admin_dsn, total),
        *await relay_and_consumer.run(admin_dsn, bootstrap, total),
    ]
    for result in results:
        print(result.line())
    if households:
        # The assessment's annual run (本算定) at the city's scale, end to end until every
        # PremiumAssessed is on Kafka, against a raw COPY of the same assessment rows.
        print(await assessment_annual_run(admin_dsn, bootstrap, households, 2026))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument(
        "--households",
        type=int,
        default=150_000,
        help="annual-run size (the city scale); 0 skips it",
    )
    args = parser.parse_args()
    asyncio.run(main(args.events, args.households))
