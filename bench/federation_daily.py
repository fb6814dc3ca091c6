"""linkage-gateway: the federation's daily continuation file (KKH-SKK) of the whole city, N
records (220,000 by default, over 7 MB), fetched by the gateway's scheduled fetch on a database
of the bench's own: read line by line in 64 KiB chunks with every line check, reconciled with
the qualification replicas of N persons (1 in 100 differs) and the differences stored, all in
one transaction; against a raw COPY of the same lines into a plain table measured in the same
run. Then the same fetch runs again, and the same bytes are uploaded again: nothing changes.

    uv run python -m bench.federation_daily --records 220000

The replicas are set up first (untimed, by COPY)."""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg

from bench.infra import endpoints
from bench.report import Goal, Row, table
from kokuho.linkage_gateway.adapters.jobs import CONTINUATION_JOB, CONTINUATION_OPERATION
from kokuho.linkage_gateway.adapters.unit_of_work import GatewayUnit
from kokuho.linkage_gateway.app import federation_files
from kokuho.linkage_gateway.domain.federation import ContinuationStream
from kokuho.linkage_gateway.domain.intermediate import QUALIFICATION_ITEM
from kokuho.platform.audit import RequestAudit
from kokuho.platform.testing import migrated_database

MIGRATIONS = Path(__file__).resolve().parents[1] / "services" / "linkage-gateway" / "migrations"
CHUNK = 64 * 1024
GOAL_SECONDS = 20.0
ACQUIRED = date(2024, 4, 1)


def addressee(i: int) -> str:
    return f"{6_000_000_000 + i:010d}"


def daily_file(records: int, file_date: date) -> bytes:
    """One line per person; every hundredth has a loss date we do not hold."""
    lines = [f"H,KKH-SKK,1,{file_date.isoformat()}"]
    for i in range(records):
        lost = "2026-08-31" if i % 100 == 0 else ""
        lines.append(f"D,{addressee(i)},{10_000_000 + i % 90_000_000:08d},{ACQUIRED},{lost}")
    lines.append(f"T,{records}")
    return ("\n".join(lines) + "\n").encode("utf-8")


class FederationFile:
    """The federation's side of the fetch: the day's file, as its bytes."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    async def fetch_continuation_file(self, file_date: date) -> bytes | None:
        return self.content


async def set_up_replicas(dsn: str, records: int) -> None:
    content = json.dumps({"insured": True, "acquisition_date": str(ACQUIRED), "loss_date": None})
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "replicas",
            columns=["addressee_number", "item", "content", "version"],
            records=[(addressee(i), QUALIFICATION_ITEM, content, 1) for i in range(records)],
        )
    finally:
        await conn.close()


async def counts(dsn: str) -> tuple[int, int]:
    conn = await asyncpg.connect(dsn)
    try:
        files = await conn.fetchval("SELECT count(*) FROM continuation_files")
        differences = await conn.fetchval("SELECT count(*) FROM continuation_differences")
        return int(files), int(differences)
    finally:
        await conn.close()


async def raw_copy(dsn: str, content: bytes) -> float:
    """The baseline: the same data lines split and COPYed into a plain table."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "CREATE TABLE raw_continuation (addressee_number text, insured_number text,"
            " acquisition_date date, loss_date date)"
        )
        started = time.perf_counter()
        records = []
        for line in content.decode("utf-8").splitlines()[1:-1]:
            _, who, insured, acquired, lost = line.split(",")
            records.append(
                (
                    who,
                    insured,
                    date.fromisoformat(acquired),
                    date.fromisoformat(lost) if lost else None,
                )
            )
        await conn.copy_records_to_table("raw_continuation", records=records)
        return time.perf_counter() - started
    finally:
        await conn.close()


async def run(admin_dsn: str, records: int) -> list[Row]:
    now = datetime.now(UTC)
    today = now.astimezone(federation_files.JST).date()
    content = daily_file(records, today)
    federation = FederationFile(content)
    async with migrated_database(admin_dsn, MIGRATIONS) as dsn:
        await set_up_replicas(dsn, records)
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)

        def unit() -> GatewayUnit:
            trail = RequestAudit.of_system(lambda: pool, CONTINUATION_JOB, CONTINUATION_OPERATION)
            return GatewayUnit(lambda: pool, audit=trail)

        command = federation_files.FetchContinuation(today, CONTINUATION_JOB, now)
        try:
            started = time.perf_counter()
            result = await federation_files.fetch_continuation_file(unit, federation, command)
            fetched = time.perf_counter() - started
            assert result.receipt is not None, result
            first = await counts(dsn)

            # Re-runs: the scheduled fetch the same day, and the same bytes uploaded (streamed).
            again = await federation_files.fetch_continuation_file(unit, federation, command)
            stream = ContinuationStream()
            for start in range(0, len(content), CHUNK):
                stream.feed(content[start : start + CHUNK])
            parsed = federation_files.ParsedContinuation(
                "again.csv", stream.finish(), stream.sha256, CONTINUATION_JOB, now
            )
            try:
                await federation_files.record_continuation_file(unit(), parsed)
                upload_again = "taken again (WRONG)"
            except federation_files.ContinuationFileAlreadyReceived:
                upload_again = "409 already received"
            second = await counts(dsn)
        finally:
            await pool.close()
        raw = await raw_copy(dsn, content)
    receipt = result.receipt
    unchanged = second == first and again.receipt is None
    print(
        f"federation daily file: {records:,} records ({len(content) / 1e6:.1f} MB) fetched,"
        f" checked line by line, reconciled and {receipt.differences:,} differences stored in"
        f" {fetched:.1f} s ({records / fetched:,.0f} records/s); raw COPY of the same lines"
        f" {raw:.2f} s; ratio {fetched / raw:.1f}x | goal <= {GOAL_SECONDS:.0f} s for 220,000"
        f" records\n  re-run: fetch again -> {'skipped' if again.receipt is None else 'taken'},"
        f" same bytes uploaded -> {upload_again}; files/differences {first} before,"
        f" {second} after: {'nothing changed' if unchanged else 'CHANGED'}",
        flush=True,
    )
    changed = abs(second[0] - first[0]) + abs(second[1] - first[1])
    return [
        Row(
            f"federation daily file, {records:,} records: fetched, checked, reconciled",
            fetched,
            "s",
            baseline=raw,
            baseline_name="raw COPY of the same lines",
            goal=Goal("<=", GOAL_SECONDS),
        ),
        Row(
            "federation daily file: rows changed by a re-run",
            float(changed + (0 if again.receipt is None else 1)),
            "rows",
            goal=Goal("<=", 0),
            note=f"same bytes uploaded again: {upload_again}",
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=220_000)
    args = parser.parse_args()
    admin, _kafka = endpoints()
    print(table(asyncio.run(run(admin, args.records))))
