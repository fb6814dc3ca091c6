"""``build_service``: the one composition of a Kokuho service, and what routes reach through it.

A service's ``bootstrap.build(settings, *, token_verifier=None, clock=None, relay=True,
**ports)`` makes its ports and calls::

    return build_service(
        settings,
        title="Kokuho assessment",
        routers=api.routers,
        unit_of_work=partial(AssessmentUnit, topics=topics),
        ports=Ports(...),                    # the service's own dependencies, one dataclass
        subscriptions=lambda kit: [...],     # inbox consumers, given the running kit
        jobs=[...],                          # background loops: async def job(kit, stop)
        token_verifier=token_verifier, clock=clock, relay=relay,
    )

Routes reach the kit with the ``Annotated`` aliases of ``kokuho.platform.calls`` (``WriteDep``,
``ReadDep``) and their service's ``Ports`` with ``ports_dependency(Ports)``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import asyncpg
from fastapi import APIRouter, Depends, FastAPI, Request

from kokuho.platform.app import create_app
from kokuho.platform.audit import PostgresAuditLog
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.eventing import Eventing, Subscription
from kokuho.platform.health import ReadinessCheck, kafka_check, postgres_check
from kokuho.platform.idempotency import PostgresIdempotencyStore
from kokuho.platform.problems import DomainErrorMapping
from kokuho.platform.settings import ServiceSettings
from kokuho.platform.unit_of_work import UnitOfWork

Clock = Callable[[], datetime]
UnitOfWorkFactory = Callable[..., UnitOfWork]
Job = Callable[["ServiceKit", asyncio.Event], Coroutine[Any, Any, None]]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ServiceKit:
    """What a running service holds: its pool (once started), unit of work, clock, ports."""

    settings: ServiceSettings
    unit_of_work: UnitOfWorkFactory
    clock: Clock
    ports: Any
    eventing: Eventing | None = field(default=None, repr=False)

    def pool(self) -> asyncpg.Pool:
        if self.eventing is None:
            raise RuntimeError(f"{self.settings.service_name} is not started")
        return self.eventing.pool


def kit_of(request: Request) -> ServiceKit:
    kit = getattr(request.app.state, "kit", None)
    if not isinstance(kit, ServiceKit):
        raise RuntimeError("app.state.kit is not set; build the app with build_service")
    return kit


PortsT = TypeVar("PortsT")


def ports_dependency(kind: type[PortsT]) -> Any:
    """``Depends`` giving a route its service's ports (checked to be of ``kind``)."""

    async def ports(request: Request) -> PortsT:  # async: no worker-thread hop
        found = kit_of(request).ports
        if not isinstance(found, kind):
            raise RuntimeError(f"the service's ports are not a {kind.__name__}")
        return found

    return Depends(ports)


def build_service(
    settings: ServiceSettings,
    *,
    title: str,
    routers: Sequence[APIRouter],
    unit_of_work: UnitOfWorkFactory,
    ports: Any = None,
    subscriptions: Callable[[ServiceKit], Sequence[Subscription]] | None = None,
    jobs: Sequence[Job] = (),
    token_verifier: TokenVerifier | None = None,
    clock: Clock | None = None,
    relay: bool = True,
    domain_errors: Mapping[type[Exception], DomainErrorMapping | None] | None = None,
    readiness_checks: Mapping[str, ReadinessCheck] | None = None,
    body_limits: Mapping[str, int] | None = None,
) -> FastAPI:
    kit = ServiceKit(settings, unit_of_work, clock or utc_now, ports)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        subs = subscriptions(kit) if subscriptions else ()
        async with Eventing(settings, relay=relay, subscriptions=subs) as eventing:
            kit.eventing = eventing
            stop = asyncio.Event()
            tasks: list[asyncio.Task[None]] = [asyncio.create_task(job(kit, stop)) for job in jobs]
            try:
                yield
            finally:
                stop.set()
                await asyncio.gather(*tasks, return_exceptions=True)
                kit.eventing = None

    app = create_app(
        settings,
        title=title,
        routers=routers,
        audit_log=PostgresAuditLog(kit.pool),
        idempotency_store=PostgresIdempotencyStore(),
        readiness_checks={
            "postgres": postgres_check(kit.pool),
            "kafka": kafka_check(settings.kafka_connection),
            **(readiness_checks or {}),
        },
        domain_errors=domain_errors,
        token_verifier=token_verifier,
        lifespan=lifespan,
        body_limits=body_limits,
    )
    app.state.kit = kit
    return app
