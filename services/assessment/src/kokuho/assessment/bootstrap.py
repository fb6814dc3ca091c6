"""The composition root: ``build(settings)`` wires parameters, storage, eventing and the API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import asyncpg
from fastapi import FastAPI

from kokuho.assessment.adapters.consumer import e_application_handler, eligibility_handler
from kokuho.assessment.adapters.holidays import is_public_holiday
from kokuho.assessment.api import routes
from kokuho.assessment.api.context import Service
from kokuho.assessment.app.assessing import ParametersFor
from kokuho.assessment.config import Settings
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.assessment.parameters import load_parameters
from kokuho.platform.app import create_app
from kokuho.platform.audit import PostgresAuditLog
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.eventing import Eventing, Subscription
from kokuho.platform.health import kafka_check, postgres_check
from kokuho.platform.idempotency import PostgresIdempotencyStore
from kokuho.platform.settings import ServiceSettings


class CityRulebook:
    """The city's parameter files (cached per year) and Japan's public holidays."""

    def __init__(self, city: str, directory: Path | None) -> None:
        self._city = city
        self._directory = directory
        self._load = lru_cache(maxsize=16)(self._read)

    def _read(self, fiscal_year: int) -> PremiumParameters:
        return load_parameters(fiscal_year, self._city, self._directory)

    def __call__(self, fiscal_year: int) -> PremiumParameters:
        return self._load(fiscal_year)

    def is_holiday(self, day: date) -> bool:
        return is_public_holiday(day)


def parameters_source(settings: Settings) -> ParametersFor:
    return CityRulebook(settings.city, settings.parameters_directory)


def build(
    settings: ServiceSettings,
    *,
    token_verifier: TokenVerifier | None = None,
    today: Callable[[], date] | None = None,
) -> FastAPI:
    assert isinstance(settings, Settings)
    state = SimpleNamespace(eventing=None)
    parameters_for = parameters_source(settings)
    clock = today or date.today

    def pool() -> asyncpg.Pool:
        if state.eventing is None:
            raise RuntimeError("assessment is not started")
        return state.eventing.pool

    subscriptions = []
    if settings.consume_eligibility:
        subscriptions.append(
            Subscription(
                "eligibility",
                [settings.eligibility_topic],
                eligibility_handler(parameters_for, clock),
            )
        )
        subscriptions.append(
            Subscription(
                "e-applications",
                [settings.linkage_topic],
                e_application_handler(parameters_for, clock),
            )
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with Eventing(settings, subscriptions=subscriptions) as eventing:
            state.eventing = eventing
            try:
                yield
            finally:
                state.eventing = None

    app = create_app(
        settings,
        title="assessment",
        routers=[routes.router],
        audit_log=PostgresAuditLog(pool),
        idempotency_store=PostgresIdempotencyStore(),
        readiness_checks={
            "postgres": postgres_check(pool),
            "kafka": kafka_check(settings.kafka_bootstrap_servers),
        },
        token_verifier=token_verifier,
        lifespan=lifespan,
    )
    app.state.assessment = Service(pool=pool, parameters_for=parameters_for, today=clock)
    return app
