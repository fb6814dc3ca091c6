"""The eventing side of a running service: its pool, the outbox relay, its inbox consumers and
the audit sealer (ADR 0006).

``Eventing`` is started by the service's lifespan (``async with Eventing(...)``) and stopped
with it; nothing is created at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from types import TracebackType

import asyncpg
from aiokafka import AIOKafkaProducer

from kokuho.events.runtime.consumer import Handler, InboxConsumer
from kokuho.events.runtime.deadletters import KafkaDeadLetters
from kokuho.events.runtime.kafka import KafkaSender, reliable_producer
from kokuho.events.runtime.relay import OutboxRelay
from kokuho.platform import audit, database
from kokuho.platform.settings import ServiceSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subscription:
    """A policy of this service reacting to other services' topics."""

    name: str
    topics: Sequence[str]
    handler: Handler


class Eventing:
    def __init__(
        self,
        settings: ServiceSettings,
        *,
        subscriptions: Sequence[Subscription] = (),
        relay: bool = True,
        pool_size: int = 10,
    ) -> None:
        self._settings = settings
        self._subscriptions = subscriptions
        self._relay_enabled = relay
        self._pool_size = pool_size
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._producer: AIOKafkaProducer | None = None
        self._pool: asyncpg.Pool | None = None

    @property
    def subscriptions(self) -> Sequence[Subscription]:
        return self._subscriptions

    def group_id(self, subscription: Subscription) -> str:
        """The consumer group of ``subscription``: ``<prefix>.<service>.<name>``."""
        s = self._settings
        return f"{s.consumer_group_prefix}.{s.service_name}.{subscription.name}"

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the service is not started")
        return self._pool

    async def __aenter__(self) -> Eventing:
        s = self._settings
        # Fail closed: a service that writes audit records does not start without its key.
        audit_key = audit.load_key(s)
        tls = database.database_tls(s)
        # Every connection opened now, not when a burst of requests needs it: opening one (TLS,
        # SCRAM, the array codecs) inside a request made that request's latency (issue 15). At
        # the pool's size, asyncpg keeps them however long they stay idle.
        self._pool = await database.create_pool(
            s, min_size=self._pool_size, max_size=self._pool_size
        )
        self._producer = reliable_producer(s.kafka_connection())
        await self._producer.start()
        sealer = audit.AuditSealer(
            s.database_dsn,
            audit_key,
            service=s.service_name,
            interval=s.audit_seal_interval_seconds,
            tls=tls,
        )
        self._tasks.append(asyncio.create_task(self._guard("audit-sealer", sealer.run)))
        if self._relay_enabled:
            relay = OutboxRelay(
                s.database_dsn, KafkaSender(self._producer), service=s.service_name, tls=tls
            )
            self._tasks.append(asyncio.create_task(self._guard("relay", relay.run)))
        for sub in self._subscriptions:
            consumer = InboxConsumer(
                pool=self._pool,
                connection=s.kafka_connection(),
                group_id=self.group_id(sub),
                topics=sub.topics,
                handler=sub.handler,
                dead_letters=KafkaDeadLetters(self._producer),
            )
            self._tasks.append(asyncio.create_task(self._guard(sub.name, consumer.run)))
        return self

    async def _guard(self, name: str, run: Callable[[asyncio.Event], Awaitable[None]]) -> None:
        """Keep a background loop alive: log a crash and start it again after a pause."""
        while not self._stop.is_set():
            try:
                await run(self._stop)
            except Exception:
                log.exception("background loop crashed; restarting", extra={"loop": name})
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), 2.0)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._producer is not None:
            await self._producer.stop()
        if self._pool is not None:
            await self._pool.close()
