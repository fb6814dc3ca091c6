"""The edge of every service: what is refused before a route's code, or its body, is reached.

``EdgeGuardMiddleware`` (pure ASGI, installed by ``create_app`` inside the request context):

- a body larger than the limit is answered 413 ``request-too-large`` without being read
  (``Content-Length`` over the limit) or as soon as the bytes read pass it (chunked); the limit
  is ``max_body_bytes`` (default 1 MiB) or a route's own (file imports declare theirs);
- control characters or an individual number (個人番号, as ``RequestModel`` recognises one in a
  body) in the path or the query string (``%00`` ...) are answered 422 ``validation-error``
  naming ``/path/<parameter>`` or ``/query/<name>``, never a 500 and never echoing the value;
- a request with a body to a guarded ``/api`` route is authenticated before the body is read:
  no token or a token that does not verify is answered 401 at once.

Refusals are audited like the guard's (C-45): user (when known), terminal, the route's
operation, outcome and status; a value with control characters is never written anywhere.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kokuho.events.individual_numbers import contains_individual_number
from kokuho.platform.audit import AuditEntry, AuditLog, Outcome
from kokuho.platform.auth import (
    AUTHENTICATED,
    SUBJECT_PATH_PARAMS,
    AuthError,
    TokenVerifier,
    _flat_routes,
)
from kokuho.platform.models import INDIVIDUAL_NUMBER_REFUSED, has_control_characters
from kokuho.platform.problems import PROBLEM_MEDIA_TYPE
from kokuho.platform.request_context import current_request_id

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
FORBIDDEN_CHARACTERS = "control or invisible format characters are not allowed"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

log = logging.getLogger(__name__)


class BodyTooLarge(Exception):
    pass


def _problem(
    status: int, slug: str, detail: str, errors: list[dict[str, str]] | None = None
) -> bytes:
    titles = {401: "Unauthorized", 413: "Content Too Large", 422: "Request validation failed"}
    body: dict[str, Any] = {
        "type": f"urn:kokuho:problem:{slug}",
        "title": titles.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return json.dumps(body).encode()


class EdgeGuardMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        body_limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_limits = dict(body_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route, params = _route_of(scope)
        template = getattr(route, "path", None)
        bad = _refused_parameter(scope, params)
        if bad is not None:
            await self._refuse(scope, send, template, 422, "validation-error", bad)
            return
        if _needs_early_authentication(scope, route):
            failure = _authentication_failure(scope)
            if failure is not None:
                await self._refuse(scope, send, template, 401, "unauthenticated", failure)
                return
        limit = self.body_limits.get(template or "", self.max_body_bytes)
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, send, template, 413, "request-too-large", str(limit))
            return
        await self._with_limit(scope, receive, send, template, limit)

    async def _with_limit(
        self, scope: Scope, receive: Receive, send: Send, template: str | None, limit: int
    ) -> None:
        received = 0
        too_large = False
        replaced = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise BodyTooLarge  # whatever answer the app makes of it is replaced
            return message

        async def replacing_send(message: Message) -> None:
            nonlocal replaced
            if too_large:
                if not replaced:
                    replaced = True
                    await self._refuse(scope, send, template, 413, "request-too-large", str(limit))
                return
            await send(message)

        try:
            await self.app(scope, counting_receive, replacing_send)
        except BodyTooLarge:
            if not replaced:
                await self._refuse(scope, send, template, 413, "request-too-large", str(limit))

    async def _refuse(
        self,
        scope: Scope,
        send: Send,
        template: str | None,
        status: int,
        slug: str,
        reason: Any,
    ) -> None:
        if status == 413:
            body = _problem(status, slug, f"The request body is larger than {reason} bytes.")
        elif status == 401:
            body = _problem(status, slug, "A valid staff bearer token is required.")
        else:
            pointer, why = reason
            body = _problem(
                status, slug, "1 field(s) are invalid.", [{"pointer": pointer, "reason": why}]
            )
            reason = f"{slug} {pointer}: {why}"
        await _audit(scope, template, status, reason if status in (401, 422) else slug)
        headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode())]
        if status == 401:
            headers.append((b"www-authenticate", b"Bearer"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _route_of(scope: Scope) -> tuple[Any, dict[str, Any]]:
    """The route (its effective path, methods and dependant) the request will reach, and its
    raw path parameters; (None, {}) when none matches."""
    app = scope.get("app")
    if app is None:
        return None, {}
    table: list[_EdgeRoute] | None = getattr(app, "_kokuho_edge_routes", None)
    if table is None:
        table = [
            _EdgeRoute.of(r)
            for r in _flat_routes(app)
            if getattr(r, "path_regex", None) is not None
        ]
        app._kokuho_edge_routes = table
    path, method = scope.get("path", ""), scope.get("method", "")
    for prefix, regex, methods, route in table:
        if not path.startswith(prefix):
            continue
        found = regex.match(path)
        if found and (methods is None or method in methods):
            return route, found.groupdict()
    return None, {}


class _EdgeRoute(NamedTuple):
    """A route as the edge matches it, read once: FastAPI's effective route contexts answer
    each attribute through ``__getattr__``, and the request path must start with the template's
    text before its first parameter (its regular expression's literal head) to match at all."""

    prefix: str
    regex: re.Pattern[str]
    methods: frozenset[str] | None
    route: Any

    @classmethod
    def of(cls, route: Any) -> _EdgeRoute:
        template = str(getattr(route, "path", "") or "")
        methods = getattr(route, "methods", None)
        return cls(
            template.split("{", 1)[0],
            route.path_regex,
            frozenset(methods) if methods else None,
            route,
        )


def _refusal(value: str) -> str | None:
    if has_control_characters(value):
        return FORBIDDEN_CHARACTERS
    if contains_individual_number(value):
        return INDIVIDUAL_NUMBER_REFUSED
    return None


def _refused_parameter(scope: Scope, params: Mapping[str, Any]) -> tuple[str, str] | None:
    """The pointer of the first path or query value (or name) refused, and why; else None."""
    for name, value in params.items():
        if why := _refusal(str(value)):
            return f"/path/{name}", why
    if why := _refusal(scope.get("path", "")):
        return "/path", why
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if why := _refusal(name):
            return "/query", why
        if why := _refusal(value):
            return f"/query/{name}", why
    return None


def _needs_early_authentication(scope: Scope, route: Any) -> bool:
    if scope.get("method") not in BODY_METHODS or route is None:
        return False
    return str(scope.get("path", "")).startswith("/api/")


def _authentication_failure(scope: Scope) -> str | None:
    verifier: TokenVerifier | None = getattr(scope["app"].state, "token_verifier", None)
    header = _header(scope, b"authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return "no bearer token"
    if verifier is None:
        return "no token verifier"
    try:
        user = verifier.authenticate(token.strip())
    except AuthError as denied:
        return denied.reason if denied.status == 401 else None
    # The route's guard takes this user instead of verifying the signature a second time.
    scope.setdefault("state", {})[AUTHENTICATED] = (token.strip(), user)
    return None


async def _audit(scope: Scope, template: str | None, status: int, reason: str) -> None:
    audit_log: AuditLog | None = getattr(scope["app"].state, "audit_log", None)
    if audit_log is None:
        return
    method = scope.get("method", "")
    operation = f"{method} {template}" if template else f"{method} (no route)"
    subjects: tuple[str, ...] = ()
    detail: dict[str, Any] = {"reason": reason}
    if status != 422:
        route, params = _route_of(scope)
        subjects = tuple(str(params[n]) for n in SUBJECT_PATH_PARAMS if n in params)
        roles = _required_roles(getattr(route, "dependant", None))
        if roles:
            detail["required_roles"] = sorted(roles)
    try:
        await audit_log.append(
            AuditEntry(
                user_id="anonymous",
                terminal_id=None,
                operation=operation,
                subjects=subjects,
                outcome=Outcome.DENIED if status == 401 else Outcome.FAILED,
                status_code=status,
                request_id=current_request_id(),
                detail=detail,
            )
        )
    except Exception:
        log.exception("could not record a refused request in the audit log")


def _required_roles(dependant: Any) -> frozenset[str]:
    """The roles the route's guard (``auth.require_roles``) lets through."""
    if dependant is None:
        return frozenset()
    roles = getattr(dependant.call, "__kokuho_roles__", None)
    if roles:
        return frozenset(roles)
    for sub in dependant.dependencies:
        found = _required_roles(sub)
        if found:
            return found
    return frozenset()
