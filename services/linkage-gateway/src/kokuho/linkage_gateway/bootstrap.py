"""The composition root: ``build(settings, ...)`` makes the gateway's ports and hands them,
its routers, its unit of work, its consumers and its jobs to the platform's ``build_service``.

Each counterpart is a port that a test (or a caller) may pass by keyword; otherwise the HTTP
adapter when its URL setting is set (the simulator processes of ``make run``, or the real
system), else the in-process simulator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import asyncpg
from fastapi import FastAPI

from kokuho.linkage_gateway.adapters import jobs
from kokuho.linkage_gateway.adapters.benefits_http import BenefitsClaimsHttp
from kokuho.linkage_gateway.adapters.consumers import (
    business_event_handler,
    handle_personal_details,
    transfer_feed_handler,
)
from kokuho.linkage_gateway.adapters.counterpart_http import (
    FederationHttp,
    IntermediateServerHttp,
    JlisHttp,
    PortalHttp,
    ResidentRecordsHttp,
)
from kokuho.linkage_gateway.adapters.counterparts import guarded
from kokuho.linkage_gateway.adapters.crypto import EnvelopeSealer
from kokuho.linkage_gateway.adapters.federation_simulator import FederationSimulator
from kokuho.linkage_gateway.adapters.intermediate_server_simulator import (
    IntermediateServerSimulator,
)
from kokuho.linkage_gateway.adapters.jlis_simulator import JlisSimulator
from kokuho.linkage_gateway.adapters.keys import KeyStore, KeyStoreMissing
from kokuho.linkage_gateway.adapters.parameters import (
    load_permitted_inquiries,
    load_resolution_policy,
    load_transfer_registry,
)
from kokuho.linkage_gateway.adapters.portal_simulator import (
    PortalSimulator,
    ResidentRecordSimulator,
)
from kokuho.linkage_gateway.adapters.signature import X509SignatureVerifier
from kokuho.linkage_gateway.adapters.transfer_channel_simulator import TransferChannelSimulator
from kokuho.linkage_gateway.adapters.unit_of_work import GatewayUnit
from kokuho.linkage_gateway.api import (
    application_routes,
    claims_routes,
    federation_routes,
    linkage_routes,
    transfer_routes,
    vault_routes,
)
from kokuho.linkage_gateway.app.ports import Ports
from kokuho.linkage_gateway.app.transfers import FEED_OPERATION, FEED_USER
from kokuho.linkage_gateway.config import Settings
from kokuho.linkage_gateway.domain.transfers import TransferRegistry
from kokuho.platform.audit import RequestAudit
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.erasure_routes import erasure_records_router
from kokuho.platform.eventing import Subscription
from kokuho.platform.service import Clock, ServiceKit, build_service, utc_now
from kokuho.platform.service_identity import ServiceCredentials
from kokuho.platform.settings import ServiceSettings, StartupRefused

ROUTERS = [
    vault_routes.router,
    linkage_routes.router,
    federation_routes.router,
    application_routes.router,
    transfer_routes.router,
    claims_routes.router,
    # C-96: what the retention job erased (ADR 0097)
    erasure_records_router("linkage.operator", "auditor", tag="retention"),
]

#: The counterparts ``build`` takes by keyword (the fields of ``Ports`` a test may replace).
PORT_NAMES = frozenset(
    {
        "identity",
        "server",
        "federation",
        "portal",
        "residents",
        "signatures",
        "channel",
        "benefits",
    }
)


def key_store(settings: Settings) -> KeyStore:
    if settings.key_directory is None:
        raise KeyStoreMissing(
            "KOKUHO_LINKAGE_GATEWAY_KEY_DIRECTORY is not set: the vault's keys come from a key "
            "source outside the data (a mounted secret; make run uses .local/dev-vault-keys)"
        )
    return KeyStore(settings.key_directory, create=settings.create_dev_keys)


def make_ports(settings: Settings, clock: Clock, **given: Any) -> Ports:
    """The gateway's ports: ``given`` by keyword, else by the URL settings, else simulated."""
    unknown = set(given) - PORT_NAMES
    if unknown:
        raise TypeError(f"linkage-gateway has no port named {sorted(unknown)}")
    transfers = load_transfer_registry(settings.transfer_flows_path)
    http: dict[str, tuple[str | None, Any]] = {
        "identity": (settings.jlis_url, JlisHttp),
        "server": (settings.intermediate_server_url, IntermediateServerHttp),
        "federation": (settings.federation_url, FederationHttp),
        "portal": (settings.portal_url, PortalHttp),
        "residents": (settings.resident_records_url, ResidentRecordsHttp),
    }
    tls = settings.counterpart_tls()  # mutual TLS when configured (ADR 0095)
    ports = {
        name: adapter(url, tls)
        for name, (url, adapter) in http.items()
        if url and name not in given
    }
    return Ports(
        sealer=EnvelopeSealer(key_store(settings)),
        identity=guarded(given.get("identity") or ports.get("identity") or JlisSimulator()),
        policy=load_resolution_policy(settings.resolution_permits_path),
        server=guarded(given.get("server") or ports.get("server") or IntermediateServerSimulator()),
        permits=load_permitted_inquiries(settings.permitted_inquiries_path),
        federation=guarded(
            given.get("federation")
            or ports.get("federation")
            or FederationSimulator(settings.federation_outbox)
        ),
        portal=guarded(given.get("portal") or ports.get("portal") or PortalSimulator()),
        residents=guarded(
            given.get("residents") or ports.get("residents") or ResidentRecordSimulator()
        ),
        signatures=given.get("signatures")
        or X509SignatureVerifier.from_files(
            settings.e_application_trust_roots, settings.e_application_crl
        ),
        transfers=transfers,
        channel=guarded(
            given.get("channel") or TransferChannelSimulator(approved_routes(transfers))
        ),
        clock=clock,
        benefits=given.get("benefits") or benefits_claims(settings),
    )


def benefits_claims(settings: Settings) -> BenefitsClaimsHttp | None:
    """Benefits' claims import over HTTP as this service's principal (ADR 0083, 0084); None
    (forwarding refused, 503) unless both the URL and the service key are configured."""
    if settings.benefits_url is None:
        return None
    if settings.service_key_path is None:
        raise StartupRefused(
            "KOKUHO_LINKAGE_GATEWAY_BENEFITS_URL is set without "
            "KOKUHO_LINKAGE_GATEWAY_SERVICE_KEY_PATH: the gateway calls benefits as itself "
            "(ADR 0083) and has no key"
        )
    credentials = ServiceCredentials.load(settings.service_name, settings.service_key_path)
    return BenefitsClaimsHttp(settings.benefits_url, credentials)


def subscriptions(
    settings: Settings, ports: Ports
) -> Callable[[ServiceKit], Sequence[Subscription]]:
    def subscribe(kit: ServiceKit) -> list[Subscription]:
        def joined(conn: asyncpg.Connection) -> GatewayUnit:
            return GatewayUnit(conn=conn, events_topic=settings.events_topic)

        def feed_unit(conn: asyncpg.Connection) -> GatewayUnit:
            # a delivery is audited as the feed (C-66: by whom), in the inbox transaction
            trail = RequestAudit.of_system(kit.pool, FEED_USER, FEED_OPERATION)
            return GatewayUnit(conn=conn, audit=trail, events_topic=settings.events_topic)

        topics = [t for t in (settings.eligibility_topic, settings.assessment_topic) if t]
        found = [
            Subscription(
                "business-events",
                topics,
                business_event_handler(joined, ports.server, ports.permits),
            ),
            Subscription("card-names", [settings.personal_details_topic], handle_personal_details),
        ]
        if settings.collection_topic:
            found.append(
                Subscription(
                    "transfer-feeds",
                    [settings.collection_topic],
                    transfer_feed_handler(feed_unit, ports.transfers, ports.channel),
                )
            )
        return found

    return subscribe


def build(
    settings: ServiceSettings,
    *,
    token_verifier: TokenVerifier | None = None,
    clock: Clock | None = None,
    relay: bool = True,
    **ports: Any,
) -> FastAPI:
    """The gateway app; ``ports`` replace counterparts by name (``identity``, ``server``,
    ``federation``, ``portal``, ``residents``, ``signatures``, ``channel``)."""
    gateway_settings = Settings.of(settings)
    made = make_ports(gateway_settings, clock or utc_now, **ports)
    return build_service(
        gateway_settings,
        title="linkage-gateway",
        routers=ROUTERS,
        unit_of_work=partial(GatewayUnit, events_topic=gateway_settings.events_topic),
        ports=made,
        subscriptions=subscriptions(gateway_settings, made),
        jobs=jobs.jobs(gateway_settings),
        token_verifier=token_verifier,
        clock=clock,
        relay=relay,
        body_limits={
            f"/api/v1/federation/{path}": gateway_settings.federation_file_max_bytes
            for path in (
                "continuation-files",
                "continuation-files/{file_name}",
                "high-cost-carry-over-lists",
                "claims-files",
            )
        },
    )


def approved_routes(registry: TransferRegistry) -> list[tuple[str, str]]:
    """The simulator is set up exactly as the registry approves (a real channel reports its
    own configuration, which the drift check compares)."""
    return sorted({(f.recipient, f.method) for f in registry.flows.values() if f.deliverable})
