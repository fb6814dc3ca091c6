"""C-08: no delinquency data is readable except through this service's audited API. Another
service's login is refused by delinquency's database (one role, one database each, C-05), and
what the service publishes on its general topic is only the public facts: none of the file's
notes, names of banks or property, staff or private event kinds."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from kokuho.delinquency.bootstrap import build
from kokuho.delinquency.commands import seed
from kokuho.delinquency.config import Settings
from kokuho.events.contracts import delinquency as contracts
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import read_topic
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.database import migrate, migration_files, provision
from kokuho.platform.testing import kafka_settings, serving
from kokuho.platform.token import new_private_key

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
NOW = datetime(2026, 8, 3, 3, 0, tzinfo=UTC)
PRIVATE = ("デモ", "system:seed", "case_recorded", "第一係", "収納対策課", "no_property")


def dsn_of(admin_dsn: str, name: str) -> str:
    parts = urlsplit(admin_dsn)
    return f"postgresql://{name}:pw-{name}@{parts.hostname}:{parts.port}/{name}"


@pytest.fixture
async def two_services(pg_admin_dsn: str) -> AsyncIterator[tuple[str, str]]:
    """delinquency's own login and database, and another service's."""
    tag = uuid.uuid4().hex[:8]
    names = [f"t_dlq_{tag}", f"t_other_{tag}"]
    dsns = [dsn_of(pg_admin_dsn, n) for n in names]
    try:
        for dsn in dsns:
            await provision(pg_admin_dsn, dsn)
        await migrate(dsns[0], migration_files(MIGRATIONS))
        yield dsns[0], dsns[1]
    finally:
        admin = await asyncpg.connect(pg_admin_dsn)
        try:
            for name in names:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                for role in (f"{name}_audit_owner", name):
                    await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        finally:
            await admin.close()


async def test_another_services_login_cannot_read_the_delinquency_database(
    two_services: tuple[str, str], kafka: KafkaConnection, kafka_users: dict[str, KafkaConnection]
) -> None:
    own, other = two_services
    user = kafka_users.get("delinquency", kafka)  # its own (a test container: no users)
    settings = Settings(database_dsn=own, **kafka_settings(user))
    assert "9 delinquency cases" in await seed(settings, lambda: NOW)
    conn = await asyncpg.connect(own)
    try:
        assert await conn.fetchval("SELECT count(*) FROM case_views") == 9
    finally:
        await conn.close()
    other_role = urlsplit(other).username
    intruder = own.replace(urlsplit(own).username or "", other_role or "", 1)
    intruder = intruder.replace(f"pw-{urlsplit(own).username}", f"pw-{other_role}")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await asyncpg.connect(intruder)  # CONNECT is the delinquency role's only


async def test_only_public_facts_reach_the_general_topic(settings: Settings) -> None:
    await seed(settings, lambda: NOW)
    key = new_private_key()
    app = build(settings, token_verifier=TokenVerifier([key.public_key()]), clock=lambda: NOW)
    async with serving(app, "delinquency"):  # the relay publishes what the seed stored
        records = await read_topic(
            settings.kafka_connection(),
            settings.events_topic,
            until=lambda rs: any(b"special_care_flagged" in r.value for r in rs),
        )
    types = {json.loads(r.value)["type"] for r in records}
    public = {
        c.event_type
        for c in vars(contracts).values()
        if isinstance(c, type)
        and issubclass(c, contracts.EventContract)
        and c is not contracts.EventContract
    }
    assert contracts.SpecialCareFlagged.event_type in types
    assert types <= public
    text = b"\n".join(r.value for r in records).decode()
    for private in PRIVATE:
        assert private not in text
