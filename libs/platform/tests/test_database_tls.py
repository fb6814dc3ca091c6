"""PostgreSQL over TLS with sslmode verify-full (ADR 0094), against a cluster of its own that
deploy/local/postgres.sh starts with its server certificate from the local CA (the shared
cluster is not restarted). A service's connection with ``database_tls_ca_path`` is TLS and
verified; a server whose certificate comes from another CA, or names another host, is refused
with a message that says so; a CA file that cannot be read stops the settings."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
from pydantic import ValidationError

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.platform import database
from kokuho.platform.eventing import Eventing
from kokuho.platform.settings import ServiceSettings
from kokuho.platform.testing import OwnTopics, eventually, fresh_cluster, kafka_settings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
TLS_TOOL = ROOT / "deploy" / "local" / "tls.py"
LOCAL_CA = ROOT / ".local" / "tls" / "ca.crt"


def tls_tool(*args: str) -> None:
    subprocess.run([sys.executable, str(TLS_TOOL), *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def cluster(pg_admin_dsn: str) -> Iterator[str]:
    with fresh_cluster(pg_admin_dsn, label="tls") as admin:
        yield admin


def settings(dsn: str, ca: Path | None) -> ServiceSettings:
    return ServiceSettings(service_name="tls-check", database_dsn=dsn, database_tls_ca_path=ca)


async def served_over_tls(conn: asyncpg.Connection) -> bool:
    return bool(await conn.fetchval("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))


async def test_verify_full_against_the_local_ca(cluster: str) -> None:
    # sslmode=disable in the DSN: only the setting's context makes these connections TLS
    service = settings(f"{cluster}?sslmode=disable", LOCAL_CA)
    conn = await database.connect(service)
    try:
        assert await served_over_tls(conn)
    finally:
        await conn.close()
    pool = await database.create_pool(service, min_size=1, max_size=2)
    try:
        async with pool.acquire() as pooled:
            assert await served_over_tls(pooled)
    finally:
        await pool.close()
    # plain connections keep working locally (tests, the running demo)
    plain = await asyncpg.connect(cluster, ssl=False)
    try:
        assert not await served_over_tls(plain)
    finally:
        await plain.close()


async def test_a_certificate_from_another_ca_is_refused(cluster: str, tmp_path: Path) -> None:
    tls_tool("ca", "--ca-dir", str(tmp_path / "other"))
    service = settings(cluster, tmp_path / "other" / "ca.crt")
    with pytest.raises(database.DatabaseTlsRefused) as refused:
        await database.connect(service)
    message = str(refused.value)
    assert f"127.0.0.1:{urlsplit(cluster).port}" in message
    assert "certificate verify failed" in message or "unable to get local issuer" in message
    assert "database_tls_ca_path" in message


async def test_a_certificate_naming_another_host_is_refused(cluster: str, tmp_path: Path) -> None:
    # the same local CA, but the server's certificate names another host: verify-full refuses
    data = await _data_directory(cluster)
    tls_tool("issue", "elsewhere", "--out", str(tmp_path), "--dns", "db.elsewhere.test")
    owner = os.stat(data)
    try:
        for suffix in ("crt", "key"):
            target = data / f"server.{suffix}"
            target.write_bytes((tmp_path / f"elsewhere.{suffix}").read_bytes())
            os.chown(target, owner.st_uid, owner.st_gid)
            target.chmod(0o600)
        await _reload(cluster)
        with pytest.raises(database.DatabaseTlsRefused) as refused:
            await database.connect(settings(cluster, LOCAL_CA))
        assert "mismatch" in str(refused.value)
        assert "127.0.0.1" in str(refused.value)
    finally:
        # back to the cluster's own certificate for the other tests
        own = data.parent / "tls"
        for suffix in ("crt", "key"):
            target = data / f"server.{suffix}"
            target.write_bytes((own / f"server.{suffix}").read_bytes())
            os.chown(target, owner.st_uid, owner.st_gid)
        await _reload(cluster)
    conn = await database.connect(settings(cluster, LOCAL_CA))
    await conn.close()


async def test_provision_and_migrate_over_verified_tls(cluster: str) -> None:
    tls = database.database_tls(settings(cluster, LOCAL_CA))
    port = urlsplit(cluster).port
    service_dsn = (
        f"postgresql://kokuho_tls_check:tls-{uuid.uuid4().hex}@127.0.0.1:{port}/kokuho_tls_check"
    )
    await database.provision(cluster, service_dsn, tls=tls)
    applied = await database.migrate(
        service_dsn, [("0001_checked.sql", "CREATE TABLE checked (x int)")], tls=tls
    )
    assert applied == ["0001_checked.sql"]
    conn = await database.connect(settings(service_dsn, LOCAL_CA))
    try:
        assert await served_over_tls(conn)
        assert await conn.fetchval("SELECT count(*) FROM checked") == 0
    finally:
        await conn.close()


async def test_every_connection_of_a_running_service_is_verified_tls(
    cluster: str, kafka: KafkaConnection
) -> None:
    """The pool, the outbox relay and the audit sealer of a started service (``Eventing``)."""
    tls = database.database_tls(settings(cluster, LOCAL_CA))
    port = urlsplit(cluster).port
    role = "kokuho_tls_service"
    service_dsn = f"postgresql://{role}:tls-{uuid.uuid4().hex}@127.0.0.1:{port}/{role}"
    await database.provision(cluster, service_dsn, tls=tls)
    await database.migrate(service_dsn, [], tls=tls)
    service = ServiceSettings(
        service_name="tls-service",
        # sslmode=disable: a connection opened without the setting's context would be plain
        # and show here; the context overrides it wherever the platform passes it
        database_dsn=f"{service_dsn}?sslmode=disable",
        database_tls_ca_path=LOCAL_CA,
        **kafka_settings(kafka),  # a probe service of the test: the set-up's user
        consumer_group_prefix=OwnTopics.fresh("tls").consumer_group_prefix,
    )

    async def sessions() -> list[tuple[str, bool]]:
        admin = await asyncpg.connect(cluster)
        try:
            rows = await admin.fetch(
                "SELECT a.application_name, s.ssl FROM pg_stat_activity a"
                " JOIN pg_stat_ssl s USING (pid) WHERE a.usename = $1",
                role,
            )
        finally:
            await admin.close()
        return [(r["application_name"], bool(r["ssl"])) for r in rows]

    async with Eventing(service):
        # the pooled connections (opened at start), the relay's and the sealer's
        seen = await eventually(
            lambda: _at_least(sessions, 3), what="the service's three connections"
        )
    assert all(encrypted for _, encrypted in seen), seen


async def _at_least(
    sessions: Callable[[], Awaitable[list[tuple[str, bool]]]], n: int
) -> list[tuple[str, bool]] | None:
    found = await sessions()
    return found if len(found) >= n else None


@pytest.mark.parametrize("ca", ["another authority", "no file"])
def test_a_service_command_refuses_what_it_cannot_verify(
    cluster: str, tmp_path: Path, ca: str
) -> None:
    if ca == "another authority":
        tls_tool("ca", "--ca-dir", str(tmp_path / "other"))
    path = tmp_path / "other" / "ca.crt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOKUHO_")} | {
        "KOKUHO_ASSESSMENT_DATABASE_DSN": cluster,
        "KOKUHO_ASSESSMENT_DATABASE_TLS_CA_PATH": str(path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "kokuho.assessment", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    if ca == "another authority":
        assert "was refused (TLS, sslmode verify-full)" in done.stderr
        assert "certificate verify failed" in done.stderr
    else:
        assert "configuration refused" in done.stderr
        assert "database_tls_ca_path" in done.stderr


def test_a_missing_or_unreadable_ca_stops_the_settings(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="database_tls_ca_path"):
        settings("postgresql://x@127.0.0.1:1/x", tmp_path / "absent.crt")
    (tmp_path / "not-a-ca.crt").write_text("not a certificate\n")
    with pytest.raises(ValidationError, match="database_tls_ca_path"):
        settings("postgresql://x@127.0.0.1:1/x", tmp_path / "not-a-ca.crt")


async def _data_directory(admin: str) -> Path:
    conn = await asyncpg.connect(admin)
    try:
        return Path(await conn.fetchval("SHOW data_directory"))
    finally:
        await conn.close()


async def _reload(admin: str) -> None:
    conn = await asyncpg.connect(admin)
    try:
        assert await conn.fetchval("SELECT pg_reload_conf()")
    finally:
        await conn.close()
