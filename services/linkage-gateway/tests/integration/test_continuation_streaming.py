"""The federation's daily file at the city's scale (issue 13), on the real PostgreSQL: the
KKH-SKK file sent as the body itself (``text/csv``), read line by line with the same
all-or-nothing checks as the JSON route, beyond the JSON route's 5,000,000 characters; and the
day's file fetched from the federation by the gateway's own job, where a re-run changes
nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.linkage_gateway.adapters.jobs import (
    CONTINUATION_JOB,
    scheduled_continuation_fetch,
)
from kokuho.linkage_gateway.app.federation_files import JST, continuation_file_name

from .test_intermediate_server import acquired, addressee, poll, publish

pytestmark = pytest.mark.integration

BATCH = "batch.operator"
CSV = {"Content-Type": "text/csv; charset=utf-8"}


def continuation(lines: list[str], day: str = "2026-09-02") -> str:
    return "\n".join([f"H,KKH-SKK,1,{day}", *lines, f"T,{len(lines)}"]) + "\n"


async def chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def counts(dsn: str) -> tuple[int, int]:
    conn = await asyncpg.connect(dsn)
    try:
        files = await conn.fetchval("SELECT count(*) FROM continuation_files")
        differences = await conn.fetchval("SELECT count(*) FROM continuation_differences")
        return int(files), int(differences)
    finally:
        await conn.close()


async def test_a_file_over_the_json_limit_is_received_streamed(gateway) -> None:  # type: ignore[no-untyped-def]
    """150,000 records, over 5,000,000 characters: the JSON route cannot take it, the streamed
    route does, sent in chunks that cut lines in the middle."""
    base = 7_000_000_000
    lines = [f"D,{base + i:010d},{10_000_000 + i % 1000:08d},2026-04-01," for i in range(150_000)]
    text = continuation(lines)
    assert len(text) > 5_000_000
    r = await gateway.client.put(
        "/api/v1/federation/continuation-files/KKH-SKK-1-20260902.csv",
        content=chunks(text.encode(), 65_521),  # a prime: chunk borders fall inside lines
        headers={**gateway.headers(BATCH), **CSV},
        timeout=120,
    )
    assert r.status_code == 201, r.text[:500]
    assert r.json()["records"] == 150_000
    assert r.json()["differences"] == 150_000  # none of them is known to this gateway
    assert await counts(gateway.settings.database_dsn) == (1, 150_000)

    too_long = await gateway.client.post(
        "/api/v1/federation/continuation-files",
        json={"file_name": "KKH-SKK-1-20260902.csv", "content": text},
        headers=gateway.headers(BATCH),
        timeout=120,
    )
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["pointer"] == "/body/content"


async def test_a_streamed_file_with_bad_lines_names_each_and_changes_nothing(  # type: ignore[no-untyped-def]
    gateway,
) -> None:
    good = [f"D,{addressee()},10000001,2026-04-01," for _ in range(3)]
    text = continuation([*good, f"D,{addressee()},1000000X,2026-04-01,", "X,what"])
    data = text.encode().replace(b"D,", b"D\xff,", 1)  # line 2 is not UTF-8 any more
    r = await gateway.client.put(
        "/api/v1/federation/continuation-files/KKH-SKK-1-20260902.csv",
        content=chunks(data, 5),
        headers={**gateway.headers(BATCH), **CSV},
    )
    assert r.status_code == 422, r.text
    assert r.json()["type"].endswith("federation-file-rejected")
    assert [(e["pointer"], e["reason"]) for e in r.json()["errors"]] == [
        ("/body/line/2", "the line is not UTF-8 text"),
        ("/body/line/5", "insured_number must be 8 digits"),
        ("/body/line/6", "unknown record type 'X'"),
    ]
    assert "C-16 alert: an inbound federation file was rejected" in gateway.logs.lines
    assert await counts(gateway.settings.database_dsn) == (0, 0)


async def test_the_same_file_by_either_route_is_taken_once(gateway) -> None:  # type: ignore[no-untyped-def]
    text = continuation([f"D,{addressee()},10000001,2026-04-01,"])
    first = await gateway.client.post(
        "/api/v1/federation/continuation-files",
        json={"file_name": "KKH-SKK-1-20260902.csv", "content": text},
        headers=gateway.headers(BATCH),
    )
    assert first.status_code == 201, first.text
    again = await gateway.client.put(
        "/api/v1/federation/continuation-files/KKH-SKK-1-20260902.csv",
        content=text.encode(),
        headers={**gateway.headers(BATCH), **CSV},
    )
    assert again.status_code == 409, again.text
    assert await counts(gateway.settings.database_dsn) == (1, 1)


async def test_a_streamed_file_needs_csv_a_role_and_a_plain_name(gateway) -> None:  # type: ignore[no-untyped-def]
    text = continuation([f"D,{addressee()},10000001,2026-04-01,"]).encode()
    path = "/api/v1/federation/continuation-files/KKH-SKK-1-20260902.csv"
    as_json = await gateway.client.put(
        path, content=text, headers={**gateway.headers(BATCH), "Content-Type": "application/json"}
    )
    assert as_json.status_code == 415
    assert as_json.json()["errors"][0]["pointer"] == "/header/content-type"
    clerk = await gateway.client.put(
        path, content=text, headers={**gateway.headers("auditor"), **CSV}
    )
    assert clerk.status_code == 403
    odd_name = await gateway.client.put(
        "/api/v1/federation/continuation-files/a%20b.csv",
        content=text,
        headers={**gateway.headers(BATCH), **CSV},
    )
    assert odd_name.status_code == 422
    assert await counts(gateway.settings.database_dsn) == (0, 0)


async def test_the_job_fetches_the_days_file_and_a_rerun_changes_nothing(  # type: ignore[no-untyped-def]
    gateway, kafka: KafkaConnection
) -> None:
    """The federation (simulator) writes the day's file from the insured changes it received;
    the gateway's job fetches it, reconciles it and keeps the differences; run again the same
    day, it fetches nothing and changes nothing."""
    known, other = addressee(), addressee()
    topic = gateway.settings.eligibility_topic
    await publish(kafka, topic, acquired(known, date(2026, 4, 1)), known)
    dsn = gateway.settings.database_dsn
    assert await poll(dsn, "SELECT 1 FROM insured_changes WHERE addressee_number = $1", known)
    assert await poll(dsn, "SELECT 1 FROM replicas WHERE addressee_number = $1", known)
    r = await gateway.client.post(
        "/api/v1/federation/transmissions", headers=gateway.headers(BATCH, user="U-BATCH")
    )
    assert r.status_code == 201, r.text
    today = datetime.now(UTC).astimezone(JST).date()
    # The federation also holds someone we never sent (another municipality's move-in).
    gateway.federation.received["KKH-IDO-2-other.csv"] = (
        f"D,acquired,{other},5000000009,22345678,広,1,01,2026-05-01,,,\n".encode()
    )

    kit = gateway.app.state.kit
    await scheduled_continuation_fetch(kit)
    after_first = await counts(dsn)
    assert after_first[0] == 1
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow("SELECT * FROM continuation_files")
        kinds = await conn.fetch("SELECT addressee_number, kind FROM continuation_differences")
    finally:
        await conn.close()
    assert row["file_name"] == continuation_file_name(today)
    assert row["file_date"] == today
    assert row["record_count"] == 2
    assert row["received_by"] == CONTINUATION_JOB
    # The person we sent matches our replica; the other one is unknown to us.
    assert [(k["addressee_number"], k["kind"]) for k in kinds] == [(other, "unknown-to-us")]

    await scheduled_continuation_fetch(kit)  # the same day again
    assert await counts(dsn) == after_first
    conn = await asyncpg.connect(dsn)
    try:
        audited = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE user_id = $1", CONTINUATION_JOB
        )
    finally:
        await conn.close()
    assert audited == 2  # both runs are on the audit trail


async def test_a_fetched_file_that_breaks_the_format_is_refused_and_retried(  # type: ignore[no-untyped-def]
    gateway,
) -> None:
    broken = gateway.federation

    async def bad_file(file_date: date) -> bytes:
        return continuation([f"D,{addressee()},1,2026-04-01,"], file_date.isoformat()).encode()

    broken.fetch_continuation_file = bad_file  # the federation sends a broken file today
    await scheduled_continuation_fetch(gateway.app.state.kit)
    assert await counts(gateway.settings.database_dsn) == (0, 0)
    assert "C-16 alert: the fetched continuation file was rejected" in gateway.logs.lines
