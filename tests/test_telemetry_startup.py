"""A service's `serve` stops with exit 2 and the variable's name when an OTEL_* variable asks for
what this build cannot do (ADR 0092), before it listens; never a traceback, never a silent
fallback to not exporting."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kokuho.platform.settings import SHARED_PREFIX
from kokuho.platform.token import new_private_key

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent


async def ordinary_login(admin_dsn: str) -> tuple[str, str]:
    """A login that is not a superuser (serve refuses one before anything else)."""
    role = f"t_otel_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'pw'")
    finally:
        await conn.close()
    host = admin_dsn.split("@", 1)[1].split("/", 1)[0]
    return role, f"postgresql://{role}:pw@{host}/postgres"


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("OTEL_TRACES_EXPORTER", "zipkin", "unknown exporter 'zipkin'"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "only http/protobuf"),
        ("OTEL_EXPORTER_OTLP_ENDPIONT", "http://127.0.0.1:4318", "OTEL_EXPORTER_OTLP_ENDPIONT"),
    ],
)
async def test_serve_refuses_an_otel_variable_it_cannot_honour(
    pg_admin_dsn: str, tmp_path: Path, variable: str, value: str, says: str
) -> None:
    public_key = tmp_path / "issuer.pem"
    public_key.write_bytes(
        new_private_key().public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    role, dsn = await ordinary_login(pg_admin_dsn)
    try:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(SHARED_PREFIX) and not k.startswith("OTEL_")
        }
        env |= {
            "KOKUHO_ELIGIBILITY_DATABASE_DSN": dsn,
            "KOKUHO_ELIGIBILITY_AUTH_PUBLIC_KEY_PATH": str(public_key),
            "KOKUHO_ELIGIBILITY_ALLOWED_TERMINAL_IDS": "t1",
            "KOKUHO_ELIGIBILITY_HTTP_PORT": "9",  # never reached: it stops before listening
            variable: value,
        }
        ran = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "kokuho.eligibility", "serve"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        conn = await asyncpg.connect(pg_admin_dsn)
        try:
            await conn.execute(f"DROP ROLE {role}")
        finally:
            await conn.close()
    assert ran.returncode == 2, ran.stderr
    assert "cannot start" in ran.stderr
    assert says in ran.stderr
    assert "Traceback" not in ran.stderr
