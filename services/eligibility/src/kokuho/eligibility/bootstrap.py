"""The composition root: ``build(settings, ...) -> FastAPI`` on the platform's
``build_service``. Production (``serve``) and the tests build the app here; nothing is created
at import time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial

from fastapi import FastAPI

from kokuho.eligibility import api
from kokuho.eligibility.adapters.card_status_consumer import card_status_subscription
from kokuho.eligibility.adapters.consumers import (
    benefits_subscription,
    delinquency_subscription,
    linkage_subscription,
)
from kokuho.eligibility.adapters.register_feed_http import register_intake
from kokuho.eligibility.adapters.report_consumer import reports_subscription
from kokuho.eligibility.adapters.unit_of_work import EligibilityUnit, unit_of
from kokuho.eligibility.api.resident_register import FILE_BODY_LIMIT, FILES_PATH
from kokuho.eligibility.app.jobs import run_daily
from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort, Topics, utc_now
from kokuho.eligibility.app.register_pull import RegisterIntake, run_feed
from kokuho.eligibility.app.retention import run_daily as run_retention_daily
from kokuho.eligibility.config import Settings
from kokuho.eligibility.domain.rules import QualificationRules
from kokuho.eligibility.parameters import load_rules
from kokuho.events.ports import ConcurrencyConflict
from kokuho.events.runtime.feeds import Feed, feeds_of
from kokuho.events.transfers import load_registry
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.documents import require_fonts
from kokuho.platform.eventing import Subscription
from kokuho.platform.problems import DomainErrorMapping
from kokuho.platform.service import Job, ServiceKit, build_service
from kokuho.platform.settings import ServiceSettings


def feeds_of_settings(settings: Settings) -> tuple[Feed, ...]:
    """The department feeds eligibility owns in the transfer registry (ADR 0089)."""
    return feeds_of(load_registry(), "eligibility", topic_prefix=settings.feed_topic_prefix)


def topics_of(settings: Settings) -> Topics:
    """The service publishes to ``settings.events_topic`` (and its personal-details topic)."""
    return Topics(settings.events_topic, settings.personal_details_topic)


def daily_job(hour_jst: int) -> Job:
    """Both daily jobs (turning 75, co-payment rates) at start and every day at ``hour_jst``."""

    async def job(kit: ServiceKit, stop: asyncio.Event) -> None:
        assert isinstance(kit.ports, Eligibility)

        def units() -> EligibilityUnitPort:
            return unit_of(kit)

        await run_daily(units, kit.ports, hour_jst, stop)

    return job


def retention_job(hour_jst: int) -> Job:
    """The retention job (C-95, ADR 0096) at start and every day at ``hour_jst``."""

    async def job(kit: ServiceKit, stop: asyncio.Event) -> None:
        assert isinstance(kit.ports, Eligibility)

        def units() -> EligibilityUnitPort:
            return unit_of(kit)

        await run_retention_daily(units, kit.ports, hour_jst, stop)

    return job


def feed_job(intake: RegisterIntake, seconds: int) -> Job:
    """The resident register's feed, read every ``seconds`` (ADR 0015)."""

    async def job(kit: ServiceKit, stop: asyncio.Event) -> None:
        assert isinstance(kit.ports, Eligibility)

        def units() -> EligibilityUnitPort:
            return unit_of(kit)

        await run_feed(units, kit.ports, intake, seconds, stop)

    return job


def build(
    settings: ServiceSettings,
    *,
    token_verifier: TokenVerifier | None = None,
    clock: Callable[[], datetime] | None = None,
    relay: bool = True,
    rules: QualificationRules | None = None,
) -> FastAPI:
    assert isinstance(settings, Settings)
    require_fonts()  # certificates print names: no fonts, no service (MissingFont names them)
    ports = Eligibility(rules or load_rules(), clock or utc_now)
    linkage_topic, benefits_topic = settings.linkage_topic, settings.benefits_topic
    delinquency_topic = settings.delinquency_topic
    report_topics = [
        t for t in (settings.assessment_topic, settings.collection_topic, benefits_topic) if t
    ]

    def subscriptions(kit: ServiceKit) -> Sequence[Subscription]:
        return [
            *([linkage_subscription(kit, linkage_topic)] if linkage_topic else []),
            *([card_status_subscription(kit, linkage_topic)] if linkage_topic else []),
            *([reports_subscription(report_topics)] if report_topics else []),
            *([benefits_subscription(kit, benefits_topic)] if benefits_topic else []),
            *([delinquency_subscription(kit, delinquency_topic)] if delinquency_topic else []),
        ]

    intake = register_intake(settings.resident_register_url, settings.counterpart_tls())
    jobs = [daily_job(settings.daily_job_hour_jst)] if settings.turning_75_daily else []
    if settings.retention_daily:
        jobs.append(retention_job(settings.daily_job_hour_jst))
    poll = settings.resident_register_poll_seconds
    if intake.reader is not None and poll is not None:
        jobs.append(feed_job(intake, poll))
    app = build_service(
        settings,
        title="Kokuho eligibility (被保険者資格管理)",
        routers=api.routers(),
        unit_of_work=partial(
            EligibilityUnit, topics=topics_of(settings), feeds=feeds_of_settings(settings)
        ),
        ports=ports,
        subscriptions=subscriptions,
        jobs=jobs,
        body_limits={FILES_PATH: FILE_BODY_LIMIT},
        token_verifier=token_verifier,
        clock=ports.clock,
        relay=relay,
        # Kept as it always was for eligibility (the platform's default type for the event
        # store's conflict is "concurrent-change", which eligibility uses for a read model's).
        domain_errors={ConcurrencyConflict: DomainErrorMapping(409, "concurrency-conflict")},
    )
    app.state.resident_register = intake  # the intake's parameters and feed (api/deps)
    return app
