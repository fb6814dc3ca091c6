"""The service's own database: provisioning (one role, one database: C-05) and migrations.

``provision`` runs with the superuser DSN and creates the login role and the database named in
the service DSN, owned by that role, with CONNECT revoked from PUBLIC, so one service's
credentials are refused by every other service's database. It also installs (or upgrades) the
audit log, owned by a NOLOGIN role ``<role>_audit_owner`` that the service cannot become
(ADR 0006). ``migrate`` then runs as the service role: the platform schemas (event store,
outbox, inbox, idempotency keys; for the audit log only a check that provision installed it, or
the whole install when the DSN is a superuser's, as in the tests) and the service's numbered
``NNNN_name.sql`` files, each once, in order, in its own transaction, with a checksum so an
edited applied migration is refused.
"""

from __future__ import annotations

import hashlib
import re
import ssl
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import asyncpg

from kokuho.events.runtime import schema as events_schema
from kokuho.platform import audit, idempotency
from kokuho.platform.settings import ServiceSettings, StartupRefused
from kokuho.platform.tls import verifying_context

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_MIGRATION = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

Step = Callable[[asyncpg.Connection], Awaitable[None]]


class MigrationError(Exception):
    pass


# --- connections (ADR 0094) -----------------------------------------------------------------


class DatabaseTlsRefused(StartupRefused):
    """The database server's certificate was refused (sslmode verify-full): another CA, or it
    does not name the host of the DSN. Nothing is retried without verification."""

    @classmethod
    def of(cls, dsn: str, exc: ssl.SSLCertVerificationError) -> DatabaseTlsRefused:
        parts = urlsplit(dsn)
        return cls(
            f"the database server at {parts.hostname}:{parts.port or 5432} was refused (TLS, "
            f"sslmode verify-full): certificate verify failed: {exc.verify_message or exc.reason}; "
            "its certificate must be signed by the CA of database_tls_ca_path and name the "
            "DSN's host"
        )


def database_tls(settings: ServiceSettings) -> ssl.SSLContext | None:
    """The TLS context of the service's database connections: verify-full against
    ``database_tls_ca_path``; None when it is not set (the DSN alone decides)."""
    if settings.database_tls_ca_path is None:
        return None
    return verifying_context(settings.database_tls_ca_path, setting="database_tls_ca_path")


async def connect(
    settings: ServiceSettings, dsn: str | None = None, **kwargs: Any
) -> asyncpg.Connection:
    """One connection for the service: ``dsn`` (default ``database_dsn``), with TLS as its
    settings say."""
    target = settings.database_dsn if dsn is None else dsn
    tls = database_tls(settings)
    try:
        return await asyncpg.connect(target, ssl=tls, **kwargs)
    except ssl.SSLCertVerificationError as exc:
        raise DatabaseTlsRefused.of(target, exc) from None


#: Array types the platform's statements bind (the event store's batch insert: uuid[], int[],
#: timestamptz[]; bigint[], bytea[], date[] elsewhere) for which asyncpg has no built-in codec:
#: it looks each one up in the catalog on a connection's first statement using it. That lookup
#: (15-40 ms on this machine, 75-130 ms under load) fell inside a request: the first audited
#: write on each of the pool's connections (issue 15).
ARRAY_TYPES = ("int4", "int8", "uuid", "timestamptz", "date", "bytea")
_ARRAY_CODECS = "SELECT " + ", ".join(f"${i}::{t}[]" for i, t in enumerate(ARRAY_TYPES, 1))


async def load_array_codecs(conn: asyncpg.Connection) -> None:
    """Make asyncpg look up ``ARRAY_TYPES`` now, in one round trip (a pool's ``init``)."""
    await conn.fetchrow(_ARRAY_CODECS, *([None] * len(ARRAY_TYPES)))


async def keep_session(conn: asyncpg.Connection) -> None:
    """A released pool connection is not reset by a query (ADR 0107): asyncpg has already
    rolled back a transaction left open; the rest of its reset (``RESET ALL``, ``UNLISTEN *``,
    advisory unlock, ``CLOSE ALL``) undoes session state the pool's users never make (``SET
    LOCAL`` only; session locks and ``LISTEN`` on dedicated connections), at a round trip per
    request."""


async def create_pool(settings: ServiceSettings, **kwargs: Any) -> asyncpg.Pool:
    """The service's pool on ``database_dsn``, with TLS as its settings say; each connection
    has the codecs of ``ARRAY_TYPES`` before it is handed out (then a caller's ``init``)."""
    tls = database_tls(settings)
    init = kwargs.pop("init", None)

    async def prepared(conn: asyncpg.Connection) -> None:
        await load_array_codecs(conn)
        if init is not None:
            await init(conn)

    try:
        pool: asyncpg.Pool = await asyncpg.create_pool(
            settings.database_dsn, ssl=tls, init=prepared, reset=keep_session, **kwargs
        )
    except ssl.SSLCertVerificationError as exc:
        raise DatabaseTlsRefused.of(settings.database_dsn, exc) from None
    return pool


@dataclass(frozen=True)
class DatabaseLogin:
    role: str
    password: str
    database: str

    @classmethod
    def from_dsn(cls, dsn: str) -> DatabaseLogin:
        parts = urlsplit(dsn)
        role = unquote(parts.username or "")
        database = parts.path.lstrip("/")
        for name in (role, database):
            if not _NAME.match(name):
                raise MigrationError(f"{name!r} is not a plain lower-case PostgreSQL name")
        return cls(role, unquote(parts.password or ""), database)


def _quote(name: str) -> str:
    if not _NAME.match(name):
        raise MigrationError(f"{name!r} is not a plain lower-case PostgreSQL name")
    return f'"{name}"'


def _on_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return parts._replace(path=f"/{database}").geturl()


async def provision(admin_dsn: str, service_dsn: str, *, tls: ssl.SSLContext | None = None) -> None:
    """Create (or bring up to date) the service's login role and database. Idempotent."""
    login = DatabaseLogin.from_dsn(service_dsn)
    role, database = _quote(login.role), _quote(login.database)
    admin = await asyncpg.connect(admin_dsn, ssl=tls)
    try:
        # One provisioning at a time across services sharing a cluster.
        await admin.execute("SELECT pg_advisory_lock(hashtext('kokuho.provision'))")
        exists = await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", login.role)
        verb = "ALTER" if exists else "CREATE"
        password = login.password.replace("'", "''")
        await admin.execute(
            f"{verb} ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{password}'"
        )
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", login.database):
            await admin.execute(f"CREATE DATABASE {database} OWNER {role} ENCODING 'UTF8'")
        await admin.execute(f"REVOKE ALL ON DATABASE {database} FROM PUBLIC")
        await admin.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {role}")
    finally:
        await admin.close()
    inside = await asyncpg.connect(_on_database(admin_dsn, login.database), ssl=tls)
    try:
        await inside.execute(f"ALTER SCHEMA public OWNER TO {role}")
        await inside.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        # The audit log belongs to <role>_audit_owner, not to the service (ADR 0006); only a
        # superuser can set that up (or upgrade a pre-0006 audit table in place).
        await audit.install(inside, app_role=login.role)
    finally:
        await inside.close()


def migration_files(directory: Path | Traversable) -> list[tuple[str, str]]:
    """``(version, sql)`` for every ``NNNN_name.sql`` file, in order; refuses duplicates."""
    found: dict[str, tuple[str, str]] = {}
    for entry in directory.iterdir():
        match = _MIGRATION.match(entry.name)
        if not match:
            continue
        if match.group(1) in found:
            raise MigrationError(f"two migrations numbered {match.group(1)}")
        found[match.group(1)] = (entry.name, entry.read_text(encoding="utf-8"))
    return [found[number] for number in sorted(found)]


async def migrate(
    service_dsn: str,
    migrations: Sequence[tuple[str, str]],
    *,
    platform_steps: Sequence[Step] | None = None,
    tls: ssl.SSLContext | None = None,
) -> list[str]:
    """Apply the platform schemas and the pending migrations; returns the names applied."""
    login = DatabaseLogin.from_dsn(service_dsn)
    steps = (
        list(platform_steps)
        if platform_steps is not None
        else [
            events_schema.install,
            lambda conn: audit.install(conn, app_role=login.role),
            idempotency.install,
        ]
    )
    conn = await asyncpg.connect(service_dsn, ssl=tls)
    try:
        await conn.execute("SELECT pg_advisory_lock(hashtext('kokuho.migrate'))")
        for step in steps:
            await step(conn)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name text PRIMARY KEY, checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        applied = {
            r["name"]: r["checksum"]
            for r in await conn.fetch("SELECT name, checksum FROM schema_migrations")
        }
        done: list[str] = []
        for name, sql in migrations:
            checksum = hashlib.sha256(sql.encode()).hexdigest()
            if name in applied:
                if applied[name] != checksum:
                    raise MigrationError(f"{name} was changed after it was applied")
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", name, checksum
                )
            done.append(name)
        return done
    finally:
        await conn.close()
