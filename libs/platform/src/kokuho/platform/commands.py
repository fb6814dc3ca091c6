"""The command line every service shares: ``python -m kokuho.<service> migrate|seed|serve``.

A service's ``__main__`` builds a ``ServiceDefinition`` and calls ``main``:

- ``migrate``: create the service's role and database when a superuser DSN is given
  (``KOKUHO_<SERVICE>_PG_ADMIN_DSN`` or ``KOKUHO_PG_ADMIN_DSN``), apply the platform schemas
  and the service's migrations, and create its topics (with their dead-letter topics);
- ``seed``: load the service's synthetic demo data (idempotent);
- ``serve``: run the API, the outbox relay and the service's consumers;
- ``verify-audit``: check the audit log's keyed chain and its records not yet sealed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import ssl
import sys
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError

from kokuho.events.runtime.connection import KafkaTlsRefused
from kokuho.events.runtime.topics import TopicSpec, ensure_topics, with_dead_letters
from kokuho.platform import audit, warm_up
from kokuho.platform.database import (
    DatabaseTlsRefused,
    connect,
    database_tls,
    migrate,
    migration_files,
    provision,
)
from kokuho.platform.documents.fonts import MissingFont
from kokuho.platform.settings import ServiceSettings, StartupRefused, UnknownSetting


@dataclass(frozen=True)
class ServiceDefinition:
    settings: Callable[[], ServiceSettings]
    build_app: Callable[[ServiceSettings], FastAPI]
    migrations: Path
    #: the service's own topics, or a function of its settings (topic names are settings)
    topics: Sequence[TopicSpec] | Callable[[ServiceSettings], Sequence[TopicSpec]] = ()
    seed: Callable[[ServiceSettings], Coroutine[Any, Any, str]] | None = None
    extra_commands: dict[str, Callable[[ServiceSettings, list[str]], Coroutine[Any, Any, int]]] = (
        field(default_factory=dict)
    )


def topic_specs(
    settings: ServiceSettings,
    topics: Sequence[TopicSpec] | Callable[[ServiceSettings], Sequence[TopicSpec]],
) -> list[TopicSpec]:
    """The service's topics sized as configured, each with its dead-letter topic."""
    if callable(topics):
        topics = topics(settings)
    sized = [
        TopicSpec(
            t.name,
            settings.kafka_partitions,
            settings.kafka_replication_factor,
            compacted=t.compacted,
            min_insync_replicas=t.min_insync_replicas,
        )
        for t in topics
    ]
    return with_dead_letters(sized)


async def run_migrate(definition: ServiceDefinition, settings: ServiceSettings) -> list[str]:
    admin = settings.pg_admin_dsn or os.environ.get("KOKUHO_PG_ADMIN_DSN")
    tls = database_tls(settings)
    if admin:
        await provision(admin, settings.database_dsn, tls=tls)
    applied = await migrate(settings.database_dsn, migration_files(definition.migrations), tls=tls)
    await ensure_topics(settings.kafka_connection(), topic_specs(settings, definition.topics))
    return applied


def kafka_refusal(settings: ServiceSettings) -> str | None:
    """Why the service cannot reach the broker as its own user, or None."""
    try:
        settings.kafka_connection()
    except StartupRefused as refused:
        return str(refused)
    return None


def kafka_tls_refusal(settings: ServiceSettings) -> str | None:
    """Why the broker's TLS listener and this service do not accept each other (its
    certificate not from the CA or not naming the host, this service's certificate refused:
    ADR 0099), or None. Without TLS, or with a broker not reachable yet, None."""
    try:
        connection = settings.kafka_connection()
    except StartupRefused:
        return None  # incomplete credentials: kafka_refusal's, where each command checks them
    try:
        asyncio.run(connection.check_tls())
    except KafkaTlsRefused as refused:
        return f"{settings.service_name}: {refused}"
    return None


def admin_dsn_refusal(settings: ServiceSettings) -> str | None:
    """The superuser DSN reaches only ``migrate`` run by the operator (issue 9, secrets): a
    serving process, the seed or a job holding it could rewrite its own audit log."""
    prefix = str(type(settings).model_config.get("env_prefix") or "")
    named = [f"{prefix}PG_ADMIN_DSN"] if settings.pg_admin_dsn else []
    if os.environ.get("KOKUHO_PG_ADMIN_DSN"):
        named.append("KOKUHO_PG_ADMIN_DSN")
    if not named:
        return None
    return (
        f"{' and '.join(named)} set: the PostgreSQL superuser DSN is for `migrate` only; "
        "run this command with the service's own database login"
    )


async def superuser_login_refusal(dsn: str, tls: ssl.SSLContext | None = None) -> str | None:
    """A service serves only with its own login: never a superuser, which could turn off the
    audit log's guards (ADR 0006)."""
    if not dsn:
        return "no database DSN configured (…_DATABASE_DSN)"
    try:
        conn = await asyncpg.connect(dsn, timeout=30, ssl=tls)
    except ssl.SSLCertVerificationError as exc:
        return str(DatabaseTlsRefused.of(dsn, exc))
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        return f"cannot log in to the database to check the service's login: {exc}"
    try:
        row = await conn.fetchrow(
            "SELECT rolname, rolsuper FROM pg_roles WHERE rolname = current_user"
        )
    finally:
        await conn.close()
    if row["rolsuper"]:
        return (
            f"the database login {row['rolname']!r} is a superuser: a service serves with its "
            "own login (migrate creates it)"
        )
    return None


async def run_verify_audit(settings: ServiceSettings) -> int:
    """Check the audit log with the service's key (ADR 0006): 0 when intact, 1 at the first
    tampered or missing record, 2 without the key. Also reports the records not yet sealed."""
    try:
        key = audit.load_key(settings)
    except audit.AuditKeyMissing as exc:
        print(f"audit chain NOT VERIFIED: {exc}")
        return 2
    conn = await connect(settings)
    try:
        report = await audit.verify(conn, key=key)
    finally:
        await conn.close()
    print(str(report))
    return 0 if report.ok else 1


def main(definition: ServiceDefinition, argv: Sequence[str] | None = None) -> int:
    commands = ["migrate", "seed", "serve", "verify-audit", *definition.extra_commands]
    parser = argparse.ArgumentParser(prog=f"python -m kokuho.{definition.migrations.parent.name}")
    parser.add_argument("command", choices=commands)
    parser.add_argument("args", nargs=argparse.REMAINDER)
    ns = parser.parse_args(argv)
    try:
        settings = definition.settings()
    except (UnknownSetting, ValidationError) as refused:
        # Fail closed with the setting's name, not a traceback (service-shape.md, Settings).
        print(f"error: configuration refused: {refused}", file=sys.stderr)
        return 2
    if ns.command != "migrate" and (refusal := admin_dsn_refusal(settings)):
        print(f"error: {refusal}", file=sys.stderr)
        return 2
    # A command that writes audit records (an extra command's job) uses the service's key; one
    # without a configured key fails at its first append (ADR 0006), the others need none.
    with contextlib.suppress(audit.AuditKeyMissing):
        audit.load_key(settings)
    # seed and serve reach the broker as the service's own user (ADR 0086): refused before they
    # do anything when it is not configured (migrate: once the database is done, for its topics).
    if ns.command == "seed" and (refusal := kafka_refusal(settings)):
        print(f"error: cannot start: {refusal}", file=sys.stderr)
        return 2
    # A TLS listener that refuses the service (or that the service cannot trust) stops the
    # command with the reason, not with aiokafka's "Unable to bootstrap" (ADR 0099).
    if ns.command in ("migrate", "seed", "serve") and (refusal := kafka_tls_refusal(settings)):
        print(f"error: cannot start: {refusal}", file=sys.stderr)
        return 2
    if ns.command == "migrate":
        try:
            applied = asyncio.run(run_migrate(definition, settings))
        except ssl.SSLCertVerificationError as exc:
            print(f"error: {DatabaseTlsRefused.of(settings.database_dsn, exc)}", file=sys.stderr)
            return 2
        except StartupRefused as refused:  # the broker user, asked for the topics (ADR 0086)
            print(f"error: cannot start: {refused}", file=sys.stderr)
            return 2
        print(f"migrations applied: {', '.join(applied) if applied else 'none pending'}")
        return 0
    if ns.command == "seed":
        if definition.seed is None:
            print("this service has no demo data")
            return 0
        print(asyncio.run(definition.seed(settings)))
        return 0
    if ns.command == "serve":
        login_check = superuser_login_refusal(settings.database_dsn, database_tls(settings))
        if refusal := asyncio.run(login_check):
            print(f"error: {refusal}", file=sys.stderr)
            return 2
        try:
            app = definition.build_app(settings)
            settings.kafka_connection()
            # What the app's modules would load lazily at their first request (the name
            # policy's fonts): loaded now, and frozen below with the rest (issue 15).
            warm_up.run()
        except (StartupRefused, audit.AuditKeyMissing, MissingFont) as refused:
            print(f"error: cannot start: {refused}", file=sys.stderr)
            return 2
        # What start-up made (modules, models, routes: most of a service's objects) lives as
        # long as the process: frozen out of the cyclic collector, whose full passes walked it
        # all and paused every request in flight (a tail of request latency, issue 15).
        gc.freeze()
        uvicorn.run(
            app,
            host=settings.http_host,
            port=settings.http_port,
            log_config=None,  # our JSON logging, configured by create_app
            access_log=False,  # request facts go to the audit log, not to text logs
        )
        return 0
    if ns.command == "verify-audit":
        return asyncio.run(run_verify_audit(settings))
    try:
        return asyncio.run(definition.extra_commands[ns.command](settings, ns.args))
    except StartupRefused as refused:
        print(f"error: {refused}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run a service's own module: python -m kokuho.<service>")
