"""The composition root: ``build(settings) -> FastAPI``. Production (``serve``) and the tests
build the app here; nothing is created at import time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from types import SimpleNamespace

import asyncpg
from fastapi import FastAPI

from kokuho.eligibility.adapters.consumer import linkage_handler
from kokuho.eligibility.adapters.postgres import Topics
from kokuho.eligibility.api import routes
from kokuho.eligibility.api.runtime import Runtime
from kokuho.eligibility.app.service import ChangeNotFound, EligibilityService, HouseholdNotFound
from kokuho.eligibility.config import Settings
from kokuho.eligibility.domain import errors
from kokuho.eligibility.jobs import run_daily
from kokuho.eligibility.parameters import load_rules
from kokuho.events.runtime.store import ConcurrencyConflict
from kokuho.platform.app import create_app
from kokuho.platform.audit import PostgresAuditLog
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.eventing import Eventing, Subscription
from kokuho.platform.health import kafka_check, postgres_check
from kokuho.platform.idempotency import PostgresIdempotencyStore
from kokuho.platform.problems import DomainErrorMapping
from kokuho.platform.settings import ServiceSettings


def _all_rule_errors() -> dict[type[Exception], DomainErrorMapping | None]:
    """Every named domain error is a 422 with its own type, except those mapped below."""
    found: dict[type[Exception], DomainErrorMapping | None] = {}
    pending: list[type[Exception]] = [errors.EligibilityRuleBroken]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            found[sub] = None
            pending.append(sub)
    found.update(
        {
            errors.SelfConfirmationRefused: DomainErrorMapping(403, "self-confirmation-refused"),
            errors.ChangeNotPending: DomainErrorMapping(409, "change-not-pending"),
            ChangeNotFound: DomainErrorMapping(404, "change-not-found"),
            HouseholdNotFound: DomainErrorMapping(404, "household-not-found"),
            ConcurrencyConflict: DomainErrorMapping(409, "concurrency-conflict"),
            asyncpg.UniqueViolationError: DomainErrorMapping(409, "concurrent-change"),
        }
    )
    return found


def build(
    settings: ServiceSettings,
    *,
    token_verifier: TokenVerifier | None = None,
    clock: Callable[[], datetime] | None = None,
    relay: bool = True,
) -> FastAPI:
    assert isinstance(settings, Settings)
    service = EligibilityService(load_rules(), clock)
    state = SimpleNamespace(eventing=None)

    def pool() -> asyncpg.Pool:
        if state.eventing is None:
            raise RuntimeError("the service is not started")
        return state.eventing.pool

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        subscriptions = (
            [Subscription("federation", [settings.linkage_topic], linkage_handler(service, topics))]
            if settings.linkage_topic
            else []
        )
        async with Eventing(settings, relay=relay, subscriptions=subscriptions) as eventing:
            state.eventing = eventing
            stop = asyncio.Event()
            daily = (
                asyncio.create_task(
                    run_daily(pool, service, topics, settings.daily_job_hour_jst, stop)
                )
                if settings.turning_75_daily
                else None
            )
            try:
                yield
            finally:
                stop.set()
                if daily is not None:
                    await daily
                state.eventing = None

    topics = Topics(settings.events_topic, settings.personal_details_topic)
    app = create_app(
        settings,
        title="Kokuho eligibility (被保険者資格管理)",
        routers=[routes.router],
        audit_log=PostgresAuditLog(pool),
        idempotency_store=PostgresIdempotencyStore(),
        readiness_checks={
            "postgres": postgres_check(pool),
            "kafka": kafka_check(settings.kafka_bootstrap_servers),
        },
        domain_errors=_all_rule_errors(),
        token_verifier=token_verifier,
        lifespan=lifespan,
    )
    app.state.eligibility = Runtime(pool=pool, service=service, topics=topics)
    return app
