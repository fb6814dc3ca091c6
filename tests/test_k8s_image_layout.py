"""The image's file layout, built without a Docker engine, migrates a database (issue 17).

The image once copied the migrations to a path the installed ``migrate`` does not look in. Here
each service is installed the way deploy/Dockerfile installs it (deploy/image/install.sh: the
locked, non-editable wheels into a fresh virtual environment outside the repository) and
``python -m kokuho.<service> migrate`` runs from that environment, as the migration Job does,
against the local PostgreSQL with the superuser DSN (provision) and a role of its own.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from kokuho.events.runtime.connection import ADMIN_USER, connection_from_endpoints

ROOT = Path(__file__).resolve().parent.parent
SERVICES = sorted(p.parent.name for p in ROOT.glob("services/*/pyproject.toml"))
ENDPOINTS = json.loads((ROOT / ".local/endpoints.json").read_text())
ADMIN_DSN = ENDPOINTS["postgres"]["admin_dsn"]
BOOTSTRAP = ENDPOINTS["kafka"]["bootstrap_servers"]
#: migrate runs as the broker's super user, as the operator's migration does (ADR 0086)
KAFKA = connection_from_endpoints(ENDPOINTS["kafka"], ADMIN_USER)
KAFKA_ENV = {
    "KAFKA_BOOTSTRAP_SERVERS": BOOTSTRAP,
    "KAFKA_SECURITY_PROTOCOL": KAFKA.security_protocol,
    "KAFKA_USERNAME": KAFKA.username,
    "KAFKA_PASSWORD": KAFKA.password,
}

pytestmark = pytest.mark.integration


async def _topics() -> set[str]:
    admin = AIOKafkaAdminClient(**KAFKA.client_options())
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


def _declared_topics(service: str) -> set[str]:
    spec = importlib.util.spec_from_file_location("kafka_access", ROOT / "deploy/kafka_access.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["kafka_access"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    access = module.access_of(service)
    return {t.name for t in access.owned} | set(access.dead_letters)


async def _delete_topics(names: set[str]) -> None:
    if not names:
        return
    admin = AIOKafkaAdminClient(**KAFKA.client_options())
    await admin.start()
    try:
        await admin.delete_topics(sorted(names))
    finally:
        await admin.close()


async def _drop(name: str) -> None:
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for role in (name, f"{name}_audit_owner"):
            await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
    finally:
        await admin.close()


async def _applied(dsn: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT name FROM schema_migrations ORDER BY name")
        return [r["name"] for r in rows]
    finally:
        await conn.close()


def _migrate(venv: Path, service: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin/python"), "-m", f"kokuho.{service.replace('-', '_')}", "migrate"],
        cwd=venv,  # nowhere near the source tree
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Install a service as the image does, once per service for this module."""
    made: dict[str, Path] = {}

    def installed(service: str) -> Path:
        if service not in made:
            made[service] = _install(service, tmp_path_factory.mktemp(service) / "app")
        return made[service]

    return installed


def _install(service: str, venv: Path) -> Path:
    installed = subprocess.run(
        [str(ROOT / "deploy/image/install.sh"), service, str(venv)],
        cwd=ROOT,
        env={**os.environ, "UV": os.environ.get("UV") or shutil.which("uv") or "uv"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    return venv


@pytest.mark.parametrize("service", SERVICES)
def test_the_installed_service_migrates_from_its_own_environment(
    service: str, install: Callable[[str], Path], tmp_path: Path
) -> None:
    venv = install(service)
    # no path back into the repository: the service's code is the installed wheel's
    located = subprocess.run(
        [
            str(venv / "bin/python"),
            "-c",
            f"import kokuho.{service.replace('-', '_')} as m; print(m.__file__)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(located.stdout.strip()).is_relative_to(venv), located.stdout

    name = f"kokuho_layout_{uuid.uuid4().hex[:10]}"
    prefix = f"KOKUHO_{service.upper().replace('-', '_')}_"
    host = ADMIN_DSN.split("@", 1)[1].split("/", 1)[0]
    dsn = f"postgresql://{name}:{name}@{host}/{name}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOKUHO_")}
    env |= {
        f"{prefix}DATABASE_DSN": dsn,
        f"{prefix}PG_ADMIN_DSN": ADMIN_DSN,
        **{f"{prefix}{k}": v for k, v in KAFKA_ENV.items()},
    }
    before = asyncio.run(_topics())
    try:
        migrated = _migrate(venv, service, env)
        assert migrated.returncode == 0, migrated.stderr
        shipped = sorted(p.name for p in (ROOT / f"services/{service}/migrations").glob("*.sql"))
        applied = asyncio.run(_applied(dsn))
        assert shipped, "the service has no migrations to check"
        assert [a for a in applied if a in shipped] == shipped, (applied, shipped)
        # and once more: nothing pending, nothing refused (checksums of the installed files)
        again = _migrate(venv, service, env)
        assert again.returncode == 0, again.stderr
        assert "none pending" in again.stdout
    finally:
        asyncio.run(_drop(name))
        # Only the topics this service's migrate declares and that did not exist before: never
        # another run's topics (a concurrent suite's, or the demo's of make run).
        declared = _declared_topics(service)
        asyncio.run(_delete_topics((asyncio.run(_topics()) - before) & declared))


def test_a_layout_without_the_migrations_is_refused(install: Callable[[str], Path]) -> None:
    """The check can fail: the same environment with its migrations removed does not migrate.
    (Runs after the service's own test above, which used the environment intact.)"""
    service = "delinquency"
    venv = install(service)
    placed = list(venv.glob("lib/python*/migrations"))
    assert placed
    for directory in placed:
        shutil.rmtree(directory)
    name = f"kokuho_layout_{uuid.uuid4().hex[:10]}"
    host = ADMIN_DSN.split("@", 1)[1].split("/", 1)[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOKUHO_")}
    env |= {
        "KOKUHO_DELINQUENCY_DATABASE_DSN": f"postgresql://{name}:{name}@{host}/{name}",
        "KOKUHO_DELINQUENCY_PG_ADMIN_DSN": ADMIN_DSN,
        **{f"KOKUHO_DELINQUENCY_{k}": v for k, v in KAFKA_ENV.items()},
    }
    try:
        failed = _migrate(venv, service, env)
    finally:
        asyncio.run(_drop(name))
    assert failed.returncode != 0
    assert "migrations" in failed.stderr, failed.stderr


def test_the_dockerfile_installs_with_the_same_script() -> None:
    """What this module checks is what the image does: the Dockerfile's build stage runs
    deploy/image/install.sh into /app, the final stage copies /app, and nothing copies the
    migrations to a path of its own."""
    lines = [
        line.strip()
        for line in (ROOT / "deploy/Dockerfile").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    runs = [line for line in lines if line.startswith("RUN ")]
    assert any('deploy/image/install.sh "${SERVICE}" /app' in line for line in runs), runs
    assert "COPY --from=build /app /app" in lines
    assert not [line for line in lines if line.startswith("COPY") and "migrations" in line]
