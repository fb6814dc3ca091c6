"""Staff tokens from an identity provider (OIDC discovery + JWKS) with rotating keys (issue 17).

A local provider (an HTTP server on loopback) publishes its discovery document and key set; the
service is built from its settings (``auth_oidc``) and called over its API, so the refusals go
through the same guard and audit log as in production.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter

from kokuho.platform.app import create_app
from kokuho.platform.audit import InMemoryAuditLog
from kokuho.platform.auth import TokenVerifier, require_roles
from kokuho.platform.oidc import OidcKeys, RoleMapping, SigningKeyUnavailable
from kokuho.platform.settings import ServiceSettings

SERVICE = "oidc-test"
ROLE_MAP = """
claim = "realm_access.roles"
[roles]
"nhi-counter" = ["eligibility.clerk"]
"nhi-supervisors" = ["eligibility.clerk", "eligibility.supervisor"]
"""


class Provider:
    """The city's identity provider, as far as a service sees it: discovery and JWKS."""

    def __init__(self) -> None:
        self.keys: dict[str, ec.EllipticCurvePrivateKey] = {}
        self.jwks_hits = 0
        self.issuer_override: str | None = None
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    body: dict[str, Any] = {
                        "issuer": provider.issuer_override or provider.issuer,
                        "jwks_uri": provider.issuer + "/keys",
                    }
                elif self.path == "/keys":
                    provider.jwks_hits += 1
                    body = {"keys": [provider.jwk(kid) for kid in provider.keys]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def jwk(self, kid: str) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.keys[kid].public_key()))
        return {**public, "kid": kid, "use": "sig", "alg": "ES256"}

    def rotate(self, kid: str) -> ec.EllipticCurvePrivateKey:
        """A new signing key; the previous ones are retired from the key set."""
        key = ec.generate_private_key(ec.SECP256R1())
        self.keys = {kid: key}
        return key


def token(
    key: ec.EllipticCurvePrivateKey,
    kid: str | None,
    issuer: str,
    groups: list[str] | None = None,
) -> str:
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": f"kokuho.{SERVICE}",
        "sub": "U0042",
        "iat": now,
        "exp": now + 600,
        "jti": str(uuid.uuid4()),
        "realm_access": {"roles": groups if groups is not None else ["nhi-counter"]},
        "amr": ["iccard", "pwd"],
        "terminal_id": "T-1",
    }
    headers = {"kid": kid} if kid is not None else None
    return jwt.encode(claims, key, algorithm="ES256", headers=headers)


@pytest.fixture
def provider() -> Iterator[Provider]:
    p = Provider()
    yield p
    p.server.shutdown()
    p.server.server_close()


def settings(provider: Provider, role_map: Path, **extra: Any) -> ServiceSettings:
    return ServiceSettings(
        service_name=SERVICE,
        auth_oidc=True,
        auth_issuer=provider.issuer,
        auth_role_map_path=role_map,
        allowed_terminal_ids=frozenset({"T-1"}),
        **extra,
    )


@pytest.fixture
def role_map(tmp_path: Path) -> Path:
    path = tmp_path / "roles.toml"
    path.write_text(ROLE_MAP)
    return path


def app_for(s: ServiceSettings, audit_log: InMemoryAuditLog) -> Any:
    router = APIRouter(prefix="/api/v1")

    @router.get("/insured/{addressee_number}", dependencies=[require_roles("eligibility.clerk")])
    async def read(addressee_number: str) -> dict[str, str]:
        return {"addressee_number": addressee_number}

    return create_app(
        s,
        audit_log=audit_log,
        token_verifier=TokenVerifier.from_settings(s),
        routers=[router],
        telemetry=False,
        configure_logs=False,
    )


async def get(app: Any, bearer: str) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        return await client.get(
            "/api/v1/insured/000777", headers={"Authorization": f"Bearer {bearer}"}
        )


async def test_a_rotated_key_is_taken_and_an_unknown_one_refused_and_audited(
    provider: Provider, role_map: Path
) -> None:
    audit_log = InMemoryAuditLog()
    app = app_for(settings(provider, role_map, auth_jwks_refresh_cooldown_seconds=0), audit_log)
    first = provider.rotate("k1")
    assert (await get(app, token(first, "k1", provider.issuer))).status_code == 200
    # cached: more tokens signed with the same key fetch nothing
    for _ in range(3):
        assert (await get(app, token(first, "k1", provider.issuer))).status_code == 200
    assert provider.jwks_hits == 1

    second = provider.rotate("k2")  # the provider rotates: k1 retired, k2 signs
    rotated = await get(app, token(second, "k2", provider.issuer))
    assert rotated.status_code == 200
    assert provider.jwks_hits == 2  # the unknown kid made one fresh fetch, no restart

    stranger = ec.generate_private_key(ec.SECP256R1())
    unknown = await get(app, token(stranger, "k9", provider.issuer))
    forged = await get(app, token(stranger, "k2", provider.issuer))  # a known kid, wrong key
    no_kid = await get(app, token(second, None, provider.issuer))
    assert [r.status_code for r in (unknown, forged, no_kid)] == [401, 401, 401]
    assert unknown.json()["type"] == "urn:kokuho:problem:unauthenticated"

    denied = [r for r in audit_log.records if r.outcome == "denied"]
    assert [r.detail["reason"] for r in denied] == [
        "unknown signing key",
        "invalid signature",
        "the token names no signing key (kid)",
    ]
    assert all(r.operation == "GET /api/v1/insured/{addressee_number}" for r in denied)
    assert [r.outcome for r in audit_log.records].count("allowed") == 5


async def test_roles_come_from_the_providers_claim_through_the_map(
    provider: Provider, role_map: Path
) -> None:
    audit_log = InMemoryAuditLog()
    app = app_for(settings(provider, role_map), audit_log)
    key = provider.rotate("k1")
    mapped = await get(app, token(key, "k1", provider.issuer, ["nhi-supervisors"]))
    unmapped = await get(app, token(key, "k1", provider.issuer, ["eligibility.clerk", "x"]))
    not_a_list = await get(app, token(key, "k1", provider.issuer, "nhi-counter"))  # type: ignore[arg-type]
    assert [r.status_code for r in (mapped, unmapped, not_a_list)] == [200, 403, 401]
    # a provider role that happens to carry a Kokuho role's name grants nothing: only the map
    assert audit_log.records[1].detail["reason"] == "role not granted"


def test_unknown_kids_do_not_hammer_the_provider(provider: Provider) -> None:
    keys = OidcKeys(provider.issuer, refresh_cooldown_seconds=3600)
    key = provider.rotate("k1")
    assert keys.keys_for(token(key, "k1", provider.issuer))
    stranger = ec.generate_private_key(ec.SECP256R1())
    for n in range(5):
        with pytest.raises(SigningKeyUnavailable, match="unknown signing key"):
            keys.keys_for(token(stranger, f"made-up-{n}", provider.issuer))
    assert provider.jwks_hits == 1  # within the cooldown: no fetch per made-up kid


def test_the_discovery_document_must_name_the_issuer(provider: Provider) -> None:
    provider.rotate("k1")
    provider.issuer_override = "https://elsewhere.example"
    keys = OidcKeys(provider.issuer)
    with pytest.raises(SigningKeyUnavailable, match="discovery failed"):
        keys.keys_for(token(provider.keys["k1"], "k1", provider.issuer))
    assert provider.jwks_hits == 0


def test_an_unreachable_provider_refuses_tokens() -> None:
    keys = OidcKeys("http://127.0.0.1:9", timeout_seconds=1)  # discard port: nothing answers
    with pytest.raises(SigningKeyUnavailable):
        keys.keys_for(token(ec.generate_private_key(ec.SECP256R1()), "k1", keys.issuer))


@pytest.mark.parametrize(
    "issuer", ["http://idp.city.example", "ftp://127.0.0.1", "idp.city.example"]
)
def test_keys_are_fetched_over_https_only(issuer: str) -> None:
    with pytest.raises(ValueError, match="https"):
        OidcKeys(issuer)


def test_settings_without_a_key_source_refuse_to_build_a_verifier() -> None:
    with pytest.raises(ValueError, match="auth_public_key_path is not configured"):
        TokenVerifier.from_settings(
            ServiceSettings(service_name=SERVICE, allowed_terminal_ids=frozenset({"T-1"}))
        )


def test_a_role_map_file_is_checked(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(ROLE_MAP)
    mapping = RoleMapping.load(good)
    assert mapping.map({"realm_access": {"roles": ["nhi-counter", "other"]}}) == [
        "eligibility.clerk"
    ]
    assert mapping.map({}) == []
    for text in (
        'claim = "x"',
        '[roles]\n"a" = ["b"]',
        'claim = "x"\n[roles]\n"a" = "b"',
        'claim = "x"\nextra = 1\n[roles]\n"a" = ["b"]',
    ):
        bad = tmp_path / "bad.toml"
        bad.write_text(text)
        with pytest.raises(ValueError, match=str(bad)):
            RoleMapping.load(bad)
