"""Staff authentication and authorisation (C-15, C-35, C-36, C-37, C-45).

Tokens are JWTs signed ES256 or EdDSA (``TokenVerifier.algorithms``; never HMAC) with the
claims ``iss``, ``aud``, ``exp``, ``iat``, ``sub`` (staff user id), ``roles`` (list of role
names), ``terminal_id`` and ``amr`` (authentication methods; the IC-card factor ``iccard`` is
required by default, C-36).

Every ``/api`` route names its roles (deny by default)::

    @router.get("/api/v1/insured/{addressee_number}")
    async def get_insured(
        addressee_number: str,
        user: Annotated[StaffUser, require_roles("eligibility.clerk")],
        audit: AuditTrail,
    ) -> Insured: ...

or ``dependencies=[require_roles("eligibility.clerk")]`` on the route or router. The guard:

- no, malformed, expired, wrong-issuer, wrong-audience or wrongly signed token -> 401 problem;
- valid token, but none of the roles, no IC-card factor, or a terminal not registered in
  ``allowed_terminal_ids`` (C-15) -> 403 problem;
- both denials are appended to the audit log (outcome ``denied``) before the response;
- an allowed request gets a ``RequestAudit`` (``audit.AuditTrail``); if the route records
  nothing itself, one record with the route's outcome is written when the route returns.

``assert_all_routes_guarded(app)`` (called by ``create_app``) refuses to build an app whose
``/api`` routes lack ``require_roles``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant

from kokuho.events.individual_numbers import contains_individual_number
from kokuho.platform.audit import (
    AuditEntry,
    Outcome,
    RequestAudit,
    audit_log_of,
)
from kokuho.platform.oidc import OidcKeys, RoleMapping, SigningKeyUnavailable
from kokuho.platform.problems import Problem, status_for
from kokuho.platform.request_context import current_request_id
from kokuho.platform.settings import StartupRefused

if TYPE_CHECKING:
    from kokuho.platform.service_identity import ServicePrincipals

DEV_ISSUER = "kokuho-dev-issuer"
AUDIENCE = "kokuho"
ICCARD = "iccard"
#: A staff token lives at most a working day (12 h): a stolen one cannot be replayed for long.
MAX_TOKEN_LIFETIME_SECONDS = 12 * 3600
DEFAULT_ALGORITHMS = ("ES256", "EdDSA")
#: At most this many verified tokens are remembered per verifier (then forgotten at once).
VERIFIED_TOKENS_KEPT = 4096
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/openapi.json", "/docs", "/redoc"})
#: Path parameters that name whose data a request touches (recorded as audit subjects).
SUBJECT_PATH_PARAMS = ("addressee_number",)

PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaffUser:
    user_id: str
    roles: frozenset[str]
    terminal_id: str | None

    def has_any(self, roles: Iterable[str]) -> bool:
        return not self.roles.isdisjoint(roles)


class AuthSettingsRefused(StartupRefused, ValueError):
    """The service's authentication settings cannot work (no key, no terminal list, a key file
    that is not one): ``serve`` stops with the reason and exit status 2, no traceback."""


class AuthError(Exception):
    """Why a token was refused; ``status`` is 401 (not authenticated) or 403 (not allowed)."""

    def __init__(self, status: int, reason: str, user: StaffUser | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.user = user


def load_public_keys(path: Path) -> list[PublicKey]:
    """All PEM public keys in a file (several allow key rotation)."""
    try:
        text = path.read_bytes()
    except OSError as unreadable:
        raise AuthSettingsRefused(
            f"{path}: cannot read the public key file: {unreadable}"
        ) from None
    blocks = re.findall(rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", text, re.S)
    keys: list[PublicKey] = []
    for block in blocks:
        key = serialization.load_pem_public_key(block)
        if not isinstance(key, (ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey)):
            raise AuthSettingsRefused(
                f"{path}: only EC (P-256) and Ed25519 public keys are accepted"
            )
        keys.append(key)
    if not keys:
        raise AuthSettingsRefused(f"{path}: no PEM public key found")
    return keys


class TokenVerifier:
    def __init__(
        self,
        public_keys: Sequence[PublicKey],
        *,
        issuer: str = DEV_ISSUER,
        audience: str = AUDIENCE,
        algorithms: Sequence[str] = DEFAULT_ALGORITHMS,
        required_amr: str | None = ICCARD,
        allowed_terminal_ids: frozenset[str] | None = None,
        leeway_seconds: int = 30,
        max_lifetime_seconds: int | None = MAX_TOKEN_LIFETIME_SECONDS,
        key_source: OidcKeys | None = None,
        role_mapping: RoleMapping | None = None,
        service_principals: ServicePrincipals | None = None,
    ) -> None:
        if not public_keys and key_source is None:
            raise ValueError("at least one public key (or an OIDC key source) is needed")
        if any(alg.upper().startswith(("HS", "NONE")) for alg in algorithms):
            raise ValueError("only asymmetric algorithms (ES256, EdDSA) are accepted")
        self.public_keys = list(public_keys)
        self.issuer = issuer
        self.audience = audience
        self.algorithms = list(algorithms)
        self.required_amr = required_amr
        self.allowed_terminal_ids = allowed_terminal_ids
        self.leeway = leeway_seconds
        self.max_lifetime = max_lifetime_seconds
        #: the identity provider's keys by ``kid`` (ADR 0060); None: ``public_keys`` alone
        self.key_source = key_source
        #: the provider's role claim mapped to Kokuho roles; None: the ``roles`` claim as is
        self.role_mapping = role_mapping
        #: the other Kokuho services this one accepts tokens from (ADR 0083); None: none
        self.service_principals = service_principals
        #: token -> (its user, its ``exp``), for tokens that verified (see ``authenticate``).
        self._verified: dict[str, tuple[StaffUser, float]] = {}

    @classmethod
    def from_settings(cls, settings: Any) -> TokenVerifier:
        """Build from a ``ServiceSettings`` (needs ``auth_public_key_path``, or ``auth_oidc``
        with the provider as ``auth_issuer``: ADR 0060)."""
        oidc = getattr(settings, "auth_oidc", False)
        if settings.auth_public_key_path is None and not oidc:
            raise AuthSettingsRefused("auth_public_key_path is not configured (nor auth_oidc)")
        if settings.allowed_terminal_ids is None:
            # C-15: a service takes tokens only from registered terminals; no list, no start.
            raise AuthSettingsRefused(
                "allowed_terminal_ids is not configured (C-15: the registered terminals; "
                "make run registers t1, t2, t3)"
            )
        role_map = getattr(settings, "auth_role_map_path", None)
        principals = getattr(settings, "service_principals_path", None)
        if principals is not None:
            from kokuho.platform.service_identity import ServicePrincipals

            accepted: ServicePrincipals | None = ServicePrincipals.load(Path(principals))
        else:
            accepted = None
        return cls(
            [] if oidc else load_public_keys(Path(settings.auth_public_key_path)),
            key_source=OidcKeys(
                settings.auth_issuer,
                cache_seconds=settings.auth_jwks_cache_seconds,
                refresh_cooldown_seconds=settings.auth_jwks_refresh_cooldown_seconds,
            )
            if oidc
            else None,
            role_mapping=RoleMapping.load(Path(role_map)) if role_map else None,
            service_principals=accepted,
            issuer=settings.auth_issuer,
            audience=settings.auth_audience or service_audience(settings.service_name),
            algorithms=settings.auth_algorithms,
            required_amr=settings.auth_required_amr,
            allowed_terminal_ids=settings.allowed_terminal_ids,
            leeway_seconds=settings.auth_leeway_seconds,
            max_lifetime_seconds=settings.auth_max_token_lifetime_seconds,
        )

    def authenticate(self, token: str) -> StaffUser:
        """Verify the token; raises ``AuthError(401)`` for any bad token.

        A token that verified is remembered until it expires (the same bytes, checked against
        the same keys and settings, give the same user): a counter clerk's token is sent with
        every request of the day, and an ES256 signature check with the claims' parsing cost
        more CPU than the rest of an audited read's platform code (issue 15). Its expiry is
        still checked on every request; refusals are not remembered."""
        known = self._verified.get(token)
        if known is not None:
            user, expires = known
            if time.time() <= expires + self.leeway:
                return user
            del self._verified[token]
            raise AuthError(401, "token expired")
        user, expires = self._verify(token)
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            self._verified.clear()  # bounded: a flood of distinct tokens cannot grow it
        self._verified[token] = (user, expires)
        return user

    def _verify(self, token: str) -> tuple[StaffUser, float]:
        from kokuho.platform.service_identity import is_service_actor, is_service_token

        if is_service_token(token):
            return self._verify_service(token)
        claims: dict[str, Any] | None = None
        failure = "invalid token"
        for key in self._keys_for(token):
            try:
                claims = jwt.decode(
                    token,
                    key=key,
                    algorithms=self._algorithms_for(key),
                    audience=self.audience,
                    issuer=self.issuer,
                    leeway=self.leeway,
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
            except jwt.InvalidAlgorithmError:
                failure = "algorithm not allowed"
            except (jwt.PyJWTError, ValueError, TypeError) as exc:
                failure = f"invalid token ({type(exc).__name__})"
        if claims is None:
            raise AuthError(401, failure)
        lifetime = _lifetime(claims)
        if self.max_lifetime is not None and (lifetime is None or lifetime > self.max_lifetime):
            raise AuthError(401, "token lifetime over the maximum")
        sub, roles, terminal = claims.get("sub"), claims.get("roles", []), claims.get("terminal_id")
        if self.role_mapping is not None:
            roles = self.role_mapping.map(claims)  # None (not a list of names): refused below
        # Claims end up in audit records and logs: printable text only (a NUL is a 401, not
        # a 500 when PostgreSQL refuses to store it).
        if not isinstance(sub, str) or not sub or not sub.isprintable():
            raise AuthError(401, "invalid subject")
        if is_service_actor(sub):  # only a verified service token names a service (ADR 0083)
            raise AuthError(401, "a staff token cannot name a service")
        if contains_individual_number([sub, terminal]):  # both are audited and logged
            raise AuthError(401, "an individual number in the subject or terminal claim")
        if not isinstance(roles, list) or not all(
            isinstance(r, str) and r.isprintable() for r in roles
        ):
            raise AuthError(401, "invalid roles claim")
        if terminal is not None and (not isinstance(terminal, str) or not terminal.isprintable()):
            raise AuthError(401, "invalid terminal_id claim")
        user = StaffUser(sub, frozenset(roles), terminal)
        amr = claims.get("amr", [])
        if self.required_amr is not None and (
            not isinstance(amr, list) or self.required_amr not in amr
        ):
            raise AuthError(403, f"authentication lacks the {self.required_amr} factor", user)
        if self.allowed_terminal_ids is not None and terminal not in self.allowed_terminal_ids:
            raise AuthError(403, "terminal is not registered", user)
        return user, float(claims["exp"])

    def _verify_service(self, token: str) -> tuple[StaffUser, float]:
        if self.service_principals is None:
            raise AuthError(401, "service tokens are not accepted by this service")
        principal = self.service_principals.verify(
            token, audience=self.audience, leeway=self.leeway
        )
        claims = jwt.decode(token, options={"verify_signature": False})
        return principal, float(claims["exp"])

    def authorize(
        self, token: str, roles: Iterable[str], service_permission: str | None = None
    ) -> StaffUser:
        """Authenticate and check that the user holds one of ``roles`` (a service principal:
        ``service_permission``; else 403)."""
        user = self.authenticate(token)
        _check(user, roles, service_permission)
        return user

    def _keys_for(self, token: str) -> Sequence[PublicKey]:
        if self.key_source is None:
            return self.public_keys
        try:
            return self.key_source.keys_for(token)
        except SigningKeyUnavailable as missing:
            raise AuthError(401, missing.reason) from None

    def _algorithms_for(self, key: PublicKey) -> list[str]:
        wanted = {"ES256", "ES384"} if isinstance(key, ec.EllipticCurvePublicKey) else {"EdDSA"}
        return [alg for alg in self.algorithms if alg in wanted]


def service_audience(service_name: str) -> str:
    """The audience a service's tokens must name: ``kokuho.<service>``, so a token issued for
    one service does not replay against another where roles overlap."""
    return f"{AUDIENCE}.{service_name}"


def _lifetime(claims: dict[str, Any]) -> float | None:
    """``exp - iat`` in seconds, or None when either is not a number."""
    exp, iat = claims.get("exp"), claims.get("iat")
    if isinstance(exp, int | float) and isinstance(iat, int | float):
        return float(exp) - float(iat)
    return None


def verifier_of(request: Request) -> TokenVerifier:
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        raise RuntimeError("app.state.token_verifier is not set; build the app with create_app")
    return verifier


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def operation_of(request: Request) -> str:
    route = request.scope.get("route")
    path = getattr(route, "path", None) or request.url.path
    return f"{request.method} {path}"


def subjects_of(request: Request) -> tuple[str, ...]:
    return tuple(
        str(request.path_params[name])
        for name in SUBJECT_PATH_PARAMS
        if name in request.path_params
    )


def _route_status(request: Request) -> int:
    status = getattr(request.scope.get("route"), "status_code", None)
    return status if isinstance(status, int) else 200


#: Request state key under which the edge guard leaves ``(token, user)`` it already verified.
AUTHENTICATED = "kokuho_authenticated"


def _check(user: StaffUser, roles: Iterable[str], service_permission: str | None) -> None:
    from kokuho.platform.service_identity import ServicePrincipal, permitted

    if permitted(user, roles, service_permission):
        return
    if isinstance(user, ServicePrincipal):
        reason = "service not permitted" if service_permission else "staff-only function"
        raise AuthError(403, reason, user)
    raise AuthError(403, "role not granted", user)


def _roles_used(
    user: StaffUser, allowed: frozenset[str], service_permission: str | None
) -> list[str]:
    """The roles of ``user`` that opened a function guarded by ``allowed`` (a service principal:
    the route's service permission, as ``service:<permission>``)."""
    from kokuho.platform.service_identity import ServicePrincipal

    if isinstance(user, ServicePrincipal):
        return [f"service:{service_permission}"] if service_permission else []
    return sorted(user.roles & allowed)


def _authorized(
    request: Request, token: str, allowed: frozenset[str], service_permission: str | None
) -> StaffUser:
    """The token's user holding one of ``allowed`` (else 403); the signature is verified once
    per request (the edge guard may have done it before the body was read)."""
    earlier = getattr(request.state, AUTHENTICATED, None)
    if earlier is not None and earlier[0] == token:
        user: StaffUser = earlier[1]
        _check(user, allowed, service_permission)
        return user
    return verifier_of(request).authorize(token, allowed, service_permission)


def require_roles(*roles: str, service_permission: str | None = None) -> Any:
    """A FastAPI dependency (``Depends``) that lets only holders of one of ``roles`` through.

    Another Kokuho service (a ``ServicePrincipal``, ADR 0083) passes only where the route names
    a ``service_permission`` and the principal was given it in configuration; every other route
    is staff-only."""
    if not roles or not all(isinstance(r, str) and r for r in roles):
        raise ValueError("require_roles needs at least one role name")
    allowed = frozenset(roles)

    async def guard(request: Request) -> AsyncIterator[StaffUser]:
        audit_log = audit_log_of(request)
        outer_user = getattr(request.state, "staff_user", None)
        token = bearer_token(request)
        try:
            if isinstance(outer_user, StaffUser):
                # Another guard (router and route both declare roles) already authenticated
                # this request and owns its audit trail: only check these roles too.
                _check(outer_user, allowed, service_permission)
                user = outer_user
            elif token is None:
                raise AuthError(401, "no bearer token")
            else:
                user = _authorized(request, token, allowed, service_permission)
        except AuthError as denied:
            who = denied.user
            outer_audit = getattr(request.state, "audit", None)
            try:
                if isinstance(outer_audit, RequestAudit):
                    await outer_audit.record(
                        outcome=Outcome.DENIED,
                        status_code=denied.status,
                        detail={"reason": denied.reason, "required_roles": sorted(allowed)},
                    )
                else:
                    await audit_log.append(
                        AuditEntry(
                            user_id=who.user_id if who else "anonymous",
                            terminal_id=who.terminal_id if who else None,
                            operation=operation_of(request),
                            subjects=subjects_of(request),
                            outcome=Outcome.DENIED,
                            status_code=denied.status,
                            request_id=current_request_id(),
                            detail={"reason": denied.reason, "required_roles": sorted(allowed)},
                        )
                    )
            except Exception:
                log.exception("could not record a denied request in the audit log")
            log.info("request denied", extra={"status": denied.status, "reason": denied.reason})
            headers = {"WWW-Authenticate": "Bearer"} if denied.status == 401 else None
            detail = (
                "A valid staff bearer token is required."
                if denied.status == 401
                else "You are not allowed to use this function."
            )
            raise Problem(
                denied.status,
                "unauthenticated" if denied.status == 401 else "forbidden",
                detail=detail,
                headers=headers,
            ) from None

        if isinstance(outer_user, StaffUser):
            outer_audit = getattr(request.state, "audit", None)
            if isinstance(outer_audit, RequestAudit):  # the roles this guard asked for too
                used = _roles_used(user, allowed, service_permission)
                outer_audit.roles_used = tuple(sorted({*outer_audit.roles_used, *used}))
            yield user
            return
        audit = RequestAudit(
            audit_log,
            user_id=user.user_id,
            terminal_id=user.terminal_id,
            operation=operation_of(request),
            request_id=current_request_id(),
            subjects=subjects_of(request),
            roles_used=_roles_used(user, allowed, service_permission),
        )
        request.state.staff_user = user
        request.state.audit = audit
        try:
            yield user
        except BaseException as exc:
            # A record written in the handler's transaction may have been rolled back with it.
            if not audit.recorded:
                status = status_for(request.app, exc)
                outcome = Outcome.ALLOWED if status < 400 else Outcome.FAILED
                await audit.record(outcome=outcome, status_code=status)
            raise
        if not (audit.recorded or audit.pending):
            await audit.record(outcome=Outcome.ALLOWED, status_code=_route_status(request))

    guard.__kokuho_roles__ = allowed  # type: ignore[attr-defined]
    return Depends(guard, scope="function")


def current_user(request: Request) -> StaffUser:
    """The authenticated user of a guarded request."""
    user = getattr(request.state, "staff_user", None)
    if not isinstance(user, StaffUser):
        raise RuntimeError("current_user needs a route guarded by require_roles(...)")
    return user


def _guarded(dependant: Dependant) -> bool:
    if getattr(dependant.call, "__kokuho_roles__", None):
        return True
    return any(_guarded(sub) for sub in dependant.dependencies)


def _flat_routes(app: FastAPI) -> list[Any]:
    """Every route with its effective path and dependencies (routers included)."""
    try:  # FastAPI >= 0.16x keeps included routers nested
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI flattens routes on include
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def unguarded_routes(app: FastAPI, *, prefix: str = "/api") -> list[str]:
    """``METHOD path`` of every route under ``prefix`` without ``require_roles``."""
    missing: list[str] = []
    for route in _flat_routes(app):
        path = str(getattr(route, "path", "") or "")
        if path in EXEMPT_PATHS or not path.startswith(prefix):
            continue
        dependant = getattr(route, "dependant", None)
        # Mounts and plain Starlette routes cannot declare roles: refused as well.
        if not isinstance(dependant, Dependant) or not _guarded(dependant):
            methods = sorted(getattr(route, "methods", None) or {"*"})
            missing.extend(f"{m} {path}" for m in methods)
    return missing


class UnguardedRouteError(RuntimeError):
    pass


def assert_all_routes_guarded(app: FastAPI, *, prefix: str = "/api") -> None:
    missing = unguarded_routes(app, prefix=prefix)
    if missing:
        raise UnguardedRouteError(
            "every API route must declare its roles with require_roles(...); missing on: "
            + ", ".join(missing)
        )
