"""`make bench`: python -m bench [--events N]."""

from __future__ import annotations

import argparse
import asyncio
import platform

from bench import relay_and_consumer, store_append
from bench.infra import endpoints


async def main(total: int) -> None:
    admin_dsn, bootstrap = endpoints()
    print(f"Kokuho benchmarks: {total} events each; {platform.processor() or platform.machine()}")
    results = [
        *await store_append.run(admin_dsn, total),
        *await relay_and_consumer.run(admin_dsn, bootstrap, total),
    ]
    for result in results:
        print(result.line())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50_000)
    asyncio.run(main(parser.parse_args().events))
