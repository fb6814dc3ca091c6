"""The composition root: ``build(settings)`` makes the rules, the clock and the unit of work,
and hands them with the routers and the consumer to the platform's ``build_service``."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from fastapi import FastAPI

from kokuho.collection import api
from kokuho.collection.adapters.benefit_consumers import benefits_handler
from kokuho.collection.adapters.consumers import assessment_handler, delinquency_handler
from kokuho.collection.adapters.debits import ZenginBanks, to_bank_kana
from kokuho.collection.adapters.matching_workers import matching_executor
from kokuho.collection.adapters.notices_pdf import render
from kokuho.collection.adapters.unit_of_work import CollectionUnit
from kokuho.collection.api.deps import JST
from kokuho.collection.app.ports import Consignor, Ports
from kokuho.collection.config import Settings
from kokuho.collection.domain.parameters import CollectionRules
from kokuho.collection.parameters import load_rules
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.documents import require_fonts
from kokuho.platform.eventing import Subscription
from kokuho.platform.service import Clock, ServiceKit, build_service, utc_now
from kokuho.platform.settings import ServiceSettings


def consignor(settings: Settings) -> Consignor:
    return Consignor(
        settings.debit_consignor_code,
        settings.debit_consignor_name,
        settings.debit_bank_code,
        settings.debit_branch_code,
        settings.debit_account_type,
        settings.debit_account_number,
    )


def build(
    settings: ServiceSettings,
    *,
    token_verifier: TokenVerifier | None = None,
    clock: Clock | None = None,
    relay: bool = True,
    rules: CollectionRules | None = None,
) -> FastAPI:
    """The collection service; ``rules`` replaces the parameter files (tests)."""
    assert isinstance(settings, Settings)
    require_fonts()  # notices are printed: no fonts, no service (MissingFont names them)
    ports = Ports(
        rules=rules or load_rules(settings.city, settings.parameters_directory),
        today=lambda: (clock or utc_now)().astimezone(JST).date(),
        render=render,
        banks=ZenginBanks(),
        kana=to_bank_kana,
        consignor=consignor(settings),
        matcher=matching_executor(settings.payment_file_workers),
    )

    def subscriptions(kit: ServiceKit) -> Sequence[Subscription]:
        if not settings.consume_assessment:
            return []
        topic = settings.events_topic
        found = [Subscription("assessment", [settings.assessment_topic], assessment_handler(topic))]
        if settings.delinquency_topic:
            handler = delinquency_handler(topic, ports.rules)
            found.append(Subscription("delinquency", [settings.delinquency_topic], handler))
        if settings.benefits_topic:
            handler = benefits_handler(topic, ports.rules)
            found.append(Subscription("benefits", [settings.benefits_topic], handler))
        return found

    return build_service(
        settings,
        title="Kokuho collection",
        routers=api.routers,
        unit_of_work=partial(CollectionUnit, topic=settings.events_topic),
        ports=ports,
        subscriptions=subscriptions,
        token_verifier=token_verifier,
        clock=clock,
        relay=relay,
        body_limits={
            path: settings.payment_import_max_bytes
            for path in (
                "/api/v1/payment-imports",
                "/api/v1/direct-debits/results",
                "/api/v1/pension-deductions/results",
            )
        },
    )
