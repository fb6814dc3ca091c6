"""The composition root: ``build(settings)`` on the platform's ``build_service``."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import FastAPI

from kokuho.benefits import api
from kokuho.benefits.adapters.unit_of_work import BenefitsUnit
from kokuho.benefits.app.ports import Benefits
from kokuho.benefits.config import Settings
from kokuho.benefits.parameters import load_income_lines, load_schedule
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.service import Clock, build_service
from kokuho.platform.settings import ServiceSettings


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
    benefits = Benefits(limits or load_schedule(), income_lines or load_income_lines())
    return build_service(
        settings,
        title="Kokuho benefits",
        routers=api.routers,
        unit_of_work=partial(BenefitsUnit, topic=settings.events_topic),
        ports=benefits,
        token_verifier=token_verifier,
        clock=clock,
        relay=relay,
    )
