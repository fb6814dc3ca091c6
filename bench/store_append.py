"""Event-store append rate against a raw COPY of the same rows into the same table.

Alone: ``uv run python -m bench.store_append --events 50000 --runs 3`` (prints each run's
line and this process's CPU an event during the append and during the COPY)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from bench.infra import endpoints
from bench.report import Result
from kokuho.events.runtime.store import PostgresEventStore, StreamAppend
from kokuho.events.testing.databases import temporary_database
from kokuho.events.testing.sample import SampleRecorded

SOURCE = "/kokuho/bench"
COPY_COLUMNS = ["stream_id", "version", "event_id", "event_type", "occurred_at", "envelope"]


def batches(total: int, batch_streams: int, per_stream: int, run: str) -> list[list[StreamAppend]]:
    streams = total // per_stream
    appends = [
        StreamAppend(
            f"{run}-{i:07d}",
            0,
            [SampleRecorded(n=j, note="bench") for j in range(per_stream)],
            topic="bench.events",
        )
        for i in range(streams)
    ]
    return [appends[i : i + batch_streams] for i in range(0, len(appends), batch_streams)]


@contextmanager
def input_frozen() -> Iterator[None]:
    """The bench's own input, built before the clock starts (50,000 events, or the rows for
    the COPY), kept out of the cyclic collector's passes while it is timed. A service holds
    only the batch it appends; here every full pass also walked the whole pre-built input:
    with the checkpoints gone (ADR 0115) that was the runs' variance, the append's CPU an
    event 5.8 us in most runs and 7.1-7.7 us in the slow ones, the COPY's the same in all."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


async def run(admin_dsn: str, total: int) -> list[Result]:
    per_stream, batch_streams = 2, 500
    async with temporary_database(admin_dsn, events_schema=True) as dsn:
        conn = await asyncpg.connect(dsn)
        try:
            work = batches(total, batch_streams, per_stream, "a")
            store = PostgresEventStore(conn, source=SOURCE)
            with input_frozen():
                started, cpu = time.perf_counter(), time.process_time()
                for batch in work:
                    async with conn.transaction():
                        await store.append_batch(batch)
                append_seconds = time.perf_counter() - started
                append_cpu = time.process_time() - cpu

            # The same rows as the events table holds, copied raw (no checks, no outbox).
            rows = await conn.fetch(
                "SELECT 'b' || substr(stream_id, 2) AS stream_id, version, gen_random_uuid()"
                " AS event_id, event_type, occurred_at, envelope::text AS envelope FROM events"
            )
            records = [tuple(r) for r in rows]
            chunk = batch_streams * per_stream
            with input_frozen():
                started, cpu = time.perf_counter(), time.process_time()
                for i in range(0, len(records), chunk):
                    async with conn.transaction():
                        await conn.copy_records_to_table(
                            "events",
                            records=[(*r[:5], r[5]) for r in records[i : i + chunk]],
                            columns=COPY_COLUMNS,
                        )
                copy_seconds = time.perf_counter() - started
                copy_cpu = time.process_time() - cpu
        finally:
            await conn.close()
    return [
        Result(
            "event store append",
            total,
            append_seconds,
            "raw COPY of the same rows",
            copy_seconds,
            ">= 0.7x",
            # this process's CPU an event (microseconds): the store's own work, and asyncpg's
            extra={
                "append_cpu_us": append_cpu / total * 1e6,
                "copy_cpu_us": copy_cpu / total * 1e6,
            },
        )
    ]


async def main(total: int, runs: int) -> None:
    admin_dsn, _ = endpoints()
    for run_number in range(1, runs + 1):
        (result,) = await run(admin_dsn, total)
        cpu = result.extra
        print(
            f"run {run_number}/{runs}: {result.line()} | CPU an event: append"
            f" {cpu['append_cpu_us']:.1f} us, COPY {cpu['copy_cpu_us']:.1f} us",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.events, arguments.runs))
