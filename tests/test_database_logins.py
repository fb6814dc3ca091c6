"""Issue 9, secrets: the PostgreSQL superuser DSN reaches only `migrate`. A serving process, the
demo seed or a job holding it could turn off its own audit log's guards (ADR 0006), so they
refuse to run with it, and `serve` refuses a superuser login outright."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kokuho.platform.settings import SHARED_PREFIX

pytestmark = pytest.mark.integration


def run_eligibility(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(SHARED_PREFIX)}
    return subprocess.run(
        [sys.executable, "-m", "kokuho.eligibility", command],
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("command", ["seed", "serve", "verify-audit", "turning-75"])
@pytest.mark.parametrize("variable", ["KOKUHO_PG_ADMIN_DSN", "KOKUHO_ELIGIBILITY_PG_ADMIN_DSN"])
def test_only_migrate_may_hold_the_superuser_dsn(
    command: str, variable: str, pg_admin_dsn: str
) -> None:
    ran = run_eligibility(command, {variable: pg_admin_dsn})
    assert ran.returncode == 2, ran.stderr
    assert f"{variable} set" in ran.stderr
    assert "migrate" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert pg_admin_dsn not in ran.stderr + ran.stdout  # the secret is named, never printed


def test_serve_refuses_a_superuser_login(pg_admin_dsn: str) -> None:
    ran = run_eligibility("serve", {"KOKUHO_ELIGIBILITY_DATABASE_DSN": pg_admin_dsn})
    assert ran.returncode == 2, ran.stderr
    assert "is a superuser" in ran.stderr
    assert "Traceback" not in ran.stderr


def test_serve_stops_clearly_when_it_cannot_check_its_login() -> None:
    unreachable = "postgresql://nobody:pw@127.0.0.1:9/nothing"
    ran = run_eligibility("serve", {"KOKUHO_ELIGIBILITY_DATABASE_DSN": unreachable})
    assert ran.returncode == 2, ran.stderr
    assert "cannot log in to the database" in ran.stderr
    assert "Traceback" not in ran.stderr
