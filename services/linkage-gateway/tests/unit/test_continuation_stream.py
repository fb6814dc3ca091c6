"""The continuation file read as it streams reads exactly as the whole text does (the same
records, the same errors at the same lines), whatever the chunk borders; the daily fetch's
timing at its boundaries."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, time

import pytest

from kokuho.linkage_gateway.adapters.jobs import daily, passed_today, seconds_until
from kokuho.linkage_gateway.domain.federation import (
    ContinuationStream,
    FileRejected,
    parse_continuation_file,
)

GOOD = (
    "H,KKH-SKK,1,2026-09-02\n"
    "D,1000000001,10000001,2026-04-01,\n"
    "D,1000000002,10000002,2026-04-01,2026-08-31\n"
    "T,2\n"
)
BAD = (
    "H,KKH-SKK,1,2026-09-02\n"
    "D,1000000001,10000001,2026-04-01,\n"
    "D,1000000001,1000000X,2026-04-01,\n"
    "D,100000000,10000003,2026-08-01,2026-04-01\n"
    "T,7\n"
    "D,1000000004,10000004,2026-04-01,\n"
)


def streamed(data: bytes, size: int) -> ContinuationStream:
    stream = ContinuationStream()
    for start in range(0, len(data), size):
        stream.feed(data[start : start + size])
    return stream


@pytest.mark.parametrize("size", [1, 2, 7, 33, 4096])
def test_a_good_file_streams_to_the_same_records(size: int) -> None:
    stream = streamed(GOOD.encode(), size)
    assert stream.finish() == parse_continuation_file(GOOD)
    assert stream.size == len(GOOD.encode())


@pytest.mark.parametrize("size", [1, 3, 50, 4096])
def test_a_bad_file_streams_to_the_same_errors(size: int) -> None:
    with pytest.raises(FileRejected) as whole:
        parse_continuation_file(BAD)
    with pytest.raises(FileRejected) as stream:
        streamed(BAD.encode(), size).finish()
    assert stream.value.errors == whole.value.errors
    assert [e.line for e in stream.value.errors] == [3, 3, 4, 4, 5, 6]


def test_the_last_line_needs_no_line_break() -> None:
    assert streamed(GOOD.rstrip("\n").encode(), 10).finish() == parse_continuation_file(GOOD)


def test_a_line_that_is_not_utf8_is_named_and_the_rest_still_checked() -> None:
    data = GOOD.encode().replace(b"10000002,", b"1000\xe3\x81,", 1)
    with pytest.raises(FileRejected) as rejected:
        streamed(data, 4).finish()
    assert [(e.line, e.reason) for e in rejected.value.errors] == [
        (3, "the line is not UTF-8 text")
    ]


def test_an_empty_stream_is_an_empty_file() -> None:
    with pytest.raises(FileRejected) as rejected:
        ContinuationStream().finish()
    assert [(e.line, e.reason) for e in rejected.value.errors] == [(1, "the file is empty")]


def test_the_stream_gives_the_digest_of_the_bytes() -> None:
    assert streamed(GOOD.encode(), 5).sha256 == hashlib.sha256(GOOD.encode()).hexdigest()


# 06:30 in Japan is 21:30 UTC the day before.
AT = time(6, 30)


def test_the_fetch_time_itself_waits_for_the_next_day() -> None:
    exactly = datetime(2026, 9, 1, 21, 30, tzinfo=UTC)
    assert passed_today(AT, exactly)
    assert seconds_until(AT, exactly) == 24 * 3600


def test_a_second_before_the_fetch_time() -> None:
    before = datetime(2026, 9, 1, 21, 29, 59, tzinfo=UTC)
    assert not passed_today(AT, before)
    assert seconds_until(AT, before) == 1


def test_a_second_after_the_fetch_time() -> None:
    after = datetime(2026, 9, 1, 21, 30, 1, tzinfo=UTC)
    assert passed_today(AT, after)
    assert seconds_until(AT, after) == 24 * 3600 - 1


class Kit:
    """What ``daily`` uses of the service kit: its clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def clock(self) -> datetime:
        return self.now


async def run_daily_for_a_moment(now: datetime) -> int:
    runs = 0

    async def fetch(_kit: object) -> None:
        nonlocal runs
        runs += 1

    stop = asyncio.Event()
    task = asyncio.create_task(daily(AT, fetch)(Kit(now), stop))  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 5)
    return runs


async def test_a_gateway_started_after_the_fetch_time_catches_up_once() -> None:
    assert await run_daily_for_a_moment(datetime(2026, 9, 1, 22, 0, tzinfo=UTC)) == 1


async def test_a_gateway_started_before_the_fetch_time_waits_for_it() -> None:
    assert await run_daily_for_a_moment(datetime(2026, 9, 1, 21, 0, tzinfo=UTC)) == 0
