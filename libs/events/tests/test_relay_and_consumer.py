"""The relay and the inbox consumer on the real PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from cloudevents.core.bindings.kafka import KafkaMessage, from_structured
from cloudevents.core.formats.json import JSONFormat
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from kokuho.events.contracts import Envelope
from kokuho.events.runtime import consumer as consumer_module
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.consumer import (
    Delivery,
    InboxConsumer,
    PermanentFailure,
    missing_topics,
)
from kokuho.events.runtime.deadletters import REASON_HEADER, KafkaDeadLetters
from kokuho.events.runtime.inbox import PostgresInbox
from kokuho.events.runtime.kafka import KafkaSender, reliable_producer
from kokuho.events.runtime.relay import MARK_SQL, PENDING_SQL, OutboxRelay, RelayFailed, backlog
from kokuho.events.runtime.store import (
    EventContext,
    OutboxMessage,
    PostgresEventStore,
    StreamAppend,
    append,
)
from kokuho.events.runtime.topics import (
    TopicSpec,
    dead_letter_topic,
    ensure_topics,
    with_dead_letters,
)
from kokuho.events.testing.databases import append_committed
from kokuho.events.testing.kafka import read_topic
from kokuho.events.testing.sample import SampleRecorded
from kokuho.events.testing.waiting import eventually

pytestmark = pytest.mark.integration
SOURCE = "/kokuho/sample"


@pytest.fixture
async def topic(kafka: KafkaConnection, unique_topic: str) -> str:
    await ensure_topics(kafka, with_dead_letters([TopicSpec(unique_topic, partitions=3)]))
    return unique_topic


@pytest.fixture
async def producer(kafka: KafkaConnection) -> AsyncIterator[AIOKafkaProducer]:
    p = reliable_producer(kafka)
    await p.start()
    yield p
    await p.stop()


async def write(dsn: str, appends: list[StreamAppend]) -> None:
    await append_committed(dsn, appends, source=SOURCE)


class Applied:
    """A handler that records its effects in a table, in the consumer's transaction."""

    def __init__(self, fail: Callable[[Delivery], Awaitable[None]] | None = None) -> None:
        self.fail = fail
        self.trace_ids: list[int] = []

    async def __call__(self, conn: asyncpg.Connection, delivery: Delivery) -> None:
        if self.fail is not None:
            await self.fail(delivery)
        self.trace_ids.append(trace.get_current_span().get_span_context().trace_id)
        assert delivery.envelope is not None
        await conn.execute(
            "INSERT INTO applied (event_id, key, n) VALUES ($1, $2, $3)",
            delivery.envelope.id,
            delivery.key,
            delivery.envelope.data["n"],
        )


@contextlib.asynccontextmanager
async def running(*runners: Callable[[asyncio.Event], Awaitable[None]]) -> AsyncIterator[None]:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(r(stop)) for r in runners]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)


@pytest.fixture
async def applied_table(events_pool: asyncpg.Pool) -> asyncpg.Pool:
    await events_pool.execute(
        "CREATE TABLE applied (seq bigserial, event_id uuid, key text, n int)"
    )
    return events_pool


def consumer_for(
    pool: asyncpg.Pool,
    kafka: KafkaConnection,
    topic: str,
    handler: Any,
    producer: AIOKafkaProducer,
) -> InboxConsumer:
    return InboxConsumer(
        pool=pool,
        connection=kafka,
        group_id=f"g-{topic}",
        topics=[topic],
        handler=handler,
        dead_letters=KafkaDeadLetters(producer),
        max_attempts=3,
        backoff=0.01,
    )


async def count(pool: asyncpg.Pool, sql: str) -> int:
    return int(await pool.fetchval(sql))


async def on_kafka(events_db: str, producer: AIOKafkaProducer, topic: str, count: int) -> None:
    """``count`` SampleRecorded of one stream (``k``) written and relayed to ``topic``."""
    await write(
        events_db, [StreamAppend("k", 0, [SampleRecorded(n=n) for n in range(count)], topic=topic)]
    )
    relay = OutboxRelay(events_db, KafkaSender(producer), service="sample")
    conn = await asyncpg.connect(events_db)
    try:
        assert await relay.relay_once(conn) == count
    finally:
        await conn.close()


async def test_relay_publishes_valid_cloudevents_and_marks_them(
    events_db: str, kafka: KafkaConnection, topic: str, producer: AIOKafkaProducer
) -> None:
    await write(events_db, [StreamAppend("h-1", 0, [SampleRecorded(n=1)], topic=topic)])
    relay = OutboxRelay(events_db, KafkaSender(producer), service="sample")
    conn = await asyncpg.connect(events_db)
    try:
        assert await relay.relay_once(conn) == 1
        assert await backlog(conn) == 0
    finally:
        await conn.close()
    [record] = await read_topic(kafka, topic, expected=1)
    assert record.key == b"h-1"
    # An independent CloudEvents implementation reads what the relay put on Kafka.
    event = from_structured(
        KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value),
        JSONFormat(),
    )
    assert event.get_type() == SampleRecorded.event_type
    assert event.get_source() == SOURCE
    assert event.get_extension("sequence") == "1"
    assert event.get_data() == {"n": 1, "note": ""}
    assert dict(record.headers)["content-type"].startswith(b"application/cloudevents+json")


async def test_relay_killed_between_send_and_mark_resends_and_consumer_applies_once(
    events_db: str,
    applied_table: asyncpg.Pool,
    kafka: KafkaConnection,
    topic: str,
    producer: AIOKafkaProducer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await write(events_db, [StreamAppend("h-1", 0, [SampleRecorded(n=7)], topic=topic)])

    class Killed(BaseException):
        pass

    async def die(*_: object) -> None:
        raise Killed

    doomed = OutboxRelay(events_db, KafkaSender(producer), service="sample")
    monkeypatch.setattr(doomed, "_mark_published", die)
    conn = await asyncpg.connect(events_db)
    try:
        with pytest.raises(Killed):
            await doomed.relay_once(conn)
        assert await backlog(conn) == 1  # sent but not marked
        assert (
            await OutboxRelay(events_db, KafkaSender(producer), service="sample").relay_once(conn)
            == 1
        )
    finally:
        await conn.close()
    records = await read_topic(kafka, topic, expected=2)
    assert len(records) == 2
    assert (
        Envelope.from_json_bytes(records[0].value).id
        == Envelope.from_json_bytes(records[1].value).id
    )

    consumer = consumer_for(applied_table, kafka, topic, Applied(), producer)
    async with running(consumer.run):
        await eventually(lambda: _inbox_has(applied_table, 1))
        await asyncio.sleep(1.0)  # give the duplicate every chance to be applied
    assert await count(applied_table, "SELECT count(*) FROM applied") == 1
    assert await count(applied_table, "SELECT count(*) FROM inbox") == 1


async def _inbox_has(pool: asyncpg.Pool, n: int) -> bool:
    return await count(pool, "SELECT count(*) FROM inbox") >= n


async def test_poison_message_goes_to_the_dead_letter_topic_and_the_consumer_moves_on(
    events_db: str,
    applied_table: asyncpg.Pool,
    kafka: KafkaConnection,
    topic: str,
    producer: AIOKafkaProducer,
) -> None:
    # Same key, so all three land on one partition in this order.
    await producer.send_and_wait(topic, key=b"k", value=b"{not json")
    await write(
        events_db, [StreamAppend("k", 0, [SampleRecorded(n=1), SampleRecorded(n=13)], topic=topic)]
    )
    relay = OutboxRelay(events_db, KafkaSender(producer), service="sample", poll_interval=0.2)

    async def refuse_unlucky(delivery: Delivery) -> None:
        assert delivery.envelope is not None
        if delivery.envelope.data["n"] == 13:
            raise RuntimeError("thirteen is refused by this handler")

    consumer = consumer_for(applied_table, kafka, topic, Applied(refuse_unlucky), producer)
    async with running(relay.run, consumer.run):
        dead = await read_topic(kafka, dead_letter_topic(topic), expected=2)
        await eventually(lambda: _applied(applied_table, 1))
    reasons = {r.value: dict(r.headers)[REASON_HEADER].decode() for r in dead}
    assert len(reasons) == 2
    assert reasons.pop(b"{not json").startswith("ValidationError: 1 validation error for Envelope")
    [refused] = reasons.values()
    assert refused.startswith("failed after 3 attempts: RuntimeError: thirteen is refused")
    assert await count(applied_table, "SELECT count(*) FROM applied") == 1
    assert await count(applied_table, "SELECT n FROM applied") == 1


async def _applied(pool: asyncpg.Pool, n: int) -> bool:
    return await count(pool, "SELECT count(*) FROM applied") >= n


async def test_permanent_failure_is_not_retried(
    events_db: str,
    applied_table: asyncpg.Pool,
    kafka: KafkaConnection,
    topic: str,
    producer: AIOKafkaProducer,
) -> None:
    calls: list[int] = []

    async def refuse(delivery: Delivery) -> None:
        calls.append(1)
        raise PermanentFailure("no such household")

    await write(events_db, [StreamAppend("k", 0, [SampleRecorded(n=1)], topic=topic)])
    relay = OutboxRelay(events_db, KafkaSender(producer), service="sample", poll_interval=0.2)
    consumer = consumer_for(applied_table, kafka, topic, Applied(refuse), producer)
    async with running(relay.run, consumer.run):
        [dead] = await read_topic(kafka, dead_letter_topic(topic), expected=1)
    assert b"no such household" in dict(dead.headers)[REASON_HEADER]
    assert len(calls) == 2  # once in the batch, once alone; never the full retry budget


async def test_order_per_key_is_preserved_end_to_end(
    events_db: str,
    applied_table: asyncpg.Pool,
    kafka: KafkaConnection,
    topic: str,
    producer: AIOKafkaProducer,
) -> None:
    keys = [f"household-{i}" for i in range(6)]
    for round_ in range(10):
        await write(
            events_db,
            [
                StreamAppend(
                    k, round_ * 5, [SampleRecorded(n=round_ * 5 + j) for j in range(5)], topic=topic
                )
                for k in keys
            ],
        )
    relay = OutboxRelay(
        events_db, KafkaSender(producer), service="sample", poll_interval=0.2, batch_size=37
    )
    consumer = consumer_for(applied_table, kafka, topic, Applied(), producer)
    async with running(relay.run, consumer.run):
        await eventually(lambda: _applied(applied_table, 300))
    rows = await applied_table.fetch("SELECT key, n FROM applied ORDER BY seq")
    for key in keys:
        assert [r["n"] for r in rows if r["key"] == key] == list(range(50))


async def test_trace_context_reaches_the_consumer(
    events_db: str,
    applied_table: asyncpg.Pool,
    kafka: KafkaConnection,
    topic: str,
    producer: AIOKafkaProducer,
) -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("POST /api/v1/things") as span:
        request_trace_id = span.get_span_context().trace_id
        await write(events_db, [StreamAppend("k", 0, [SampleRecorded(n=1)], topic=topic)])
    handler = Applied()
    relay = OutboxRelay(events_db, KafkaSender(producer), service="sample", poll_interval=0.2)
    consumer = consumer_for(applied_table, kafka, topic, handler, producer)
    # The consumer's spans must be real (recording) spans: the process gets an SDK provider,
    # set the supported way and kept (the platform's telemetry takes an existing one as the
    # process's). Swapping the global for the test and back left the runtime's module-level
    # tracers bound to the swapped-in provider for the rest of the session, so later tests saw
    # no consumer spans.
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())
    async with running(relay.run, consumer.run):
        await eventually(lambda: _applied(applied_table, 1))
    assert handler.trace_ids == [request_trace_id]
    stored = await applied_table.fetchval("SELECT traceparent FROM outbox")
    assert stored is not None
    assert f"{request_trace_id:032x}" in stored


async def test_only_one_relay_is_active_per_service(
    events_db: str, producer: AIOKafkaProducer
) -> None:
    first = OutboxRelay(events_db, KafkaSender(producer), service="sample", poll_interval=0.1)
    second = OutboxRelay(events_db, KafkaSender(producer), service="sample", poll_interval=0.1)
    other = OutboxRelay(events_db, KafkaSender(producer), service="other", poll_interval=0.1)
    async with running(first.run):
        await eventually(lambda: _true(first.is_leader))
        async with running(second.run, other.run):
            await eventually(lambda: _true(other.is_leader))
            await asyncio.sleep(0.5)
            assert not second.is_leader
    # once the first relay stops, the standby takes over
    async with running(second.run):
        await eventually(lambda: _true(second.is_leader))


async def _true(value: bool) -> bool:
    return value


async def test_notify_wakes_the_relay_without_waiting_for_the_poll(
    events_db: str, kafka: KafkaConnection, topic: str, producer: AIOKafkaProducer
) -> None:
    relay = OutboxRelay(events_db, KafkaSender(producer), service="sample", poll_interval=3600)
    async with running(relay.run):
        await eventually(lambda: _true(relay.is_leader))
        await asyncio.sleep(0.3)  # the relay is now waiting for a NOTIFY (the poll is an hour)
        await write(events_db, [StreamAppend("k", 0, [SampleRecorded(n=1)], topic=topic)])
        records = await read_topic(kafka, topic, expected=1, timeout=15)
    assert len(records) == 1


async def test_compacted_topic_carries_latest_details_and_tombstones(
    events_db: str, kafka: KafkaConnection, unique_topic: str, producer: AIOKafkaProducer
) -> None:
    details = f"{unique_topic}.personal-details"
    await ensure_topics(kafka, [TopicSpec(details, partitions=1, compacted=True)])
    conn = await asyncpg.connect(events_db)
    try:
        async with conn.transaction():
            store = PostgresEventStore(conn, source=SOURCE)
            [recorded] = await append(
                store, "000001", 0, [SampleRecorded(n=1)], context=EventContext()
            )
            await store.put_latest(details, "000001", recorded.envelope)
            await store.put_latest(details, "000001", None)
        await OutboxRelay(events_db, KafkaSender(producer), service="sample").relay_once(conn)
    finally:
        await conn.close()
    records = await read_topic(kafka, details, expected=2)
    assert [(r.key, r.value is None) for r in records] == [(b"000001", False), (b"000001", True)]

    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        [response] = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, details)]
        )
        configs = {c[0]: c[1] for c in response.resources[0][4]}
    finally:
        await admin.close()
    assert configs["cleanup.policy"] == "compact"


async def test_only_acknowledged_rows_are_marked_published(
    events_db: str, topic: str, kafka: KafkaConnection
) -> None:
    missing = f"missing.{topic}"  # auto-creation is off: the broker never acknowledges it
    await write(
        events_db,
        [
            StreamAppend("a", 0, [SampleRecorded(n=1)], topic=topic),
            StreamAppend("b", 0, [SampleRecorded(n=2)], topic=missing),
            StreamAppend("c", 0, [SampleRecorded(n=3)], topic=topic),
        ],
    )
    fast = reliable_producer(kafka, request_timeout_ms=3000)
    await fast.start()
    conn = await asyncpg.connect(events_db)
    try:
        with pytest.raises(RelayFailed, match="acknowledged 1 of 3"):
            await OutboxRelay(events_db, KafkaSender(fast), service="sample").relay_once(conn)
        assert await backlog(conn) == 2  # the refused row and the one behind it wait
    finally:
        await conn.close()
        await fast.stop()


class _Broker:
    """A sender that acknowledges all but the batch numbered ``refuse`` (of which it takes
    only the first message), and records which batches it was handed and when."""

    def __init__(self, refuse: int | None = None) -> None:
        self.batches: list[list[int]] = []
        self.refuse = refuse

    async def send_all(self, messages: Sequence[OutboxMessage]) -> int:
        self.batches.append([int(m.key) for m in messages])
        await asyncio.sleep(0.05)  # the broker's round trip, during which the relay reads on
        return 1 if len(self.batches) - 1 == self.refuse else len(messages)


async def test_the_relay_sends_a_batch_only_after_the_one_before_was_acknowledged_in_full(
    events_db: str, topic: str
) -> None:
    await write(
        events_db,
        [StreamAppend(f"{n:03d}", 0, [SampleRecorded(n=n)], topic=topic) for n in range(10)],
    )
    conn = await asyncpg.connect(events_db)
    try:
        broker = _Broker()
        relay = OutboxRelay(events_db, broker, service="sample", batch_size=4)
        assert await relay.relay_available(conn) == 10
        assert broker.batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
        assert await backlog(conn) == 0
        assert await relay.relay_available(conn) == 0

        await write(
            events_db,
            [
                StreamAppend(f"{n:03d}", 0, [SampleRecorded(n=n)], topic=topic)
                for n in range(10, 20)
            ],
        )
        refusing = _Broker(refuse=1)
        relay = OutboxRelay(events_db, refusing, service="sample", batch_size=4)
        with pytest.raises(RelayFailed, match="acknowledged 1 of 4"):
            await relay.relay_available(conn)
        # the batch after the refused one was read but never sent; the refused one's rest waits
        assert refusing.batches == [[10, 11, 12, 13], [14, 15, 16, 17]]
        assert await backlog(conn) == 5
        again = _Broker()
        assert (
            await OutboxRelay(events_db, again, service="sample", batch_size=4).relay_available(
                conn
            )
            == 5
        )
        assert again.batches == [[15, 16, 17, 18], [19]]
    finally:
        await conn.close()


async def test_a_consumer_waits_for_a_missing_topic_then_consumes_it(
    events_db: str,
    applied_table: asyncpg.Pool,
    kafka: KafkaConnection,
    unique_topic: str,
    producer: AIOKafkaProducer,
) -> None:
    consumer = consumer_for(applied_table, kafka, unique_topic, Applied(), producer)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer._wait_for_topics(stop, poll=0.2))
    await asyncio.sleep(0.5)
    assert not task.done()  # still waiting: the owner has not created the topic
    await ensure_topics(kafka, with_dead_letters([TopicSpec(unique_topic)]))
    assert await asyncio.wait_for(task, 10) is True

    # Stopping while waiting returns at once instead of hanging.
    waiting = asyncio.create_task(
        consumer_for(applied_table, kafka, f"{unique_topic}.never", Applied(), producer).run(stop)
    )
    await asyncio.sleep(0.3)
    stop.set()
    await asyncio.wait_for(waiting, 5)


async def test_missing_topics_names_only_the_absent_ones_and_creates_none(
    kafka: KafkaConnection, unique_topic: str
) -> None:
    """The consumer's wait asks for its own topics only (not the whole cluster's list) and its
    question never creates a topic, even on a broker that auto-creates them."""
    await ensure_topics(kafka, [TopicSpec(unique_topic)])
    absent = f"{unique_topic}.absent"
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        assert await missing_topics(admin, [unique_topic, absent]) == {absent}
        assert await missing_topics(admin, [unique_topic]) == set()
        assert absent not in await admin.list_topics()
    finally:
        await admin.close()


async def test_the_next_round_is_decoded_while_one_is_applied_and_offsets_follow_the_effects(
    events_db: str,
    applied_table: asyncpg.Pool,
    kafka: KafkaConnection,
    topic: str,
    producer: AIOKafkaProducer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rounds of one message: while the first is held in its handler, the consumer has already
    fetched and decoded the second (ADR 0102), yet applies nothing of it and commits no offset
    until the first round's transaction is done; the first round's offset is committed while
    the second is applied."""
    await on_kafka(events_db, producer, topic, 3)

    decoded: list[int] = []
    real = consumer_module.decode_round

    def watching(batches: Any) -> Any:
        fetched = real(batches)
        decoded.extend(record.offset for record, _ in fetched.items)
        return fetched

    monkeypatch.setattr(consumer_module, "decode_round", watching)
    gate, second_gate = asyncio.Event(), asyncio.Event()

    async def hold_the_first(delivery: Delivery) -> None:
        if delivery.offset == 0:
            await gate.wait()
        if delivery.offset == 1:
            await second_gate.wait()

    consumer = consumer_for(applied_table, kafka, topic, Applied(hold_the_first), producer)
    consumer._max_records = 1
    group = f"g-{topic}"
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        async with running(consumer.run):
            await eventually(lambda: _true(decoded == [0, 1]))
            await asyncio.sleep(0.3)  # whatever else it would do, it does now
            assert decoded == [0, 1]  # one round ahead, no more
            assert await count(applied_table, "SELECT count(*) FROM applied") == 0
            assert await _committed(admin, group) == {}
            gate.set()
            # the first round's offset is committed while the second round is applied
            await eventually(lambda: _committed_is(admin, group, 1))
            assert await count(applied_table, "SELECT count(*) FROM applied") == 1
            second_gate.set()
            await eventually(lambda: _applied(applied_table, 3))
            await eventually(lambda: _committed_is(admin, group, 3))
    finally:
        await admin.close()
    rows = await applied_table.fetch("SELECT n FROM applied ORDER BY seq")
    assert [r["n"] for r in rows] == [0, 1, 2]


async def test_a_rounds_inbox_insert_is_sent_before_the_next_round_is_decoded(
    events_db: str,
    applied_table: asyncpg.Pool,
    kafka: KafkaConnection,
    topic: str,
    producer: AIOKafkaProducer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """getmany hands back a buffered poll without yielding: the consumer first lets the round
    it starts send its inbox insert, so PostgreSQL works on it while the next round is decoded
    (ADR 0105); the effects stay in order and each is applied once."""
    await on_kafka(events_db, producer, topic, 4)

    steps: list[str] = []
    real_decode = consumer_module.decode_round
    real_record = PostgresInbox.record_new

    def decoding(batches: Any) -> Any:
        fetched = real_decode(batches)
        steps.extend(f"decoded {record.offset}" for record in fetched.records)
        return fetched

    async def recording(self: PostgresInbox, consumer: str, ids: Sequence[Any]) -> Any:
        steps.append(f"insert {len([s for s in steps if s.startswith('insert')])}")
        return await real_record(self, consumer, ids)

    monkeypatch.setattr(consumer_module, "decode_round", decoding)
    monkeypatch.setattr(PostgresInbox, "record_new", recording)
    consumer = consumer_for(applied_table, kafka, topic, Applied(), producer)
    consumer._max_records = 1  # a round per message: round k is offset k
    async with running(consumer.run):
        await eventually(lambda: _applied(applied_table, 4))
    for k in range(3):
        assert steps.index(f"insert {k}") < steps.index(f"decoded {k + 1}"), steps
    rows = await applied_table.fetch("SELECT n FROM applied ORDER BY seq")
    assert [r["n"] for r in rows] == [0, 1, 2, 3]
    assert await count(applied_table, "SELECT count(*) FROM inbox") == 4


async def _committed(admin: AIOKafkaAdminClient, group: str) -> dict[int, int]:
    offsets = await admin.list_consumer_group_offsets(group)
    return {tp.partition: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}


async def _committed_is(admin: AIOKafkaAdminClient, group: str, total: int) -> bool:
    return sum((await _committed(admin, group)).values()) == total


async def test_a_batch_is_marked_while_the_next_one_is_sent(events_db: str, topic: str) -> None:
    """The mark of an acknowledged batch waits here until the next batch is with the broker:
    a relay that marked before sending the next batch would never get there."""
    await write(
        events_db,
        [StreamAppend(f"{n:03d}", 0, [SampleRecorded(n=n)], topic=topic) for n in range(10)],
    )
    broker = _Broker()
    relay = OutboxRelay(events_db, broker, service="sample", batch_size=4)
    real_mark = relay._mark_published
    conn = await relay.connect()
    last = await conn.fetchval("SELECT max(position) FROM outbox")

    async def mark_once_the_next_is_sent(
        conn: asyncpg.Connection, positions: list[int], count: int
    ) -> None:
        if positions and positions[-1] != last:  # the last batch has none after it
            sent_before = len(broker.batches)
            await eventually(lambda: _true(len(broker.batches) > sent_before), timeout=10)
        await real_mark(conn, positions, count)

    relay._mark_published = mark_once_the_next_is_sent  # type: ignore[method-assign]
    try:
        assert await asyncio.wait_for(relay.relay_available(conn), 30) == 10
        assert broker.batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
        assert await backlog(conn) == 0
    finally:
        await conn.close()


async def test_the_relay_reads_and_marks_by_index_however_stale_the_statistics(
    events_db: str, topic: str
) -> None:
    """A burst of rows before the statistics know of it: on the relay's connection the read
    walks the unpublished index in order (no sort of the whole backlog per batch, only of a
    group's events within their row) and the mark finds its rows by primary key (no scan of
    the table per batch)."""
    conn = await asyncpg.connect(events_db)
    try:
        store = PostgresEventStore(conn, source=SOURCE)
        async with conn.transaction():
            await store.append_batch(
                [StreamAppend(f"s-{i}", 0, [SampleRecorded(n=i)], topic=topic) for i in range(5000)]
            )
    finally:
        await conn.close()
    relay = OutboxRelay(events_db, _Broker(), service="sample")
    conn = await relay.connect()
    try:
        read = "\n".join(r[0] for r in await conn.fetch(f"EXPLAIN {PENDING_SQL}", 2000, 0))
        mark = "\n".join(
            r[0] for r in await conn.fetch(f"EXPLAIN {MARK_SQL}", list(range(1, 2001)))
        )
    finally:
        await conn.close()
    # a group's events are put in order within its row only (ADR 0111), never the backlog
    sorts = [line for line in read.splitlines() if "Sort" in line and "Key" not in line]
    assert all("Incremental Sort" in line for line in sorts), read
    assert 'Presorted Key: counted."position"' in read or not sorts, read
    assert "Index Scan using outbox_unpublished" in read
    assert "Seq Scan" not in mark
    assert "outbox_pkey" in mark
