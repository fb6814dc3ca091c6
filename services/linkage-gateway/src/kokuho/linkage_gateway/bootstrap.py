"""The composition root: ``build(settings)`` wires adapters, handlers and the API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from types import SimpleNamespace

import asyncpg
from fastapi import FastAPI

from kokuho.linkage_gateway.adapters.card_names import handle_personal_details
from kokuho.linkage_gateway.adapters.consumers import business_event_handler
from kokuho.linkage_gateway.adapters.counterpart_http import (
    FederationHttp,
    IntermediateServerHttp,
    JlisHttp,
    PortalHttp,
    ResidentRecordsHttp,
)
from kokuho.linkage_gateway.adapters.crypto import EnvelopeSealer
from kokuho.linkage_gateway.adapters.federation_simulator import FederationSimulator
from kokuho.linkage_gateway.adapters.intermediate_server_simulator import (
    IntermediateServerSimulator,
)
from kokuho.linkage_gateway.adapters.jlis_simulator import JlisSimulator
from kokuho.linkage_gateway.adapters.keys import KeyStore
from kokuho.linkage_gateway.adapters.parameters import (
    load_permitted_inquiries,
    load_resolution_policy,
    load_transfer_registry,
)
from kokuho.linkage_gateway.adapters.portal_simulator import (
    PortalSimulator,
    ResidentRecordSimulator,
)
from kokuho.linkage_gateway.adapters.retention import run_retention
from kokuho.linkage_gateway.adapters.scheduled_jobs import (
    every,
    scheduled_federation_send,
    scheduled_intake,
)
from kokuho.linkage_gateway.adapters.signature import X509SignatureVerifier
from kokuho.linkage_gateway.adapters.transfer_channel_simulator import TransferChannelSimulator
from kokuho.linkage_gateway.api import (
    application_routes,
    federation_routes,
    linkage_routes,
    transfer_routes,
    vault_routes,
)
from kokuho.linkage_gateway.api.context import Gateway
from kokuho.linkage_gateway.app.federation import (
    CarryOverListAlreadyReceived,
    ContinuationFileAlreadyReceived,
    DifferenceNotOpen,
)
from kokuho.linkage_gateway.app.intermediate import (
    UnknownIntegratedAddressee,
    UnknownProvision,
)
from kokuho.linkage_gateway.app.ports import (
    EApplicationPortal,
    Federation,
    IdentityService,
    IntermediateServer,
    ResidentRecords,
    SignatureVerifier,
    TransferChannel,
)
from kokuho.linkage_gateway.config import Settings
from kokuho.linkage_gateway.domain.federation import FieldNotRepresentable
from kokuho.linkage_gateway.domain.individual_number import InvalidIndividualNumber
from kokuho.linkage_gateway.domain.intermediate import (
    InquiryNotPermitted,
    ProvisionNotPermitted,
    UnknownReplicaItem,
)
from kokuho.linkage_gateway.domain.resolution import ResolutionNotPermitted
from kokuho.linkage_gateway.domain.transfers import (
    ItemsNotApproved,
    MethodNotApproved,
    TransferNotRegistered,
    TransferRegistry,
)
from kokuho.linkage_gateway.domain.vault import (
    NoNumberBound,
    NumberBoundToAnotherPerson,
    NumberNotAuthentic,
    SecondNumberForPerson,
)
from kokuho.platform.app import create_app
from kokuho.platform.audit import PostgresAuditLog
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.eventing import Eventing, Subscription
from kokuho.platform.health import kafka_check, postgres_check
from kokuho.platform.idempotency import PostgresIdempotencyStore
from kokuho.platform.problems import DomainErrorMapping
from kokuho.platform.settings import ServiceSettings

DOMAIN_ERRORS: dict[type[Exception], DomainErrorMapping | None] = {
    InvalidIndividualNumber: DomainErrorMapping(422, "invalid-individual-number"),
    SecondNumberForPerson: DomainErrorMapping(422, "second-number-for-person"),
    NumberBoundToAnotherPerson: DomainErrorMapping(422, "number-bound-to-another-person"),
    NumberNotAuthentic: DomainErrorMapping(422, "number-not-authentic"),
    NoNumberBound: DomainErrorMapping(404, "no-number-bound"),
    ResolutionNotPermitted: DomainErrorMapping(403, "resolution-not-permitted"),
    TransferNotRegistered: DomainErrorMapping(422, "transfer-not-registered"),
    MethodNotApproved: DomainErrorMapping(422, "method-not-approved"),
    ItemsNotApproved: DomainErrorMapping(422, "items-not-approved"),
    InquiryNotPermitted: DomainErrorMapping(422, "inquiry-not-permitted"),
    ProvisionNotPermitted: DomainErrorMapping(422, "provision-not-permitted"),
    UnknownReplicaItem: DomainErrorMapping(422, "unknown-replica-item"),
    UnknownProvision: DomainErrorMapping(404, "unknown-provision"),
    UnknownIntegratedAddressee: DomainErrorMapping(404, "unknown-integrated-addressee"),
    ContinuationFileAlreadyReceived: DomainErrorMapping(409, "continuation-file-already-received"),
    DifferenceNotOpen: DomainErrorMapping(404, "difference-not-open"),
    CarryOverListAlreadyReceived: DomainErrorMapping(409, "carry-over-list-already-received"),
    FieldNotRepresentable: DomainErrorMapping(422, "field-not-representable"),
    # An external counterpart (intermediate server, portal, transfer channel) is unreachable.
    ConnectionError: DomainErrorMapping(503, "counterpart-unavailable"),
}


def key_store(settings: Settings) -> KeyStore:
    return KeyStore(settings.key_directory, create=settings.create_dev_keys)


def build(
    settings: ServiceSettings,
    *,
    identity: IdentityService | None = None,
    server: IntermediateServer | None = None,
    federation: Federation | None = None,
    portal: EApplicationPortal | None = None,
    residents: ResidentRecords | None = None,
    signatures: SignatureVerifier | None = None,
    channel: TransferChannel | None = None,
    token_verifier: TokenVerifier | None = None,
    relay: bool = True,
) -> FastAPI:
    settings = Settings.of(settings)
    state = SimpleNamespace(eventing=None)
    permits = load_permitted_inquiries(settings.permitted_inquiries_path)
    transfers = load_transfer_registry(settings.transfer_flows_path)
    if identity is None and settings.jlis_url:
        identity = JlisHttp(settings.jlis_url)
    if server is None and settings.intermediate_server_url:
        server = IntermediateServerHttp(settings.intermediate_server_url)
    if federation is None and settings.federation_url:
        federation = FederationHttp(settings.federation_url)
    if portal is None and settings.portal_url:
        portal = PortalHttp(settings.portal_url)
    if residents is None and settings.resident_records_url:
        residents = ResidentRecordsHttp(settings.resident_records_url)
    server = server or IntermediateServerSimulator()
    subscriptions = [
        Subscription(
            "business-events",
            [t for t in (settings.eligibility_topic, settings.assessment_topic) if t],
            business_event_handler(server, permits),
        ),
        Subscription("card-names", [settings.personal_details_topic], handle_personal_details),
    ]

    def pool() -> asyncpg.Pool:
        if state.eventing is None:
            raise RuntimeError("linkage-gateway is not started")
        return state.eventing.pool

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with Eventing(settings, subscriptions=subscriptions, relay=relay) as eventing:
            state.eventing = eventing
            stop = asyncio.Event()
            days = timedelta(days=settings.inquiry_result_retention_days)
            tasks = [asyncio.create_task(run_retention(eventing.pool, days, stop))]
            gateway = app.state.gateway
            schedule = [
                (settings.federation_send_interval_seconds, scheduled_federation_send),
                (settings.e_application_poll_interval_seconds, scheduled_intake),
            ]
            for seconds, job in schedule:
                if seconds:
                    run = partial(job, gateway)
                    tasks.append(asyncio.create_task(every(seconds, run, stop, job.__name__)))
            try:
                yield
            finally:
                stop.set()
                await asyncio.gather(*tasks)
                state.eventing = None

    sealer = EnvelopeSealer(key_store(settings))
    app = create_app(
        settings,
        title="linkage-gateway",
        routers=[
            vault_routes.router,
            linkage_routes.router,
            federation_routes.router,
            application_routes.router,
            transfer_routes.router,
        ],
        audit_log=PostgresAuditLog(pool),
        idempotency_store=PostgresIdempotencyStore(),
        readiness_checks={
            "postgres": postgres_check(pool),
            "kafka": kafka_check(settings.kafka_bootstrap_servers),
        },
        domain_errors=DOMAIN_ERRORS,
        token_verifier=token_verifier,
        lifespan=lifespan,
    )
    app.state.gateway = Gateway(
        pool=pool,
        sealer=sealer,
        identity=identity or JlisSimulator(),
        policy=load_resolution_policy(settings.resolution_permits_path),
        clock=lambda: datetime.now(UTC),
        server=server,
        permits=permits,
        federation=federation or FederationSimulator(settings.federation_outbox),
        portal=portal or PortalSimulator(),
        residents=residents or ResidentRecordSimulator(),
        signatures=signatures
        or X509SignatureVerifier.from_files(
            settings.e_application_trust_roots, settings.e_application_crl
        ),
        transfers=transfers,
        channel=channel or TransferChannelSimulator(approved_routes(transfers)),
    )
    return app


def approved_routes(registry: TransferRegistry) -> list[tuple[str, str]]:
    """The simulator is set up exactly as the registry approves (a real channel reports its
    own configuration, which the drift check compares)."""
    return sorted({(f.recipient, f.method) for f in registry.flows.values()})
