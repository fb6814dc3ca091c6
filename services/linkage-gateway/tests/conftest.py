"""Fixtures of linkage-gateway's tests: synthetic numbers, keys, a migrated database and the
real app in process."""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from kokuho.events.contracts.linkage_gateway import TOPIC
from kokuho.events.runtime.topics import TopicSpec, ensure_topics, with_dead_letters
from kokuho.events.testing.databases import temporary_database
from kokuho.linkage_gateway.adapters.crypto import EnvelopeSealer
from kokuho.linkage_gateway.adapters.federation_simulator import FederationSimulator
from kokuho.linkage_gateway.adapters.intermediate_server_simulator import (
    IntermediateServerSimulator,
)
from kokuho.linkage_gateway.adapters.jlis_simulator import JlisSimulator
from kokuho.linkage_gateway.adapters.keys import KeyStore
from kokuho.linkage_gateway.adapters.portal_simulator import (
    PortalSimulator,
    ResidentRecordSimulator,
)
from kokuho.linkage_gateway.adapters.signature import X509SignatureVerifier
from kokuho.linkage_gateway.adapters.transfer_channel_simulator import TransferChannelSimulator
from kokuho.linkage_gateway.app.ports import SignatureCheck, SignedApplication
from kokuho.linkage_gateway.bootstrap import build
from kokuho.linkage_gateway.config import Settings
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber
from kokuho.linkage_gateway.synthetic import synthetic_number
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.database import migrate, migration_files
from kokuho.platform.token import PrivateKey, mint_token, new_private_key

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
async def gateway_dsn(pg_admin_dsn: str, kafka_bootstrap: str) -> AsyncIterator[str]:
    """A throwaway database with the platform schemas and linkage-gateway's migrations, and
    the service's topics (as ``migrate`` makes them)."""
    await ensure_topics(kafka_bootstrap, with_dead_letters([TopicSpec(TOPIC, 3, 1)]))
    async with temporary_database(pg_admin_dsn) as dsn:
        await migrate(dsn, migration_files(MIGRATIONS))
        yield dsn


@pytest.fixture
async def eligibility_topic(kafka_bootstrap: str) -> str:
    """A fresh topic standing in for kokuho.eligibility.events in one test."""
    name = f"test.eligibility.{uuid.uuid4().hex[:10]}"
    await ensure_topics(kafka_bootstrap, [TopicSpec(name, 1, 1)])
    return name


@pytest.fixture
async def assessment_topic(kafka_bootstrap: str) -> str:
    """A fresh topic standing in for kokuho.assessment.events in one test."""
    name = f"test.assessment.{uuid.uuid4().hex[:10]}"
    await ensure_topics(kafka_bootstrap, [TopicSpec(name, 1, 1)])
    return name


@pytest.fixture
async def personal_details_topic(kafka_bootstrap: str) -> str:
    """A fresh compacted topic standing in for kokuho.eligibility.personal-details."""
    name = f"test.personal.{uuid.uuid4().hex[:10]}"
    await ensure_topics(kafka_bootstrap, [TopicSpec(name, 1, 1, compacted=True)])
    return name


class CurrentCrlVerifier:
    """The real verifier, always with the test authority's latest revocation list."""

    def __init__(self, authority: CertificateAuthority) -> None:
        self.authority = authority

    def verify(self, application: SignedApplication, at: datetime) -> SignatureCheck:
        verifier = X509SignatureVerifier([self.authority.root], [self.authority.crl()])
        return verifier.verify(application, at)


class LogCapture(logging.Handler):
    """Every formatted log line, from every logger, while the app runs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        self.lines.append(repr(record.__dict__))


@dataclass
class RunningGateway:
    client: httpx.AsyncClient
    settings: Settings
    jlis: JlisSimulator
    key: PrivateKey
    logs: LogCapture
    server: IntermediateServerSimulator
    federation: FederationSimulator
    portal: PortalSimulator
    residents: ResidentRecordSimulator
    authority: CertificateAuthority

    channel: TransferChannelSimulator
    app: FastAPI

    def headers(self, *roles: str, user: str = "U-TEST", **extra: str) -> dict[str, str]:
        token = mint_token(self.key, user_id=user, roles=list(roles), terminal_id="T-TEST")
        return {"Authorization": f"Bearer {token}", **extra}

    def channel_deliveries(self) -> list[tuple[str, str, list[dict[str, str]]]]:
        return self.channel.delivered


@pytest.fixture
def gateway_settings(
    gateway_dsn: str,
    kafka_bootstrap: str,
    tmp_path: Path,
    eligibility_topic: str,
    assessment_topic: str,
    personal_details_topic: str,
) -> Settings:
    return Settings(
        database_dsn=gateway_dsn,
        kafka_bootstrap_servers=kafka_bootstrap,
        key_directory=tmp_path / "keys",
        create_dev_keys=True,
        # A consumer group and an eligibility topic of this test's own.
        service_name=f"linkage-gateway-test-{uuid.uuid4().hex[:8]}",
        eligibility_topic=eligibility_topic,
        assessment_topic=assessment_topic,
        personal_details_topic=personal_details_topic,
        federation_outbox=None,
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
    channel = TransferChannelSimulator(
        [("municipal-tax-division", "platform-linkage"), ("welfare-division", "platform-linkage")]
    )
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
    capture = LogCapture()
    root = logging.getLogger()
    root.addHandler(capture)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
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
    finally:
        root.removeHandler(capture)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class ServedGateway:
    url: str
    key: PrivateKey

    def headers(self, *roles: str, user: str = "U-FUZZ") -> dict[str, str]:
        token = mint_token(self.key, user_id=user, roles=list(roles), terminal_id="T-TEST")
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def served_gateway(gateway_settings: Settings) -> Iterator[ServedGateway]:
    """The app on a real port in its own thread and event loop (for the fuzzer's requests)."""
    key = new_private_key("ES256")
    app = build(gateway_settings, token_verifier=TokenVerifier([key.public_key()]))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.05)
    assert server.started, "linkage-gateway did not start"
    yield ServedGateway(f"http://127.0.0.1:{port}", key)
    server.should_exit = True
    thread.join(timeout=15)
