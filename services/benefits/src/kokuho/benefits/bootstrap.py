"""The composition root: ``build(settings)`` on the platform's ``build_service``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial
from typing import Any

from fastapi import FastAPI

from kokuho.benefits import api
from kokuho.benefits.adapters.consumers import (
    carry_over_handler,
    delinquency_handler,
    income_facts_handler,
    loss_handler,
)
from kokuho.benefits.adapters.monthly_job import JST, monthly_run_job
from kokuho.benefits.adapters.unit_of_work import BenefitsUnit
from kokuho.benefits.app.ports import Benefits
from kokuho.benefits.config import Settings
from kokuho.benefits.parameters import load_income_lines, load_schedule
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.documents import require_fonts
from kokuho.platform.eventing import Subscription
from kokuho.platform.service import Clock, ServiceKit, build_service
from kokuho.platform.settings import ServiceSettings


def subscriptions(
    settings: Settings, benefits: Benefits, kit: ServiceKit
) -> Sequence[Subscription]:
    """The consumers the settings turn on (each on its own inbox), with the service's day."""
    topic = settings.events_topic

    def today() -> date:
        return kit.clock().astimezone(JST).date()

    wanted = [
        (settings.consume_linkage, "carry-over", settings.linkage_topic, carry_over_handler(topic)),
        (
            settings.consume_delinquency,
            "withholding",
            settings.delinquency_topic,
            delinquency_handler(topic),
        ),
        (
            settings.consume_income_facts,
            "income-facts",
            settings.income_facts_topic,
            income_facts_handler(topic, benefits, today),
        ),
        (
            settings.consume_eligibility,
            "losses",
            settings.eligibility_topic,
            loss_handler(topic, today),
        ),
    ]
    return [Subscription(name, [source], handler) for on, name, source, handler in wanted if on]


def build(
    settings: ServiceSettings,
    *,
    token_verifier: TokenVerifier | None = None,
    clock: Clock | None = None,
    relay: bool = True,
    **ports: Any,
) -> FastAPI:
    """The app; production and tests build it the same way (tests give a verifier, a clock).
    ``ports``: ``limits`` (a ``LimitSchedule``) and ``income_lines`` (``IncomeLines``); default:
    the package's parameter files."""
    assert isinstance(settings, Settings)
    limits = ports.pop("limits", None)
    income_lines = ports.pop("income_lines", None)
    if ports:
        raise TypeError(f"no such ports: {', '.join(sorted(ports))}")
    require_fonts()  # notices are printed: no fonts, no service (MissingFont names them)
    benefits = Benefits(limits or load_schedule(), income_lines or load_income_lines())
    topic = settings.events_topic

    jobs = (
        [
            monthly_run_job(
                benefits.limits,
                topic,
                settings.monthly_run_poll_seconds,
                settings.monthly_run_chunk,
            )
        ]
        if settings.monthly_run_job
        else []
    )
    return build_service(
        settings,
        title="Kokuho benefits",
        routers=api.routers,
        unit_of_work=partial(BenefitsUnit, topic=settings.events_topic),
        ports=benefits,
        subscriptions=partial(subscriptions, settings, benefits),
        jobs=jobs,
        body_limits={"/api/v1/claim-imports": settings.claims_import_max_bytes},
        token_verifier=token_verifier,
        clock=clock,
        relay=relay,
    )
