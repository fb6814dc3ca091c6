"""Shared pytest fixtures: where the real PostgreSQL and Kafka are.

By default the tests use the infrastructure that `deploy/local` starts (`make up`; `make test`
does it first). With `KOKUHO_TEST_INFRA=testcontainers` and a Docker engine, the fixtures start
PostgreSQL and Kafka containers instead. Tests only see a DSN and a bootstrap address, so they
cannot tell which was used.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack

import asyncpg
import pytest

LOCAL_PG_ADMIN_DSN = "postgresql://kokuho_admin:kokuho_admin@127.0.0.1:55432/postgres"
LOCAL_KAFKA_BOOTSTRAP = "127.0.0.1:59092"


class Infra:
    def __init__(self, pg_admin_dsn: str, kafka_bootstrap: str) -> None:
        self.pg_admin_dsn = pg_admin_dsn
        self.kafka_bootstrap = kafka_bootstrap


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
        raise pytest.UsageError(f"KOKUHO_TEST_INFRA must be 'local' or 'testcontainers', not {mode!r}")
    yield Infra(
        os.environ.get("KOKUHO_PG_ADMIN_DSN", LOCAL_PG_ADMIN_DSN),
        os.environ.get("KOKUHO_KAFKA_BOOTSTRAP", LOCAL_KAFKA_BOOTSTRAP),
    )


@pytest.fixture(scope="session")
def pg_admin_dsn(infra: Infra) -> str:
    async def probe() -> None:
        conn = await asyncpg.connect(infra.pg_admin_dsn, timeout=5)
        await conn.close()

    try:
        asyncio.run(probe())
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {infra.pg_admin_dsn} ({exc}). "
            "Start it with `make up` (make test does this for you).",
            pytrace=False,
        )
    return infra.pg_admin_dsn


@pytest.fixture(scope="session")
def kafka_bootstrap(infra: Infra) -> str:
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
    return infra.kafka_bootstrap


def _with_database(dsn: str, database: str) -> str:
    base, _, _ = dsn.rpartition("/")
    return f"{base}/{database}"


@pytest.fixture
async def fresh_database(pg_admin_dsn: str) -> AsyncIterator[str]:
    """A new, empty database for one test; dropped afterwards. Yields its DSN (admin login)."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(pg_admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield _with_database(pg_admin_dsn, name)
    admin = await asyncpg.connect(pg_admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def unique_topic() -> str:
    return f"test.{uuid.uuid4().hex[:12]}"
