"""The composition root: ``build(settings)`` on the platform's ``build_service``."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import FastAPI

from kokuho.delinquency import api
from kokuho.delinquency.adapters.unit_of_work import DelinquencyUnit
from kokuho.delinquency.config import Settings
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
    ``ports``: the service's own external dependencies, once it has some."""
    assert isinstance(settings, Settings)
    if ports:
        raise TypeError(f"no such ports: {', '.join(sorted(ports))}")
    return build_service(
        settings,
        title="Kokuho delinquency",
        routers=api.routers,
        unit_of_work=partial(DelinquencyUnit, topic=settings.events_topic),
        token_verifier=token_verifier,
        clock=clock,
        relay=relay,
    )
