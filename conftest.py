"""Shared pytest fixtures: where the real PostgreSQL and Kafka are.

By default the tests use the infrastructure that `deploy/local` starts (`make up`; `make test`
does it first). With `KOKUHO_TEST_INFRA=testcontainers` and a Docker engine, the fixtures start
PostgreSQL and Kafka containers instead. Tests only see a DSN and Kafka connections, so they
cannot tell which was used.

The local broker authenticates every client (ADR 0086): the tests' set-up (creating topics,
reading them back, publishing as another service would) connects as its super user (``kafka``);
a service under test connects as its own user (``kafka_users``, passed by ``own_topics``). The
users and passwords are the ones `make up` wrote to this checkout's .local/endpoints.json.
"""

from __future__ import annotations

import json
import os
import uuid
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import asyncpg
import pytest

from kokuho.events.runtime.connection import (
    ADMIN_USER,
    KafkaConnection,
    KafkaConnectionError,
    connection_from_endpoints,
)
from kokuho.events.testing.databases import Infra, temporary_database
from kokuho.platform.testing import OwnTopics

ENDPOINTS = Path(__file__).resolve().parent / ".local" / "endpoints.json"
LOCAL_PG_ADMIN_DSN = "postgresql://kokuho_admin:kokuho_admin@127.0.0.1:55432/postgres"
LOCAL_KAFKA_BOOTSTRAP = "127.0.0.1:59092"
#: The services whose own broker users the tests' services connect as.
SERVICES = ("assessment", "benefits", "collection", "delinquency", "eligibility", "linkage-gateway")


def local_endpoints() -> tuple[str, str]:
    """What `make up` wrote to .local/endpoints.json; the default ports otherwise."""
    if ENDPOINTS.exists():
        data = json.loads(ENDPOINTS.read_text())
        return data["postgres"]["admin_dsn"], data["kafka"]["bootstrap_servers"]
    return LOCAL_PG_ADMIN_DSN, LOCAL_KAFKA_BOOTSTRAP


def kafka_as(infra: Infra, user: str) -> KafkaConnection:
    """The tests' broker as ``user``: a container without authentication as itself; the local
    broker with the user's password from .local/endpoints.json (fails when there is none)."""
    if os.environ.get("KOKUHO_TEST_INFRA", "local") == "testcontainers":
        return KafkaConnection(infra.kafka_bootstrap, security_protocol="PLAINTEXT")
    try:
        kafka = json.loads(ENDPOINTS.read_text())["kafka"]
        return connection_from_endpoints(
            {**kafka, "bootstrap_servers": infra.kafka_bootstrap}, user, where=str(ENDPOINTS)
        )
    except (OSError, ValueError, KeyError, KafkaConnectionError) as exc:
        pytest.fail(
            f"no Kafka user {user!r} in {ENDPOINTS} ({exc}). Start the broker with `make up`.",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    mode = os.environ.get("KOKUHO_TEST_INFRA", "local")
    if mode == "testcontainers":
        from testcontainers.kafka import KafkaContainer
        from testcontainers.postgres import PostgresContainer

        with ExitStack() as stack:
            pg = stack.enter_context(PostgresContainer("postgres:16", driver=None))
            kafka = stack.enter_context(KafkaContainer("apache/kafka:4.1.1").with_kraft())
            yield Infra(pg.get_connection_url(), kafka.get_bootstrap_server())
        return
    if mode != "local":
        raise pytest.UsageError(
            f"KOKUHO_TEST_INFRA must be 'local' or 'testcontainers', not {mode!r}"
        )
    pg, kafka = local_endpoints()
    yield Infra(
        os.environ.get("KOKUHO_PG_ADMIN_DSN", pg),
        os.environ.get("KOKUHO_KAFKA_BOOTSTRAP", kafka),
    )


@pytest.fixture(scope="session")
async def pg_admin_dsn(infra: Infra) -> str:
    try:
        conn = await asyncpg.connect(infra.pg_admin_dsn, timeout=5)
        await conn.close()
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {infra.pg_admin_dsn} ({exc}). "
            "Start it with `make up` (make test does this for you).",
            pytrace=False,
        )
    return infra.pg_admin_dsn


def _kafka_reachable(infra: Infra) -> None:
    import socket

    host, _, port = infra.kafka_bootstrap.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as exc:
        pytest.fail(
            f"Kafka is not reachable at {infra.kafka_bootstrap} ({exc}). "
            "Start it with `make up` (make test does this for you).",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def kafka(infra: Infra) -> KafkaConnection:
    """The tests' set-up connection: the broker's super user (topics, ACLs, reading back,
    publishing as another service would). A service under test gets its own user instead
    (``own_topics``, ``kafka_users``)."""
    _kafka_reachable(infra)
    return kafka_as(infra, ADMIN_USER)


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka: KafkaConnection) -> KafkaConnection:
    """The old name of ``kafka`` (it was a bare address before the broker authenticated)."""
    return kafka


@pytest.fixture(scope="session")
def kafka_login(infra: Infra, kafka: KafkaConnection) -> Callable[[str], KafkaConnection]:
    """The tests' broker as any of its users (a service, a department, admin)."""
    return lambda user: kafka_as(infra, user)


@pytest.fixture(scope="session")
def kafka_users(infra: Infra, kafka: KafkaConnection) -> dict[str, KafkaConnection]:
    """Each service's own broker user (none on a container without authentication)."""
    if os.environ.get("KOKUHO_TEST_INFRA", "local") == "testcontainers":
        return {}
    return {service: kafka_as(infra, service) for service in SERVICES}


@pytest.fixture
async def fresh_database(pg_admin_dsn: str) -> AsyncIterator[str]:
    """A new, empty database for one test; dropped afterwards. Yields its DSN (admin login)."""
    async with temporary_database(pg_admin_dsn) as dsn:
        yield dsn


@pytest.fixture
def unique_topic() -> str:
    return f"test.{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def own_topics(kafka: KafkaConnection, kafka_users: dict[str, KafkaConnection]) -> OwnTopics:
    """This test's own topics (created, with dead-letter topics) and consumer-group prefix, and
    each service's own broker user with its rules on them: pass ``**own_topics.<service>()``
    to a service's Settings. A running demo (`make run`) then shares neither a topic nor a
    consumer group with the test."""
    return await OwnTopics.fresh().create(kafka, users=kafka_users)


@pytest.fixture(scope="session", autouse=True)
async def _delete_the_sessions_topics(infra: Infra) -> AsyncIterator[None]:
    """At the end of the session, delete the topics the tests made (OwnTopics): a broker that
    kept every run's topics would run out of heap (seen at ~12,000 partitions)."""
    yield
    from kokuho.platform.testing import CREATED_GRANTS, CREATED_TOPICS, delete_created_topics

    if not CREATED_TOPICS and not CREATED_GRANTS:
        return  # a session that made none needs no broker (unit tests alone)
    try:
        await delete_created_topics(kafka_as(infra, ADMIN_USER))
    except Exception as exc:  # the suite's verdict is the tests', not the clean-up's
        warnings.warn(f"could not delete the session's test topics: {exc}", stacklevel=1)
