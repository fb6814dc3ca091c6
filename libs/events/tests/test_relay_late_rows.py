"""A row that commits after the relay read past its position (positions are drawn when a row
is written, not when it commits) is sent before the later events of its stream: the relay's
read ahead must not put them first (found by the fault suite under load: a stream's event
first on Kafka after its successors)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg
import pytest

from kokuho.events.runtime import relay as relay_module
from kokuho.events.runtime.relay import OutboxRelay, backlog
from kokuho.events.runtime.store import OutboxMessage, PostgresEventStore, StreamAppend
from kokuho.events.testing.sample import SampleRecorded

pytestmark = pytest.mark.integration

SOURCE = "/kokuho/sample"


class Broker:
    def __init__(self) -> None:
        self.sent: list[tuple[str, int]] = []

    async def send_all(self, messages: Sequence[OutboxMessage]) -> int:
        for m in messages:
            assert m.value is not None
            self.sent.append((m.key, int(m.value.split(b'"sequence":"')[1].split(b'"')[0])))
        return len(messages)


async def test_a_row_committed_late_behind_a_batch_goes_before_its_streams_next_events(
    events_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = await asyncpg.connect(events_db)
    other = await asyncpg.connect(events_db)
    try:
        # x's first event gets its position first but commits last
        slow = late.transaction()
        await slow.start()
        await PostgresEventStore(late, source=SOURCE).append_batch(
            [StreamAppend("x", 0, [SampleRecorded(n=1)], topic="t", partition_key="x")]
        )
        async with other.transaction():
            await PostgresEventStore(other, source=SOURCE).append_batch(
                [StreamAppend("y", 0, [SampleRecorded(n=1)], topic="t", partition_key="y")]
            )

        real_pending = relay_module.pending
        committed = False

        async def pending(conn: asyncpg.Connection, limit: int, after: int = 0) -> Any:
            nonlocal committed
            if after and not committed:
                committed = True
                # while y's batch is on its way: x's first event commits, then its second
                await slow.commit()
                async with other.transaction():
                    await PostgresEventStore(other, source=SOURCE).append_batch(
                        [StreamAppend("x", 1, [SampleRecorded(n=2)], topic="t", partition_key="x")]
                    )
            return await real_pending(conn, limit, after)

        monkeypatch.setattr(relay_module, "pending", pending)
        broker = Broker()
        relay = OutboxRelay(events_db, broker, service="sample")
        conn = await relay.connect()
        try:
            assert await relay.relay_available(conn) == 3
            assert await backlog(conn) == 0
        finally:
            await conn.close()
    finally:
        await late.close()
        await other.close()
    assert broker.sent[0] == ("y", 1)
    assert [s for s in broker.sent if s[0] == "x"] == [("x", 1), ("x", 2)]
