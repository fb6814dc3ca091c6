"""``create_app``: one call that builds a Kokuho service's FastAPI app with the platform wired in.

    app = create_app(
        settings,
        title="eligibility",
        routers=[api.router],
        audit_log=PostgresAuditLog(lambda: state.pool),
        idempotency_store=PostgresIdempotencyStore(),
        readiness_checks={"postgres": postgres_check(lambda: state.pool),
                          "kafka": kafka_check(settings.kafka_connection)},
        domain_errors={InsuredAlreadyEnrolled: None, StaleVersion: DomainErrorMapping(409)},
        lifespan=lifespan,
    )

It installs, in order: JSON logging, problem+json handlers (with the service's domain
errors), the idempotency replay handler, the request-context middleware (``X-Request-Id``,
``traceparent``, last-resort 500), the edge guard (body limit, control characters in path and
query, authentication before a body is read: ``kokuho.platform.edges``), ``/healthz`` and
``/readyz``, the routers, OpenTelemetry; then it refuses to return an app whose ``/api``
routes do not all declare roles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import HTMLResponse
from fastapi_offline import FastAPIOffline

from kokuho.events.catalog.asyncapi import document_json as asyncapi_document
from kokuho.events.catalog.page import page_html as asyncapi_page
from kokuho.platform.audit import AuditLog
from kokuho.platform.auth import TokenVerifier, assert_all_routes_guarded
from kokuho.platform.edges import EdgeGuardMiddleware
from kokuho.platform.health import ReadinessCheck, install_health
from kokuho.platform.idempotency import IdempotencyStore, install_idempotency
from kokuho.platform.logs import configure_logging
from kokuho.platform.problems import DomainErrorMapping, ProblemBody, install_problem_handlers
from kokuho.platform.request_context import RequestContextMiddleware
from kokuho.platform.settings import ServiceSettings
from kokuho.platform.telemetry import setup_telemetry

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[Any]]

#: Error responses every API route may give, for the OpenAPI document.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ProblemBody, "content": {"application/problem+json": {}}, "description": d}
    for status, d in (
        (401, "No valid staff token"),
        (403, "Role, IC-card factor or terminal not allowed"),
        (422, "Invalid request or refused by a business rule"),
    )
}

#: Where the documentation pages' scripts and styles are served from (the service itself).
DOCS_ASSETS = "/docs-assets"

#: The AsyncAPI 3.0 document of every published topic (``kokuho.events.catalog``), and the
#: same catalog as a page rendered on the server (no script, nothing from another host).
ASYNCAPI_PATH = "/asyncapi.json"
ASYNCAPI_PAGE = "/asyncapi"


async def _asyncapi() -> Response:
    return Response(asyncapi_document(), media_type="application/json")


async def _asyncapi_page() -> HTMLResponse:
    return HTMLResponse(asyncapi_page())


def create_app(
    settings: ServiceSettings,
    *,
    audit_log: AuditLog,
    title: str | None = None,
    version: str = "1.0.0",
    routers: Sequence[APIRouter] = (),
    readiness_checks: Mapping[str, ReadinessCheck] | None = None,
    domain_errors: Mapping[type[Exception], DomainErrorMapping | None] | None = None,
    idempotency_store: IdempotencyStore | None = None,
    token_verifier: TokenVerifier | None = None,
    lifespan: Lifespan | None = None,
    telemetry: bool = True,
    configure_logs: bool = True,
    body_limits: Mapping[str, int] | None = None,
) -> FastAPI:
    if configure_logs:
        configure_logging(settings.service_name, settings.log_level)
    verifier = token_verifier or TokenVerifier.from_settings(settings)

    # /docs and /redoc with Swagger UI and ReDoc served by the service itself, from the pinned
    # fastapi-offline package: the individual-number network a city runs this in has no
    # internet, so FastAPI's CDN pages would be blank there.
    app = FastAPIOffline(
        title=title or settings.service_name,
        version=version,
        lifespan=lifespan,
        responses=PROBLEM_RESPONSES,
        static_url=DOCS_ASSETS,
        # FastAPI's own telemetry off: the OpenTelemetry instrumentation (setup_telemetry)
        # makes the server span and http.server.request.duration, under the OTEL_* settings
        # ADR 0092 checks; FastAPI's checked for both on every request (ADR 0110).
        telemetry={"tracing": False, "metrics": False, "logs": False, "auto_configure": False},
    )
    app.state.settings = settings
    app.state.token_verifier = verifier
    app.state.audit_log = audit_log

    install_problem_handlers(app, domain_errors)
    install_idempotency(app, idempotency_store)
    app.add_middleware(
        EdgeGuardMiddleware, max_body_bytes=settings.max_body_bytes, body_limits=body_limits
    )
    app.add_middleware(RequestContextMiddleware)  # outermost: the request id is set first
    install_health(app, readiness_checks)
    # The AsyncAPI catalog of every published topic beside /docs, open like it (contracts only,
    # no personal data), so a department reads the events' description from any service.
    app.add_api_route(ASYNCAPI_PATH, _asyncapi, methods=["GET"], include_in_schema=False)
    app.add_api_route(ASYNCAPI_PAGE, _asyncapi_page, methods=["GET"], include_in_schema=False)
    for router in routers:
        app.include_router(router)
    if telemetry:
        setup_telemetry(app, settings.service_name)
    assert_all_routes_guarded(app)
    return app
