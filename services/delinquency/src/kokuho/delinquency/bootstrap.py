"""The composition root: ``build(settings)`` makes the rules, the clock and the unit of work,
and hands them with the routers and collection's consumer to the platform's ``build_service``."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from fastapi import FastAPI

from kokuho.delinquency import api
from kokuho.delinquency.adapters.consumers import collection_handler
from kokuho.delinquency.adapters.reminder_pdf import render_reminder
from kokuho.delinquency.adapters.unit_of_work import DelinquencyUnit
from kokuho.delinquency.api.deps import JST
from kokuho.delinquency.app.ports import Ports
from kokuho.delinquency.config import Settings
from kokuho.delinquency.domain.parameters import Rules
from kokuho.delinquency.parameters import load_rules
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.documents import require_fonts
from kokuho.platform.eventing import Subscription
from kokuho.platform.service import Clock, ServiceKit, build_service, utc_now
from kokuho.platform.settings import ServiceSettings


def build(
    settings: ServiceSettings,
    *,
    token_verifier: TokenVerifier | None = None,
    clock: Clock | None = None,
    relay: bool = True,
    rules: Rules | None = None,
) -> FastAPI:
    """The delinquency service; ``rules`` replaces the parameter file (tests)."""
    assert isinstance(settings, Settings)
    require_fonts()  # reminder letters are printed: no fonts, no service
    rules = rules or load_rules(settings.parameters_file)
    ports = Ports(
        rules=rules,
        today=lambda: (clock or utc_now)().astimezone(JST).date(),
        render_reminder=render_reminder,
    )

    def subscriptions(kit: ServiceKit) -> Sequence[Subscription]:
        if not settings.consume_collection:
            return []
        handler = collection_handler(settings.events_topic, rules)
        return [Subscription("collection", [settings.collection_topic], handler)]

    return build_service(
        settings,
        title="Kokuho delinquency",
        routers=api.routers,
        unit_of_work=partial(DelinquencyUnit, topic=settings.events_topic),
        ports=ports,
        subscriptions=subscriptions,
        token_verifier=token_verifier,
        clock=clock,
        relay=relay,
    )
