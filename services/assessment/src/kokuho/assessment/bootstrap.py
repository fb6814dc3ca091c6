"""The composition root: ``build(settings)`` makes the rulebook, the clock and the unit of
work, and hands them with the routers and the consumers to the platform's ``build_service``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from kokuho.assessment import api
from kokuho.assessment.adapters.consumers import e_application_handler, eligibility_handler
from kokuho.assessment.adapters.holidays import is_public_holiday
from kokuho.assessment.adapters.simulation_workers import worker_processes
from kokuho.assessment.adapters.unit_of_work import AssessmentUnit
from kokuho.assessment.app.ports import ParametersFor, Ports
from kokuho.assessment.config import Settings
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.assessment.parameters import candidate_parameters, load_parameters
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.documents import require_fonts
from kokuho.platform.eventing import Subscription
from kokuho.platform.service import ServiceKit, build_service
from kokuho.platform.settings import ServiceSettings

#: what tests may fix the time with: a datetime, or (as the assessment's day) a date
Clock = Callable[[], datetime | date]


class CityRulebook:
    """The city's parameter files (cached per year) and Japan's public holidays."""

    def __init__(self, city: str, directory: Path | None, *, demo: bool = False) -> None:
        self._city = city
        self._directory = directory
        self._demo = demo
        self._load = lru_cache(maxsize=16)(self._read)

    def _read(self, fiscal_year: int) -> PremiumParameters:
        return load_parameters(fiscal_year, self._city, self._directory, demo=self._demo)

    def __call__(self, fiscal_year: int) -> PremiumParameters:
        return self._load(fiscal_year)

    def is_holiday(self, day: date) -> bool:
        return is_public_holiday(day)

    def candidate(
        self, fiscal_year: int, name: str, figures: Mapping[str, Any]
    ) -> PremiumParameters:
        return candidate_parameters(
            fiscal_year, name, figures, self._city, self._directory, demo=self._demo
        )


def parameters_source(settings: Settings) -> ParametersFor:
    return CityRulebook(settings.city, settings.parameters_directory, demo=settings.demo_parameters)


def clocks(clock: Clock | None) -> tuple[Callable[[], datetime] | None, Callable[[], date]]:
    """The platform's clock (a datetime) and assessment's day, both from ``clock``; without
    one, the platform's own clock and the local date."""
    if clock is None:
        return None, date.today
    given = clock

    def now() -> datetime:
        value = given()
        return value if isinstance(value, datetime) else datetime.combine(value, time(), UTC)

    def today() -> date:
        value = given()
        return value.date() if isinstance(value, datetime) else value

    return now, today


def build(
    settings: ServiceSettings,
    *,
    token_verifier: TokenVerifier | None = None,
    clock: Clock | None = None,
    relay: bool = True,
    rules: ParametersFor | None = None,
) -> FastAPI:
    """The assessment service; ``rules`` replaces the city's parameter files (tests)."""
    assert isinstance(settings, Settings)
    require_fonts()  # notices are printed: no fonts, no service (MissingFont names them)
    now, today = clocks(clock)
    ports = Ports(
        rules=rules or parameters_source(settings),
        today=today,
        simulation=worker_processes(settings.simulation_workers),
    )

    def subscriptions(kit: ServiceKit) -> Sequence[Subscription]:
        if not settings.consume_eligibility:
            return []
        topic = settings.events_topic
        return [
            Subscription(
                "eligibility",
                [settings.eligibility_topic],
                eligibility_handler(ports.rules, ports.today, topic),
            ),
            Subscription(
                "e-applications",
                [settings.linkage_topic],
                e_application_handler(ports.rules, ports.today, topic),
            ),
        ]

    return build_service(
        settings,
        title="assessment",
        routers=api.routers,
        unit_of_work=partial(AssessmentUnit, topic=settings.events_topic),
        ports=ports,
        subscriptions=subscriptions,
        token_verifier=token_verifier,
        clock=now,
        relay=relay,
        body_limits={"/api/v1/income-imports": settings.income_import_max_bytes},
    )
