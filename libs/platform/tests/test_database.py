"""Provisioning and migrations on the real PostgreSQL: one role and one database per service."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from kokuho.events.testing.databases import with_database
from kokuho.platform.database import (
    DatabaseLogin,
    MigrationError,
    migrate,
    migration_files,
    provision,
)

pytestmark = pytest.mark.integration


def service_dsn(admin_dsn: str, name: str) -> str:
    host = admin_dsn.split("@", 1)[1].rsplit("/", 1)[0]
    return f"postgresql://{name}:pw_{name}@{host}/{name}"


@pytest.fixture
async def two_services(pg_admin_dsn: str) -> AsyncIterator[tuple[str, str]]:
    names = [f"svc_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    dsns = [service_dsn(pg_admin_dsn, n) for n in names]
    for dsn in dsns:
        await provision(pg_admin_dsn, dsn)
    yield dsns[0], dsns[1]
    admin = await asyncpg.connect(pg_admin_dsn)
    try:
        for name in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'DROP ROLE IF EXISTS "{name}"')
    finally:
        await admin.close()


async def test_a_services_credentials_are_refused_by_another_services_database(
    two_services: tuple[str, str],
) -> None:
    """C-05: other systems cannot reach a system's data directly."""
    mine, theirs = two_services
    conn = await asyncpg.connect(mine)
    await conn.close()
    their_db = DatabaseLogin.from_dsn(theirs).database
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await asyncpg.connect(with_database(mine, their_db))


async def test_provision_is_idempotent_and_wrong_password_is_refused(
    pg_admin_dsn: str, two_services: tuple[str, str]
) -> None:
    mine, _ = two_services
    await provision(pg_admin_dsn, mine)
    login = DatabaseLogin.from_dsn(mine)
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(mine.replace(f":{login.password}@", ":wrong@"))


async def test_migrations_apply_once_in_order_with_the_platform_schemas(
    two_services: tuple[str, str], tmp_path: Path
) -> None:
    dsn, _ = two_services
    (tmp_path / "0002_more.sql").write_text("ALTER TABLE things ADD COLUMN note text;")
    (tmp_path / "0001_things.sql").write_text("CREATE TABLE things (id int PRIMARY KEY);")
    (tmp_path / "README.md").write_text("not a migration")
    files = migration_files(tmp_path)
    assert [name for name, _ in files] == ["0001_things.sql", "0002_more.sql"]
    assert await migrate(dsn, files) == ["0001_things.sql", "0002_more.sql"]
    assert await migrate(dsn, files) == []
    conn = await asyncpg.connect(dsn)
    try:
        tables = {
            r["tablename"]
            for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' UNION ALL"
                " SELECT viewname FROM pg_views WHERE schemaname = 'public'"  # audit_log: ADR 0006
            )
        }
        assert {"events", "outbox", "inbox", "audit_log", "things", "schema_migrations"} <= tables
        await conn.execute("INSERT INTO things (id, note) VALUES (1, 'x')")
    finally:
        await conn.close()


async def test_an_edited_applied_migration_is_refused(
    two_services: tuple[str, str], tmp_path: Path
) -> None:
    dsn, _ = two_services
    (tmp_path / "0001_things.sql").write_text("CREATE TABLE things (id int PRIMARY KEY);")
    await migrate(dsn, migration_files(tmp_path))
    (tmp_path / "0001_things.sql").write_text("CREATE TABLE things (id bigint PRIMARY KEY);")
    with pytest.raises(MigrationError, match="changed"):
        await migrate(dsn, migration_files(tmp_path))


async def test_a_failing_migration_leaves_nothing_behind(
    two_services: tuple[str, str], tmp_path: Path
) -> None:
    dsn, _ = two_services
    (tmp_path / "0001_bad.sql").write_text("CREATE TABLE half (id int); SELECT no_such_function();")
    with pytest.raises(asyncpg.UndefinedFunctionError):
        await migrate(dsn, migration_files(tmp_path))
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT to_regclass('half')") is None
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations") == 0
    finally:
        await conn.close()


def test_names_that_are_not_plain_identifiers_are_refused() -> None:
    with pytest.raises(MigrationError):
        DatabaseLogin.from_dsn('postgresql://bad";drop:pw@127.0.0.1:5432/x')
