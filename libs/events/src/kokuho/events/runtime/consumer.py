"""The inbox consumer: applies each event once, commits offsets by hand, never drops a failure.

For each poll (a round: up to ``max_records`` messages of one or more partitions), one
transaction records ``(consumer, event_id)`` in ``inbox`` and runs the handler for the ids not
seen before, partition by partition in offset order; then the round's offsets are committed.
If anything in the round fails, it is rolled back and replayed message by message so that one
bad message cannot hold up the rest: a handler failure is retried with exponential backoff and,
after the last attempt, sent to ``<topic>.dlq`` with the reason; a message that cannot be
decoded goes there at once. Lost database connections are retried without limit (the offsets
stay uncommitted), because a database outage is not the message's fault.

The next round is fetched and decoded while the one before is applied, and a round's offsets
are committed while the next one is applied (ADR 0102): decoding is this process's CPU,
applying and committing mostly wait for PostgreSQL and the broker. A round's inbox insert is
sent before the next round is decoded, so PostgreSQL works on it meanwhile (ADR 0105). Rounds
are still applied one at a time, in order, their offsets committed in order and only after
their transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.metadata import MetadataRequest
from opentelemetry import trace
from pydantic import ValidationError

from kokuho.events.contracts import (
    Envelope,
    EventContract,
    UnknownEventType,
    contract_for,
)
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.deadletters import DeadLetterSink, FailedMessage
from kokuho.events.runtime.inbox import PostgresInbox
from kokuho.events.runtime.metrics import (
    CONSUMER_LAG,
    DEAD_LETTERS,
    RuntimeMetrics,
    runtime_metrics,
)
from kokuho.events.runtime.tracing import TRACER, context_from, spans_exported

log = logging.getLogger(__name__)


class Delivery(NamedTuple):
    """A decoded message. ``envelope`` and ``event`` are None for a tombstone.

    Immutable; a named tuple rather than a frozen dataclass because it is made once per
    message, and the frozen dataclass's ``__init__`` (one ``object.__setattr__`` per field)
    cost three times as much (issue 15, ADR 0105)."""

    topic: str
    partition: int
    offset: int
    key: str | None
    envelope: Envelope | None
    event: EventContract | None


Handler = Callable[[asyncpg.Connection, Delivery], Awaitable[None]]


class PermanentFailure(Exception):
    """Raised by a handler for a message that will never succeed: no retry, straight to DLQ."""


class Undecodable(Exception):
    pass


_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.InterfaceError,
)


def decode(record: ConsumerRecord[bytes, bytes]) -> Delivery:
    key = record.key.decode() if record.key is not None else None
    if record.value is None:
        return Delivery(record.topic, record.partition, record.offset, key, None, None)
    try:
        # The validators themselves (the same checks as Envelope.from_json_bytes and
        # parse_data, without their Python wrappers: a tenth of decoding, issue 15).
        envelope: Envelope = _ENVELOPE.validate_json(record.value)
        event: EventContract = _data_validator(envelope.type)(envelope.data)
    except (ValidationError, UnknownEventType, UnicodeDecodeError, ValueError) as exc:
        raise Undecodable(_reason(exc)) from exc
    return Delivery(record.topic, record.partition, record.offset, key, envelope, event)


_ENVELOPE = Envelope.__pydantic_validator__
_DATA_VALIDATORS: dict[str, Callable[[object], EventContract]] = {}


def _data_validator(event_type: str) -> Callable[[object], EventContract]:
    validator = _DATA_VALIDATORS.get(event_type)
    if validator is None:
        validator = contract_for(event_type).__pydantic_validator__.validate_python
        _DATA_VALIDATORS[event_type] = validator
    return validator


@dataclass
class _Round:
    """One poll's messages, decoded: ``records`` in partition then offset order and, at the
    same index in ``decoded``, each one's Delivery or the reason it cannot be decoded; per
    partition, the first offset taken and the offset to commit once the round is applied.
    Two lists rather than a list of pairs: a pair per message was one more object for the
    cyclic collector to walk while the round waits (ADR 0105)."""

    records: list[ConsumerRecord[bytes, bytes]]
    decoded: list[Delivery | str]
    firsts: dict[TopicPartition, int]
    offsets: dict[TopicPartition, int]

    @property
    def items(self) -> list[tuple[ConsumerRecord[bytes, bytes], Delivery | str]]:
        return list(zip(self.records, self.decoded, strict=True))


def decode_round(batches: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]) -> _Round:
    taken: list[ConsumerRecord[bytes, bytes]] = []
    decoded: list[Delivery | str] = []
    firsts: dict[TopicPartition, int] = {}
    offsets: dict[TopicPartition, int] = {}
    collecting = gc.isenabled()
    if collecting:
        gc.disable()
    try:
        for tp, records in batches.items():
            if not records:
                continue
            for record in records:
                try:
                    decoded.append(decode(record))
                except Undecodable as exc:
                    decoded.append(str(exc))
            taken.extend(records)
            firsts[tp] = records[0].offset
            offsets[tp] = records[-1].offset + 1
    finally:
        if collecting:
            gc.enable()
    return _Round(taken, decoded, firsts, offsets)


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:500]


class InboxConsumer:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        connection: KafkaConnection,
        group_id: str,
        topics: Sequence[str],
        handler: Handler,
        dead_letters: DeadLetterSink,
        consumer_name: str | None = None,
        max_attempts: int = 5,
        backoff: float = 0.1,
        max_backoff: float = 5.0,
        max_records: int = 1000,
        metrics: RuntimeMetrics | None = None,
        measure_interval: float = 1.0,
    ) -> None:
        self._pool = pool
        self._connection = connection
        self._group_id = group_id
        self._topics = list(topics)
        self._handler = handler
        self._dead_letters = dead_letters
        self.name = consumer_name or group_id
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._max_records = max_records
        self._metrics = metrics or runtime_metrics()
        self._measure_interval = measure_interval
        self._measured_at: float | None = None
        #: per partition, the offset after the last message applied and committed
        self._applied: dict[TopicPartition, int] = {}
        self.assigned = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        if not await self._wait_for_topics(stop):
            return
        consumer = AIOKafkaConsumer(
            *self._topics,
            **self._connection.client_options(),
            group_id=self._group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self._max_records,
        )
        await consumer.start()
        applying: asyncio.Task[dict[TopicPartition, int]] | None = None
        committing: asyncio.Task[None] | None = None
        try:
            while not stop.is_set():
                batches = await consumer.getmany(timeout_ms=200, max_records=self._max_records)
                if consumer.assignment():
                    self.assigned.set()
                fetched = decode_round(batches)  # while the round before is being applied
                if applying is not None:
                    applied = await applying  # or its failure raised here
                    applying = None
                    # its offsets go to the broker while the next round is applied
                    committing = asyncio.create_task(self._commit(consumer, applied, committing))
                if committing is not None and committing.done():
                    committing.result()  # a refused commit stops the consumer, as before
                    committing = None
                if fetched.records:
                    self._note_fetched(fetched)
                    sent = asyncio.Event()
                    applying = asyncio.create_task(self._apply_round(fetched, stop, sent))
                    # getmany returns a buffered poll without yielding: without this wait the
                    # round's statements would only be sent once the next round is decoded
                    # (ADR 0105).
                    await sent.wait()
                if self._measured_at is None or (
                    time.monotonic() - self._measured_at >= self._measure_interval
                ):
                    await self.measure_lag(consumer)
            if applying is not None:
                applied = await applying
                committing = asyncio.create_task(self._commit(consumer, applied, committing))
            if committing is not None:
                await committing
        finally:
            for task in (applying, committing):
                if task is not None and not task.done():
                    task.cancel()  # rolled back or not committed: delivered again, then dropped
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            self._metrics.forget(self)
            await consumer.stop()

    async def _apply_round(
        self, fetched: _Round, stop: asyncio.Event, sent: asyncio.Event
    ) -> dict[TopicPartition, int]:
        try:
            await self.apply(fetched, stop, sent)
        finally:
            sent.set()  # nothing sent (dead letters only, a failure): release the loop anyway
        return fetched.offsets

    async def _commit(
        self,
        consumer: AIOKafkaConsumer,
        offsets: dict[TopicPartition, int],
        before: asyncio.Task[None] | None,
    ) -> None:
        """Commit an applied round's offsets after the round before's (commits stay in order)."""
        if before is not None:
            await before
        await consumer.commit(offsets)
        self._applied.update(offsets)

    def _note_fetched(self, fetched: _Round) -> None:
        # A partition met for the first time (or again, after another member moved it on) is
        # applied up to its first fetched offset: the group starts at the committed offset.
        for tp, first in fetched.firsts.items():
            if self._applied.get(tp, -1) < first:
                self._applied[tp] = first

    async def measure_lag(self, consumer: AIOKafkaConsumer) -> None:
        """Report ``kokuho.consumer.lag`` for each partition this member holds: the high
        watermark of the last fetch less the offset after the last message applied and
        committed (the consumer's position may be a round ahead of it while that round is
        applied; for a partition nothing was taken from, they are the same)."""
        readings = []
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is None:  # no fetch answered for it yet
                continue
            applied = self._applied.get(tp)
            if applied is None:
                applied = await consumer.position(tp)
            readings.append(
                (
                    {
                        "messaging.consumer.group.name": self._group_id,
                        "messaging.destination.name": tp.topic,
                        "messaging.destination.partition.id": str(tp.partition),
                    },
                    max(0, highwater - applied),
                )
            )
        self._metrics.report(CONSUMER_LAG, self, readings)
        self._measured_at = time.monotonic()

    async def _wait_for_topics(self, stop: asyncio.Event, poll: float = 5.0) -> bool:
        """Wait until every subscribed topic exists (their owners create them). Subscribing to
        a missing topic makes the Kafka client spin on metadata errors and hang on stop."""
        admin = AIOKafkaAdminClient(**self._connection.client_options())
        await admin.start()
        warned = False
        try:
            while not stop.is_set():
                errors = await topic_errors(admin, self._topics)
                missing = {t for t in self._topics if errors.get(t, -1) != 0}
                if not missing:
                    return True
                refused = sorted(t for t in missing if errors[t] == TOPIC_AUTHORIZATION_FAILED)
                if not warned and refused:
                    log.error(
                        "the broker refuses this service's Kafka user these topics (ACLs)",
                        extra={
                            "topics": refused,
                            "consumer": self.name,
                            "principal": self._connection.principal,
                        },
                    )
                elif not warned:
                    log.warning(
                        "waiting for topics to be created by their owners",
                        extra={"topics": sorted(missing), "consumer": self.name},
                    )
                warned = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), poll)
            return False
        finally:
            await admin.close()

    async def apply(
        self, fetched: _Round, stop: asyncio.Event, sent: asyncio.Event | None = None
    ) -> None:
        """Apply one round; returns once every message is applied or dead-lettered. ``sent``
        is set once the round's inbox insert is on its way to PostgreSQL."""
        deliveries: list[Delivery] = []
        for record, decoded in zip(fetched.records, fetched.decoded, strict=True):
            if isinstance(decoded, str):
                await self._dead_letter(record, decoded)
            else:
                deliveries.append(decoded)
        try:
            await self._apply_batch(deliveries, sent)
        except Exception as exc:  # any failure: replay one by one to isolate it
            log.info("batch failed, replaying one by one", extra={"error": _reason(exc)})
            for record, decoded in zip(fetched.records, fetched.decoded, strict=True):
                if not isinstance(decoded, str):
                    await self._apply_one(decoded, record, stop)

    async def _apply_batch(
        self, deliveries: Sequence[Delivery], sent: asyncio.Event | None = None
    ) -> None:
        if not deliveries:
            return
        ids = [d.envelope.id for d in deliveries if d.envelope is not None]
        async with self._pool.acquire() as conn, conn.transaction():
            if sent is not None:
                # Set before the insert's await: the waiting loop resumes only once this
                # task is suspended, i.e. once the statement is written to the connection.
                sent.set()
            new = await PostgresInbox(conn).record_new(self.name, ids)
            if new is None:  # every id new, none twice: the usual round
                for delivery in deliveries:
                    await self._call_handler(conn, delivery)
                return
            for delivery in deliveries:
                if delivery.envelope is not None:
                    if delivery.envelope.id not in new:
                        continue  # already applied (a re-send), or twice in this batch
                    new.discard(delivery.envelope.id)
                await self._call_handler(conn, delivery)

    async def _apply_one(
        self,
        delivery: Delivery,
        record: ConsumerRecord[bytes, bytes],
        stop: asyncio.Event,
    ) -> None:
        attempt = 0
        delay = self._backoff
        while True:
            try:
                async with self._pool.acquire() as conn, conn.transaction():
                    if delivery.envelope is not None and not await PostgresInbox(conn).first_seen(
                        self.name, [delivery.envelope.id]
                    ):
                        return  # already applied
                    await self._call_handler(conn, delivery)
                return
            except PermanentFailure as exc:
                await self._dead_letter(record, _reason(exc))
                return
            except _CONNECTION_ERRORS as exc:
                if stop.is_set():
                    raise  # leave the offset uncommitted; the next run starts here
                log.warning("database unavailable, retrying", extra={"error": _reason(exc)})
            except Exception as exc:
                attempt += 1
                if attempt >= self._max_attempts:
                    await self._dead_letter(
                        record, f"failed after {attempt} attempts: {_reason(exc)}"
                    )
                    return
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._max_backoff)

    async def _call_handler(self, conn: asyncpg.Connection, delivery: Delivery) -> None:
        envelope = delivery.envelope
        if not spans_exported() and (envelope is None or envelope.traceparent is None):
            # No span would be recorded and there is no trace to carry on to what the handler
            # publishes: the span and the context extraction (a fifth of the consumer's CPU per
            # event, issue 15) would change nothing.
            await self._handler(conn, delivery)
            return
        parent = context_from(
            envelope.traceparent if envelope else None, envelope.tracestate if envelope else None
        )
        with TRACER.start_as_current_span(
            f"{delivery.topic} process",
            context=parent,
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": delivery.topic,
                "messaging.consumer.group.name": self._group_id,
                "messaging.message.id": str(envelope.id) if envelope else "",
            },
        ):
            await self._handler(conn, delivery)

    async def _dead_letter(self, record: ConsumerRecord[bytes, bytes], reason: str) -> None:
        log.error(
            "message dead-lettered",
            extra={"topic": record.topic, "offset": record.offset, "reason": reason},
        )
        await self._dead_letters.send(
            FailedMessage(
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
                key=record.key,
                value=record.value,
                headers=list(record.headers),
                consumer=self.name,
                reason=reason,
            )
        )
        self._metrics.add(
            DEAD_LETTERS,
            1,
            {
                "messaging.consumer.group.name": self._group_id,
                "messaging.destination.name": record.topic,
            },
        )


async def missing_topics(admin: AIOKafkaAdminClient, topics: Sequence[str]) -> set[str]:
    """Which of ``topics`` the cluster does not have (or has no leader for yet). Asks for these
    topics only: ``list_topics`` decodes every topic of the cluster (thousands on a shared
    one), which, polled by each waiting consumer, cost a service most of its idle CPU (issue
    15); and the question must never create them (``allow_auto_topic_creation=False``)."""
    # aiokafka's admin client has no public call for this request: describe_topics would
    # let a broker with auto-creation on create the topics we wait for.
    found = await topic_errors(admin, topics)
    return {t for t in topics if found.get(t, -1) != 0}


#: Kafka's TOPIC_AUTHORIZATION_FAILED: the client's user may not describe the topic (ADR 0086).
TOPIC_AUTHORIZATION_FAILED = 29


async def topic_errors(admin: AIOKafkaAdminClient, topics: Sequence[str]) -> dict[str, int]:
    """The broker's error code per topic of ``topics`` (0: there, with a leader)."""
    request = MetadataRequest(list(topics), allow_auto_topic_creation=False)
    response = await admin._send_request(request)
    return {t["topic"]: t["error_code"] for t in response.to_object()["topics"]}


async def wait_assigned(consumer: InboxConsumer, timeout: float = 30.0) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(consumer.assigned.wait(), timeout)
