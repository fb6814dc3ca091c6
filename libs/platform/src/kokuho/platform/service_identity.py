"""Service identity: one Kokuho service calling another's API as itself (ADR 0083).

Staff tokens name a person at a registered terminal with an IC card (C-15, C-36); a service
calling another (linkage-gateway handing the federation's claims file to benefits) is no
person. It signs a short-lived token with its own key (client-credentials style)::

    credentials = ServiceCredentials.load("linkage-gateway", Path(settings.service_key_path))
    headers = {"Authorization": f"Bearer {credentials.token_for('benefits')}"}

The called service lists, in configuration, each principal it accepts with its public key
and the permissions it holds (``service_principals_path``, TOML)::

    [principals.linkage-gateway]
    public_key_path = "/etc/kokuho/service-keys/linkage-gateway.pem"
    permissions = ["benefits.claim-imports"]

A service token has the header ``typ`` ``kokuho-service+jwt``, issuer ``kokuho-service``,
subject ``service:<name>``, audience ``kokuho.<called service>``, lifetime at most
``MAX_SERVICE_TOKEN_LIFETIME_SECONDS``. It is verified fail closed: no configuration, an unknown
principal, a wrong key, issuer, audience or lifetime is 401 (audited as denied). The principal
becomes a ``ServicePrincipal``: it holds no staff role, so every route refuses it unless the
route names a permission for services (``require_roles(..., service_permission=...)``) that
the principal was given. Its audit records name ``service:<name>`` and no terminal; a staff
token can never carry a ``service:`` subject.
"""

from __future__ import annotations

import time
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from kokuho.platform.auth import (
    AuthError,
    PublicKey,
    StaffUser,
    load_public_keys,
    service_audience,
)

SERVICE_ISSUER = "kokuho-service"
SERVICE_TOKEN_TYPE = "kokuho-service+jwt"  # noqa: S105 (a JOSE type name, not a secret)
SERVICE_ACTOR_PREFIX = "service:"
#: A service token lives minutes: it is minted per call (cached until near its end).
MAX_SERVICE_TOKEN_LIFETIME_SECONDS = 600
SERVICE_TOKEN_LIFETIME_SECONDS = 300

PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


@dataclass(frozen=True)
class ServicePrincipal(StaffUser):
    """A Kokuho service acting as itself: no staff roles, no terminal; ``permissions`` from the
    called service's configuration."""

    name: str = ""
    permissions: frozenset[str] = field(default_factory=frozenset)


def is_service_actor(user_id: str) -> bool:
    return user_id.startswith(SERVICE_ACTOR_PREFIX)


def is_service_token(token: str) -> bool:
    """Whether the token declares itself a service token (its header; not yet verified)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return False
    return header.get("typ") == SERVICE_TOKEN_TYPE


@dataclass(frozen=True)
class PrincipalEntry:
    keys: tuple[PublicKey, ...]
    permissions: frozenset[str]


class ServicePrincipals:
    """The principals a service accepts (its configuration), and the token check."""

    def __init__(self, principals: Mapping[str, PrincipalEntry]) -> None:
        self.principals = dict(principals)

    @classmethod
    def load(cls, path: Path) -> ServicePrincipals:
        """Read the TOML list; anything unexpected refuses start-up (``ValueError``)."""
        data = tomllib.loads(path.read_text("utf-8"))
        unknown = set(data) - {"principals"}
        if unknown:
            raise ValueError(f"{path}: unknown key(s) {sorted(unknown)}")
        table = data.get("principals")
        if not isinstance(table, dict):
            raise ValueError(f"{path}: a [principals.<service>] table is required")
        entries: dict[str, PrincipalEntry] = {}
        for name, entry in table.items():
            if not isinstance(entry, dict) or set(entry) != {"public_key_path", "permissions"}:
                raise ValueError(
                    f"{path}: principals.{name} needs exactly public_key_path and permissions"
                )
            permissions = entry["permissions"]
            if not isinstance(permissions, list) or not all(
                isinstance(p, str) and p for p in permissions
            ):
                raise ValueError(f"{path}: principals.{name}.permissions must list names")
            key_path = Path(entry["public_key_path"])
            if not key_path.is_absolute():
                key_path = path.parent / key_path
            entries[name] = PrincipalEntry(
                tuple(load_public_keys(key_path)), frozenset(permissions)
            )
        return cls(entries)

    def verify(self, token: str, *, audience: str, leeway: int = 30) -> ServicePrincipal:
        """The principal a service token names (``AuthError(401)`` for any fault)."""
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise AuthError(401, "invalid service token") from None
        sub = unverified.get("sub")
        if not isinstance(sub, str) or not is_service_actor(sub):
            raise AuthError(401, "invalid service subject")
        name = sub[len(SERVICE_ACTOR_PREFIX) :]
        entry = self.principals.get(name)
        if entry is None:
            raise AuthError(401, "unknown service principal")
        claims: dict[str, Any] | None = None
        failure = "invalid signature"
        for key in entry.keys:
            algorithms = ["ES256"] if isinstance(key, ec.EllipticCurvePublicKey) else ["EdDSA"]
            try:
                claims = jwt.decode(
                    token,
                    key=key,
                    algorithms=algorithms,
                    audience=audience,
                    issuer=SERVICE_ISSUER,
                    leeway=leeway,
                    options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                )
                break
            except jwt.InvalidSignatureError:
                failure = "invalid signature"
            except jwt.ExpiredSignatureError:
                raise AuthError(401, "token expired") from None
            except jwt.InvalidIssuerError:
                raise AuthError(401, "wrong issuer") from None
            except jwt.InvalidAudienceError:
                raise AuthError(401, "wrong audience") from None
            except (jwt.PyJWTError, ValueError, TypeError) as exc:
                failure = f"invalid service token ({type(exc).__name__})"
        if claims is None:
            raise AuthError(401, failure)
        exp, iat = claims.get("exp"), claims.get("iat")
        if not (
            isinstance(exp, int | float)
            and isinstance(iat, int | float)
            and exp - iat <= MAX_SERVICE_TOKEN_LIFETIME_SECONDS
        ):
            raise AuthError(401, "service token lifetime over the maximum")
        return ServicePrincipal(
            user_id=sub,
            roles=frozenset(),
            terminal_id=None,
            name=name,
            permissions=entry.permissions,
        )


def permitted(user: StaffUser, roles: Iterable[str], service_permission: str | None) -> bool:
    """Staff: one of ``roles``. A service principal: only ``service_permission``, and only
    when the route names one and the principal was given it."""
    if isinstance(user, ServicePrincipal):
        return service_permission is not None and service_permission in user.permissions
    return user.has_any(roles)


def load_private_key(path: Path) -> PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, (ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)):
        raise ValueError(f"{path}: not an EC (P-256) or Ed25519 private key")
    return key


class ServiceCredentials:
    """A service's own signing key: mints the tokens it calls other services with."""

    def __init__(
        self,
        name: str,
        private_key: PrivateKey,
        *,
        lifetime_seconds: int = SERVICE_TOKEN_LIFETIME_SECONDS,
    ) -> None:
        if not name or not 60 <= lifetime_seconds <= MAX_SERVICE_TOKEN_LIFETIME_SECONDS:
            raise ValueError("a service name and a lifetime of 60-600 seconds are required")
        self.name = name
        self._key = private_key
        self._lifetime = lifetime_seconds
        self._minted: dict[str, tuple[str, float]] = {}

    @classmethod
    def load(cls, name: str, path: Path) -> ServiceCredentials:
        return cls(name, load_private_key(path))

    def token_for(self, service: str, *, now: float | None = None) -> str:
        """A token for calling ``service`` (reused until a minute before it expires)."""
        at = time.time() if now is None else now
        known = self._minted.get(service)
        if known is not None and known[1] - 60 > at:
            return known[0]
        issued = int(at)
        algorithm = "EdDSA" if isinstance(self._key, ed25519.Ed25519PrivateKey) else "ES256"
        token = jwt.encode(
            {
                "iss": SERVICE_ISSUER,
                "sub": SERVICE_ACTOR_PREFIX + self.name,
                "aud": service_audience(service),
                "iat": issued,
                "exp": issued + self._lifetime,
            },
            self._key,
            algorithm=algorithm,
            headers={"typ": SERVICE_TOKEN_TYPE},
        )
        self._minted[service] = (token, float(issued + self._lifetime))
        return token
