"""Fixtures of linkage-gateway's tests: synthetic numbers, keys, a migrated database and the
real app in process."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import Record, read_topic
from kokuho.events.transfers import REGISTRY_FILE
from kokuho.linkage_gateway.adapters.crypto import EnvelopeSealer
from kokuho.linkage_gateway.adapters.federation_simulator import FederationSimulator
from kokuho.linkage_gateway.adapters.intermediate_server_simulator import (
    IntermediateServerSimulator,
)
from kokuho.linkage_gateway.adapters.jlis_simulator import JlisSimulator
from kokuho.linkage_gateway.adapters.keys import KeyStore
from kokuho.linkage_gateway.adapters.parameters import load_transfer_registry
from kokuho.linkage_gateway.adapters.portal_simulator import (
    PortalSimulator,
    ResidentRecordSimulator,
)
from kokuho.linkage_gateway.adapters.signature import X509SignatureVerifier
from kokuho.linkage_gateway.adapters.transfer_channel_simulator import TransferChannelSimulator
from kokuho.linkage_gateway.app.ports import SignatureCheck, SignedApplication
from kokuho.linkage_gateway.bootstrap import approved_routes, build
from kokuho.linkage_gateway.config import Settings
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber
from kokuho.linkage_gateway.synthetic import synthetic_number
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import (
    LogLines,
    OwnTopics,
    captured_logs,
    migrated_database,
    serving,
    serving_on_port,
    staff_headers,
)
from kokuho.platform.token import PrivateKey, new_private_key

from .ca import CertificateAuthority

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


@pytest.fixture
def numbers() -> Callable[[], IndividualNumber]:
    """Fresh synthetic individual numbers (our generator; never a literal in a test)."""
    rng = random.Random()
    seen: set[str] = set()

    def make() -> IndividualNumber:
        while True:
            n = synthetic_number(rng)
            if n.value not in seen:
                seen.add(n.value)
                return n

    return make


@pytest.fixture
def key_store(tmp_path: Path) -> KeyStore:
    return KeyStore(tmp_path / "keys", create=True)


@pytest.fixture
def sealer(key_store: KeyStore) -> EnvelopeSealer:
    return EnvelopeSealer(key_store)


@pytest.fixture
async def gateway_dsn(pg_admin_dsn: str) -> AsyncIterator[str]:
    """A throwaway database with the platform schemas and linkage-gateway's migrations."""
    async with migrated_database(pg_admin_dsn, MIGRATIONS) as dsn:
        yield dsn


async def read_until(bootstrap: KafkaConnection, topic: str, key: bytes, marker: bytes) -> bytes:
    """The value of the first record on ``topic`` with ``key`` whose value holds ``marker``."""

    def matches(record: Record) -> bool:
        return record.key == key and marker in (record.value or b"")

    records = await read_topic(bootstrap, topic, until=lambda rs: any(map(matches, rs)))
    for record in records:
        if matches(record):
            return record.value or b""
    raise AssertionError(f"no record with key {key!r} and {marker!r} on {topic}")


class CurrentCrlVerifier:
    """The real verifier, always with the test authority's latest revocation list."""

    def __init__(self, authority: CertificateAuthority) -> None:
        self.authority = authority

    def verify(self, application: SignedApplication, at: datetime) -> SignatureCheck:
        verifier = X509SignatureVerifier([self.authority.root], [self.authority.crl()])
        return verifier.verify(application, at)


@dataclass
class RunningGateway:
    client: httpx.AsyncClient
    settings: Settings
    jlis: JlisSimulator
    key: PrivateKey
    logs: LogLines
    server: IntermediateServerSimulator
    federation: FederationSimulator
    portal: PortalSimulator
    residents: ResidentRecordSimulator
    authority: CertificateAuthority

    channel: TransferChannelSimulator
    app: FastAPI

    def headers(self, *roles: str, user: str = "U-TEST", **extra: str) -> dict[str, str]:
        return staff_headers(self.key, user, *roles, **extra)

    def channel_deliveries(self) -> list[tuple[str, str, list[dict[str, str]]]]:
        return self.channel.delivered


@pytest.fixture
def gateway_settings(
    gateway_dsn: str, kafka: KafkaConnection, tmp_path: Path, own_topics: OwnTopics
) -> Settings:
    """Settings on the test's own topics and consumer groups (``own_topics``)."""
    return Settings(
        database_dsn=gateway_dsn,
        kafka_bootstrap_servers=kafka.bootstrap_servers,
        key_directory=tmp_path / "keys",
        create_dev_keys=True,
        federation_outbox=None,
        **own_topics.linkage_gateway(),
    )


@pytest.fixture
async def gateway(
    gateway_settings: Settings,
) -> AsyncIterator[RunningGateway]:
    key = new_private_key("ES256")
    verifier = TokenVerifier([key.public_key()])
    jlis = JlisSimulator()
    server = IntermediateServerSimulator()
    federation = FederationSimulator()
    portal, residents, authority = (
        PortalSimulator(),
        ResidentRecordSimulator(),
        CertificateAuthority(),
    )
    # the channel set up exactly as the registry approves (the drift check finds nothing)
    channel = TransferChannelSimulator(approved_routes(load_transfer_registry(REGISTRY_FILE)))
    app = build(
        gateway_settings,
        identity=jlis,
        server=server,
        federation=federation,
        portal=portal,
        residents=residents,
        signatures=CurrentCrlVerifier(authority),
        channel=channel,
        token_verifier=verifier,
    )
    with captured_logs() as capture:
        async with serving(app, "gw") as client:
            yield RunningGateway(
                client,
                gateway_settings,
                jlis,
                key,
                capture,
                server,
                federation,
                portal,
                residents,
                authority,
                channel,
                app,
            )


@dataclass
class ServedGateway:
    url: str
    key: PrivateKey

    def headers(self, *roles: str, user: str = "U-FUZZ") -> dict[str, str]:
        return staff_headers(self.key, user, *roles)


@pytest.fixture
def served_gateway(gateway_settings: Settings) -> Iterator[ServedGateway]:
    """The app on a real port in its own thread and event loop (for the fuzzer's requests)."""
    key = new_private_key("ES256")
    app = build(gateway_settings, token_verifier=TokenVerifier([key.public_key()]))
    with serving_on_port(app, "linkage-gateway") as url:
        yield ServedGateway(url, key)
