"""While neither spans nor metrics are exported, a request skips the OpenTelemetry
instrumentation's per-request work but keeps its trace context (ADR 0110): a valid trace id
continued from the caller's ``traceparent``, a span id of its own, ``traceparent`` echoed;
``/healthz`` still gets none. Once spans or metrics are exported, every request goes
through the instrumentation again (server span with its route, the duration metric). In a
fresh process: the tracer and meter providers are global to a process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

PROCESS = textwrap.dedent(
    """
    import asyncio
    import os

    import httpx
    from fastapi import APIRouter
    from opentelemetry import trace
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
    from opentelemetry.sdk.trace import TracerProvider

    from kokuho.platform.app import create_app
    from kokuho.platform.audit import InMemoryAuditLog
    from kokuho.platform.auth import TokenVerifier, require_roles
    from kokuho.platform.settings import ServiceSettings
    from kokuho.platform.telemetry import HTTP_REQUEST_DURATION, metrics_in_memory, spans_in_memory
    from kokuho.platform.testing import staff_headers
    from kokuho.platform.token import new_private_key

    if os.environ.get("PRESET_PROVIDER"):  # a provider made before the platform's
        trace.set_tracer_provider(TracerProvider())

    instrumented = 0
    through = OpenTelemetryMiddleware.__call__

    async def counted(self, scope, receive, send):
        global instrumented
        instrumented += 1
        await through(self, scope, receive, send)

    OpenTelemetryMiddleware.__call__ = counted

    key = new_private_key()
    router = APIRouter(prefix="/api/v1")

    @router.get("/ids/{n}", dependencies=[require_roles("tester")])
    async def ids(n: str) -> dict[str, object]:
        span = trace.get_current_span()
        context = span.get_span_context()
        return {
            "trace": format(context.trace_id, "032x"),
            "span": format(context.span_id, "016x"),
            "recording": span.is_recording(),
        }

    app = create_app(
        ServiceSettings(service_name="unexported-test"),
        audit_log=InMemoryAuditLog(),
        token_verifier=TokenVerifier([key.public_key()]),
        routers=[router],
        configure_logs=False,
    )
    auth = staff_headers(key, "u1", "tester")
    CALLER = "00-5cf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b8-01"

    async def main() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            async def get(path, **headers):
                r = await client.get(path, headers={**auth, **headers})
                assert r.status_code == 200, r.text
                return r

            r = await get("/api/v1/ids/1")
            body, echoed = r.json(), r.headers["traceparent"].split("-")
            print("own", body["recording"], len(body["trace"]), body["trace"] != "0" * 32,
                  echoed[1] == body["trace"], echoed[2] == body["span"], echoed[3], instrumented)
            if os.environ.get("PRESET_PROVIDER"):
                return
            r = await get("/api/v1/ids/2", traceparent=CALLER)
            body, echoed = r.json(), r.headers["traceparent"].split("-")
            caller = CALLER.split("-")
            print("continued", body["trace"] == caller[1], body["span"] != caller[2],
                  echoed[1:3] == [body["trace"], body["span"]], instrumented)
            r = await get("/healthz", traceparent=CALLER)
            print("healthz", r.headers.get("traceparent"), instrumented)
            with spans_in_memory() as exporter:
                r = await get("/api/v1/ids/3", traceparent=CALLER)
                spans = exporter.get_finished_spans()
                print("spans", r.json()["recording"], [s.name for s in spans],
                      spans[0].attributes.get("http.route"),
                      format(spans[0].context.trace_id, "032x") == r.json()["trace"], instrumented)
            r = await get("/api/v1/ids/4")
            print("after", r.json()["recording"], instrumented)
            reader = metrics_in_memory()
            await get("/api/v1/ids/5")
            routes = [
                point.attributes.get("http.route")
                for rm in reader.get_metrics_data().resource_metrics
                for sm in rm.scope_metrics
                for metric in sm.metrics
                if metric.name == HTTP_REQUEST_DURATION.name
                for point in metric.data.data_points
            ]
            print("metrics", routes, instrumented)

    asyncio.run(main())
    """
)


def run(**variables: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")} | variables
    done = subprocess.run(
        [sys.executable, "-c", PROCESS], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_a_provider_not_made_by_the_platform_keeps_every_request_instrumented() -> None:
    """Its sampler may record without an exporter: the instrumentation makes and ends the span."""
    assert run(PRESET_PROVIDER="1") == ["own True 32 True True True 03 1"]


def test_unexported_requests_keep_trace_context_and_exported_ones_are_instrumented() -> None:
    assert run() == [
        # nothing exported: a trace of its own, echoed, not sampled (flags: random id only);
        # the instrumentation skipped
        "own False 32 True True True 02 0",
        # the caller's trace continued with a span of its own
        "continued True True True 0",
        # excluded from telemetry as before: no span, no traceparent
        "healthz None 0",
        # spans exported: the instrumentation's server span, with its route, in that trace
        "spans True ['GET /api/v1/ids/{n}'] /api/v1/ids/{n} True 1",
        "after False 1",
        # metrics exported: the request is measured by route
        "metrics ['/api/v1/ids/{n}'] 2",
    ]
