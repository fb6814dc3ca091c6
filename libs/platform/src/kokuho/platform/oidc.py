"""Staff tokens from the city's identity provider: OpenID Connect discovery, JWKS and roles.

In production a service does not hold the issuer's public key in a file: it reads the provider's
discovery document (``<issuer>/.well-known/openid-configuration``), takes its ``jwks_uri`` and
picks the key a token names in its ``kid`` header (ADR 0060). Keys are cached (PyJWT's
``PyJWKClient``: the set for ``cache_seconds``); a ``kid`` not in the cache makes one fresh
fetch, at most every ``refresh_cooldown_seconds``, so the provider can rotate its keys without
a restart, and a flood of made-up ``kid`` values cannot make the service hammer the provider.
A token whose key cannot be found is refused (401) and audited like any other refusal.

The provider names its groups or roles in its own terms; ``RoleMapping`` (a TOML file,
``auth_role_map_path``) turns them into Kokuho's role names, dropping the ones it does not map.

The development issuer (``kokuho.platform.token``, a key file) stays the local default: a
service uses this module only when ``auth_oidc`` is set.
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
import tomllib
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

DISCOVERY_PATH = "/.well-known/openid-configuration"


class SigningKeyUnavailable(Exception):
    """No key to check this token with (unknown ``kid``, provider unreachable): a 401."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _require_https(url: str, what: str) -> None:
    """Keys fetched in clear text could be swapped on the way: https, except on loopback (the
    tests' and ``make run``'s local provider)."""
    scheme = urlsplit(url).scheme
    if scheme != "https" and not (scheme == "http" and _loopback(url)):
        raise ValueError(f"{what} must be an https URL (got {url!r})")


class OidcKeys:
    """The provider's signing keys, found through discovery and chosen by ``kid``."""

    def __init__(
        self,
        issuer: str,
        *,
        cache_seconds: float = 300,
        refresh_cooldown_seconds: float = 30,
        timeout_seconds: float = 5,
    ) -> None:
        _require_https(issuer, "the OIDC issuer")
        self.issuer = issuer.rstrip("/")
        self.cache_seconds = cache_seconds
        self.refresh_cooldown = refresh_cooldown_seconds
        self.timeout = timeout_seconds
        self._client: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()
        self._discovery_failed_at: float | None = None
        #: how many times the JWKS was fetched (read by the tests and the metrics)
        self.fetches = 0

    def discover(self) -> str:
        """The ``jwks_uri`` of the provider, from its discovery document (issuer checked)."""
        url = self.issuer + DISCOVERY_PATH
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            document = json.load(response)
        if not isinstance(document, dict) or document.get("issuer", "").rstrip("/") != self.issuer:
            raise ValueError(f"the discovery document of {self.issuer} names another issuer")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise ValueError(f"the discovery document of {self.issuer} has no jwks_uri")
        _require_https(jwks_uri, "the provider's jwks_uri")
        return jwks_uri

    def _jwks(self) -> jwt.PyJWKClient:
        with self._lock:
            if self._client is not None:
                return self._client
            failed = self._discovery_failed_at
            if failed is not None and time.monotonic() - failed < self.refresh_cooldown:
                raise SigningKeyUnavailable("identity provider unreachable")
            try:
                jwks_uri = self.discover()
            except (OSError, ValueError) as exc:
                self._discovery_failed_at = time.monotonic()
                raise SigningKeyUnavailable(
                    f"identity provider discovery failed ({type(exc).__name__})"
                ) from None
            owner = self

            class _Counted(jwt.PyJWKClient):
                def fetch_data(self) -> Any:
                    owner.fetches += 1
                    return super().fetch_data()

            self._client = _Counted(
                jwks_uri,
                cache_jwk_set=True,
                lifespan=self.cache_seconds,
                timeout=self.timeout,
                cooldown_duration=self.refresh_cooldown,
            )
            return self._client

    def keys_for(self, token: str) -> list[ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey]:
        """The one key the token's ``kid`` names (raises ``SigningKeyUnavailable``)."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            raise SigningKeyUnavailable("invalid token") from None
        if not isinstance(kid, str) or not kid:
            raise SigningKeyUnavailable("the token names no signing key (kid)")
        try:
            found = self._jwks().get_signing_key(kid)
        except jwt.PyJWKClientConnectionError:
            raise SigningKeyUnavailable("identity provider unreachable") from None
        except jwt.PyJWKClientError:
            raise SigningKeyUnavailable("unknown signing key") from None
        key = found.key
        if not isinstance(key, ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey):
            raise SigningKeyUnavailable("signing key of a refused type (only EC and Ed25519)")
        return [key]


@dataclass(frozen=True)
class RoleMapping:
    """Kokuho roles from the provider's claim: ``claim`` is a dotted path (``realm_access.roles``)
    to a list of names; ``roles`` maps each provider name to Kokuho role names. Names the map
    does not know give no role (deny by default)."""

    claim: str
    roles: Mapping[str, frozenset[str]]

    @classmethod
    def load(cls, path: Path) -> RoleMapping:
        """From a TOML file::

        claim = "groups"
        [roles]
        "nhi-counter-staff" = ["eligibility.clerk", "assessment.viewer"]
        """
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        claim, table = data.get("claim"), data.get("roles")
        if not isinstance(claim, str) or not claim or not isinstance(table, dict):
            raise ValueError(f'{path}: needs claim = "..." and a [roles] table')
        roles: dict[str, frozenset[str]] = {}
        for name, granted in table.items():
            if not isinstance(granted, list) or not all(isinstance(r, str) for r in granted):
                raise ValueError(f"{path}: roles.{name} must be a list of role names")
            roles[name] = frozenset(granted)
        unknown = set(data) - {"claim", "roles"}
        if unknown:
            raise ValueError(f"{path}: unknown keys {sorted(unknown)}")
        return cls(claim, roles)

    def provider_roles(self, claims: Mapping[str, Any]) -> Any:
        value: Any = claims
        for part in self.claim.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        return [] if value is None else value

    def map(self, claims: Mapping[str, Any]) -> list[str] | None:
        """The Kokuho roles of the token, or None when the claim is not a list of names."""
        names = self.provider_roles(claims)
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            return None
        return sorted(set().union(*(self.roles.get(n, frozenset()) for n in names)))
