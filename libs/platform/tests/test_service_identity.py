"""Service identity (ADR 0083): a Kokuho service's own token, accepted only where a route names
a permission the called service gave the principal; audited as ``service:<name>``; fail closed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, FastAPI

from kokuho.platform.app import create_app
from kokuho.platform.audit import InMemoryAuditLog
from kokuho.platform.auth import StaffUser, TokenVerifier, require_roles
from kokuho.platform.idempotency import InMemoryIdempotencyStore
from kokuho.platform.service_identity import (
    ServiceCredentials,
    ServicePrincipal,
    ServicePrincipals,
)
from kokuho.platform.settings import ServiceSettings
from kokuho.platform.token import PrivateKey, mint_token, new_private_key


def pem(key: PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def principals_file(tmp_path: Path, key: PrivateKey, permissions: list[str]) -> Path:
    (tmp_path / "gateway.pem").write_bytes(pem(key))
    path = tmp_path / "principals.toml"
    listed = ", ".join(f'"{p}"' for p in permissions)
    path.write_text(
        f'[principals.linkage-gateway]\npublic_key_path = "gateway.pem"\npermissions = [{listed}]\n'
    )
    return path


class Called:
    def __init__(self, tmp_path: Path, *, accept_services: bool = True) -> None:
        self.staff_key = new_private_key()
        self.service_key = new_private_key()
        self.audit = InMemoryAuditLog()
        principals = (
            ServicePrincipals.load(
                principals_file(tmp_path, self.service_key, ["benefits.claim-imports"])
            )
            if accept_services
            else None
        )
        verifier = TokenVerifier(
            [self.staff_key.public_key()],  # type: ignore[list-item]
            audience="kokuho.benefits",
            service_principals=principals,
        )
        router = APIRouter(prefix="/api/v1")

        @router.post("/claim-imports")
        async def imports(
            user: Annotated[
                StaffUser,
                require_roles("batch.operator", service_permission="benefits.claim-imports"),
            ],
        ) -> dict[str, str]:
            return {"user": user.user_id, "kind": type(user).__name__}

        @router.post("/monthly-runs")
        async def runs(user: Annotated[StaffUser, require_roles("batch.operator")]) -> None:
            return None

        @router.post("/other-imports")
        async def other(
            user: Annotated[
                StaffUser, require_roles("batch.operator", service_permission="benefits.other")
            ],
        ) -> None:
            return None

        self.app: FastAPI = create_app(
            ServiceSettings(service_name="benefits"),
            audit_log=self.audit,
            idempotency_store=InMemoryIdempotencyStore(),
            token_verifier=verifier,
            routers=[router],
            telemetry=False,
            configure_logs=False,
        )

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, raise_app_exceptions=False),
            base_url="http://test",
        )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_service_token_passes_only_where_its_permission_is_named(tmp_path: Path) -> None:
    called = Called(tmp_path)
    gateway = ServiceCredentials("linkage-gateway", called.service_key)
    async with called.client() as client:
        ok = await client.post(
            "/api/v1/claim-imports", headers=bearer(gateway.token_for("benefits"))
        )
        staff_only = await client.post(
            "/api/v1/monthly-runs", headers=bearer(gateway.token_for("benefits"))
        )
        not_given = await client.post(
            "/api/v1/other-imports", headers=bearer(gateway.token_for("benefits"))
        )
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"user": "service:linkage-gateway", "kind": "ServicePrincipal"}
    assert (staff_only.status_code, not_given.status_code) == (403, 403)
    records = called.audit.records
    assert [(r.user_id, r.terminal_id, r.outcome) for r in records] == [
        ("service:linkage-gateway", None, "allowed"),
        ("service:linkage-gateway", None, "denied"),
        ("service:linkage-gateway", None, "denied"),
    ]
    assert records[1].detail["reason"] == "staff-only function"
    assert records[2].detail["reason"] == "service not permitted"


async def test_staff_still_pass_by_role_and_cannot_pose_as_a_service(tmp_path: Path) -> None:
    called = Called(tmp_path)
    staff = mint_token(
        called.staff_key, user_id="U1", roles=["batch.operator"], audience="kokuho.benefits"
    )
    posing = mint_token(
        called.staff_key,
        user_id="service:linkage-gateway",
        roles=["batch.operator"],
        audience="kokuho.benefits",
    )
    async with called.client() as client:
        ok = await client.post("/api/v1/claim-imports", headers=bearer(staff))
        refused = await client.post("/api/v1/claim-imports", headers=bearer(posing))
    assert ok.json() == {"user": "U1", "kind": "StaffUser"}
    assert refused.status_code == 401
    assert called.audit.records[-1].detail["reason"] == "a staff token cannot name a service"


@pytest.mark.parametrize(
    "case",
    ["unknown key", "unknown principal", "wrong audience", "too long", "not accepted"],
)
async def test_service_tokens_fail_closed(tmp_path: Path, case: str) -> None:
    called = Called(tmp_path, accept_services=case != "not accepted")
    key = new_private_key() if case == "unknown key" else called.service_key
    name = "collection" if case == "unknown principal" else "linkage-gateway"
    credentials = ServiceCredentials(name, key)
    token = credentials.token_for("eligibility" if case == "wrong audience" else "benefits")
    if case == "too long":
        import jwt

        now = int(time.time())
        token = jwt.encode(
            {
                "iss": "kokuho-service",
                "sub": "service:linkage-gateway",
                "aud": "kokuho.benefits",
                "iat": now,
                "exp": now + 3600,
            },
            called.service_key,
            algorithm="ES256",
            headers={"typ": "kokuho-service+jwt"},
        )
    async with called.client() as client:
        refused = await client.post("/api/v1/claim-imports", headers=bearer(token))
    assert refused.status_code == 401, refused.text
    assert called.audit.records[-1].outcome == "denied"
    reasons = {
        "unknown key": "invalid signature",
        "unknown principal": "unknown service principal",
        "wrong audience": "wrong audience",
        "too long": "service token lifetime over the maximum",
        "not accepted": "service tokens are not accepted by this service",
    }
    assert called.audit.records[-1].detail["reason"] == reasons[case]


def test_principal_lists_are_read_strictly(tmp_path: Path) -> None:
    key = new_private_key()
    path = principals_file(tmp_path, key, ["benefits.claim-imports"])
    loaded = ServicePrincipals.load(path)
    assert loaded.principals["linkage-gateway"].permissions == {"benefits.claim-imports"}
    path.write_text('[principals.x]\npublic_key_path = "gateway.pem"\nroles = ["a"]\n')
    with pytest.raises(ValueError, match="exactly public_key_path and permissions"):
        ServicePrincipals.load(path)
    path.write_text('[principal.x]\npublic_key_path = "gateway.pem"\npermissions = ["a"]\n')
    with pytest.raises(ValueError, match="unknown key"):
        ServicePrincipals.load(path)


def test_credentials_reuse_a_token_until_near_its_end() -> None:
    credentials = ServiceCredentials("linkage-gateway", new_private_key())
    first = credentials.token_for("benefits", now=1_000_000)
    assert credentials.token_for("benefits", now=1_000_100) == first
    assert credentials.token_for("benefits", now=1_000_250) != first
    assert isinstance(
        ServicePrincipal(user_id="service:x", roles=frozenset(), terminal_id=None), StaffUser
    )
