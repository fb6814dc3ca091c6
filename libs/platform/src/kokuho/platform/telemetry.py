"""OpenTelemetry for every Kokuho service, configured by the standard ``OTEL_*`` variables
(ADR 0092).

One tracer provider and, when metrics are exported, one meter provider per process, made by the
first ``setup_telemetry`` (``create_app`` calls it) from the environment:

- ``OTEL_TRACES_EXPORTER`` / ``OTEL_METRICS_EXPORTER``: ``otlp``, ``console`` or ``none``.
  Unset, ``otlp`` when an OTLP endpoint is set (``OTEL_EXPORTER_OTLP_ENDPOINT`` or the
  signal's own ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` / ``..._METRICS_ENDPOINT``), else
  ``none``: a developer's service does not send to a collector that is not there. Any other
  name (``zipkin``, ``prometheus``, a typo) refuses to start.
- ``OTEL_EXPORTER_OTLP_PROTOCOL`` (and the per-signal ones): only ``http/protobuf`` (the
  exporter installed); ``grpc`` or ``http/json`` refuse to start.
- ``OTEL_LOGS_EXPORTER``: only ``none`` (logs are JSON lines on stdout, ``kokuho.platform.logs``).
- Endpoint, headers, certificates, timeouts, compression, ``OTEL_METRIC_EXPORT_INTERVAL``,
  ``OTEL_TRACES_SAMPLER``, ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_SERVICE_NAME``: read by the SDK
  and the OTLP exporter themselves, as their specification says.
- An ``OTEL_*`` variable that neither this SDK nor its instrumentation reads refuses to start
  (a misspelt endpoint must not silently export nothing).

Spans always exist (trace ids reach logs, audit records, ``traceparent`` and the outbox) even
when none is exported. Only when spans are exported are asyncpg and aiokafka instrumented and
does the relay make a span per message (ADR 0050: they cost CPU nobody would see otherwise).

Metrics: the runtime's instruments (``kokuho.events.runtime.metrics``), the audit sealer's
(below) and ``http.server.request.duration`` per route from the FastAPI instrumentation
(stable HTTP semantic conventions). ``INSTRUMENTS`` lists them all for the dashboard test.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from fastapi import FastAPI
from opentelemetry import context as otel_context
from opentelemetry import environment_variables as api_variables
from opentelemetry import metrics, propagate, trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.asgi import (
    OpenTelemetryMiddleware,
    asgi_getter,
    get_host_port_url_tuple,
)
from opentelemetry.instrumentation.propagators import get_global_response_propagator
from opentelemetry.instrumentation.utils import is_http_instrumentation_enabled
from opentelemetry.sdk import environment_variables as sdk_variables
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    ConsoleMetricExporter,
    InMemoryMetricReader,
    MetricExporter,
    MetricReader,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind, TraceState
from opentelemetry.util.types import Attributes
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from kokuho.events.runtime.metrics import INSTRUMENTS as RUNTIME_INSTRUMENTS
from kokuho.events.runtime.metrics import Instrument
from kokuho.events.runtime.tracing import set_spans_exported, spans_exported
from kokuho.platform.audit import AUDIT_SEALING_LAG, AUDIT_UNSEALED
from kokuho.platform.settings import StartupRefused

log = logging.getLogger(__name__)

EXPORTERS = ("otlp", "console", "none")
LOGS_EXPORTERS = ("none",)
PROTOCOLS = ("http/protobuf",)
#: The HTTP semantic conventions the dashboard reads (``http.server.request.duration``).
SEMCONV_HTTP = ("http", "http/dup")
SEMCONV_VARIABLE = "OTEL_SEMCONV_STABILITY_OPT_IN"

HTTP_REQUEST_DURATION = Instrument(
    "http.server.request.duration",
    "histogram",
    "s",
    "Request latency by route (http.route), method and status (FastAPI instrumentation).",
)

#: Every instrument a Kokuho service exports (the dashboard and the alert rules name these).
INSTRUMENTS: tuple[Instrument, ...] = (
    *RUNTIME_INSTRUMENTS,
    AUDIT_UNSEALED,
    AUDIT_SEALING_LAG,
    HTTP_REQUEST_DURATION,
)


class TelemetryRefused(StartupRefused):
    """An ``OTEL_*`` variable names an exporter, protocol or setting this build cannot honour."""


def _known_variables() -> frozenset[str]:
    names = {
        value
        for module in (sdk_variables, api_variables)
        for name, value in vars(module).items()
        if name.startswith("OTEL_") and isinstance(value, str)
    }
    return frozenset(names | {SEMCONV_VARIABLE})


#: Families read by the instrumentation packages (``OTEL_PYTHON_FASTAPI_EXCLUDED_URLS``,
#: ``OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST``...).
KNOWN_PREFIXES = ("OTEL_PYTHON_", "OTEL_INSTRUMENTATION_")


@dataclass(frozen=True)
class TelemetryConfig:
    traces_exporter: str
    metrics_exporter: str
    service_name: str

    @classmethod
    def from_environment(
        cls, service_name: str, environ: Mapping[str, str] | None = None
    ) -> TelemetryConfig:
        """Read and check the ``OTEL_*`` variables; refuse what cannot be honoured."""
        env = os.environ if environ is None else environ
        known = _known_variables()
        unknown = sorted(
            k
            for k in env
            if k.startswith("OTEL_") and k not in known and not k.startswith(KNOWN_PREFIXES)
        )
        if unknown:
            raise TelemetryRefused(
                f"unknown OpenTelemetry variable(s) {', '.join(unknown)}: "
                "neither the SDK nor the OTLP exporter reads them"
            )
        for name in (
            "OTEL_EXPORTER_OTLP_PROTOCOL",
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
            "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
        ):
            value = env.get(name, "").strip()
            if value and value not in PROTOCOLS:
                raise TelemetryRefused(
                    f"{name}={value!r}: only {', '.join(PROTOCOLS)} is installed"
                )
        logs = env.get("OTEL_LOGS_EXPORTER", "").strip()
        if logs and logs not in LOGS_EXPORTERS:
            raise TelemetryRefused(
                f"OTEL_LOGS_EXPORTER={logs!r}: logs are JSON lines on stdout; only 'none'"
            )
        semconv = {p.strip() for p in env.get(SEMCONV_VARIABLE, "").split(",") if p.strip()}
        if semconv and not semconv & set(SEMCONV_HTTP):
            raise TelemetryRefused(
                f"{SEMCONV_VARIABLE}={env[SEMCONV_VARIABLE]!r} must include 'http' or "
                "'http/dup': the dashboard reads http.server.request.duration"
            )
        disabled = env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"
        return cls(
            traces_exporter=_exporter(env, "TRACES", disabled),
            metrics_exporter=_exporter(env, "METRICS", disabled),
            service_name=env.get("OTEL_SERVICE_NAME", "").strip() or service_name,
        )


def _exporter(env: Mapping[str, str], signal: str, disabled: bool) -> str:
    variable = f"OTEL_{signal}_EXPORTER"
    names = [n.strip() for n in env.get(variable, "").split(",") if n.strip()]
    for name in names:
        if name not in EXPORTERS:
            raise TelemetryRefused(
                f"{variable}={env[variable]!r}: unknown exporter {name!r} "
                f"(this build has {', '.join(EXPORTERS)})"
            )
    if len(names) > 1:
        raise TelemetryRefused(f"{variable}={env[variable]!r}: name one exporter")
    if disabled:
        return "none"
    if names:
        return names[0]
    endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get(
        f"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"
    )
    return "otlp" if endpoint else "none"


@dataclass
class Telemetry:
    config: TelemetryConfig
    tracer_provider: TracerProvider
    #: None when metrics are not exported (the API's no-op provider records nothing).
    meter_provider: MeterProvider | None


_telemetry: Telemetry | None = None
_libraries_instrumented = False


def configure_telemetry(service_name: str, environ: Mapping[str, str] | None = None) -> Telemetry:
    """The process's telemetry, made from the environment on the first call (later calls, as
    in tests that build several apps in one process, get the same one)."""
    global _telemetry
    if _telemetry is not None:
        return _telemetry
    config = TelemetryConfig.from_environment(service_name, environ)
    # The stable HTTP conventions: http.server.request.duration in seconds with http.route.
    # Read once, by the first instrumentation (none has run yet); from_environment refused a
    # value without http.
    os.environ.setdefault(SEMCONV_VARIABLE, "http")
    resource = Resource.create({SERVICE_NAME: config.service_name})
    existing = trace.get_tracer_provider()
    provider = (
        existing if isinstance(existing, TracerProvider) else TracerProvider(resource=resource)
    )
    if provider is not existing:
        # the SDK's sampler from OTEL_TRACES_SAMPLER, recording only while spans are exported;
        # set before any tracer is made from the provider (tracers copy it)
        provider.sampler = ExportedOnly(provider.sampler)
        trace.set_tracer_provider(provider)
    if config.traces_exporter != "none":
        add_span_processor(BatchSpanProcessor(_span_exporter(config.traces_exporter)))
    meter_provider = None
    if config.metrics_exporter != "none":
        reader = PeriodicExportingMetricReader(_metric_exporter(config.metrics_exporter))
        meter_provider = MeterProvider(metric_readers=[reader], resource=resource)
        metrics.set_meter_provider(meter_provider)
    _telemetry = Telemetry(config, provider, meter_provider)
    log.info(
        "telemetry configured",
        extra={"traces": config.traces_exporter, "metrics": config.metrics_exporter},
    )
    return _telemetry


class ExportedOnly(Sampler):
    """Records spans only while spans are exported (ADR 0107); then samples as ``configured``
    (``OTEL_TRACES_SAMPLER``, by default parent-based always-on) says.

    A span that is not recorded still has its trace and span ids (trace ids in logs, audit
    records, ``traceparent`` and the outbox, as before), but no attributes are set on it and no
    processor sees it: the FastAPI instrumentation's span and its attributes were a fifth of an
    audited read's CPU (issue 15 profile) for spans nobody received."""

    def __init__(self, configured: Sampler) -> None:
        self.configured = configured

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        if not spans_exported():
            parent = trace.get_current_span(parent_context).get_span_context()
            return SamplingResult(
                Decision.DROP, None, parent.trace_state if parent.is_valid else None
            )
        return self.configured.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"ExportedOnly{{{self.configured.get_description()}}}"


def _span_exporter(name: str) -> SpanExporter:
    if name == "console":
        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()  # endpoint, headers, TLS from OTEL_EXPORTER_OTLP_*


def _metric_exporter(name: str) -> MetricExporter:
    if name == "console":
        return ConsoleMetricExporter()
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

    return OTLPMetricExporter()


def add_span_processor(processor: SpanProcessor) -> None:
    """Export the process's spans through ``processor`` too; from now on spans are exported,
    so the relay makes its per-message spans."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        raise RuntimeError("telemetry is not configured (configure_telemetry first)")
    provider.add_span_processor(processor)
    set_spans_exported(True)


def setup_telemetry(app: FastAPI, service_name: str) -> TracerProvider:
    """Instrument ``app`` with the process's providers (configured on the first call); when
    spans are exported, instrument asyncpg and aiokafka once per process."""
    global _libraries_instrumented
    telemetry = configure_telemetry(service_name)

    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # One server span per request; no inner spans per ASGI send/receive message (two or three
    # more spans a request, a tenth of an audited read's CPU, saying nothing the server span
    # does not).
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=telemetry.tracer_provider,
        meter_provider=telemetry.meter_provider or metrics.get_meter_provider(),
        excluded_urls="healthz,readyz",
        exclude_spans=["receive", "send"],
    )
    instrumented = app.build_middleware_stack

    def build_middleware_stack() -> ASGIApp:
        return UnexportedRequests.around(instrumented(), telemetry)

    app.build_middleware_stack = build_middleware_stack  # type: ignore[method-assign]
    if telemetry.config.traces_exporter != "none" and not _libraries_instrumented:
        # A span per database statement and per Kafka message only when spans are exported:
        # unexported, they cost about a fifth of an audited read's CPU (issue 15 profile) and
        # nobody sees them. The request's server span (trace ids in logs, audit records and
        # traceparent) and the outbox's stored trace context do not depend on them.
        _libraries_instrumented = True
        from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

        AsyncPGInstrumentor().instrument()  # type: ignore[no-untyped-call]
        AIOKafkaInstrumentor().instrument()
    app.state.tracer_provider = telemetry.tracer_provider
    return telemetry.tracer_provider


class UnexportedRequests:
    """Outermost ASGI middleware around the instrumented stack (ADR 0110): while neither spans
    nor metrics are exported, a request gets only what is read from its telemetry (its
    trace context: trace ids in logs, audit records, ``traceparent`` and the outbox) and skips
    the instrumentation's per-request work (its route lookup, attributes, duration and size
    measurements, send wrapper: a tenth of an audited read's CPU, issue 15), whose span is
    dropped and whose measurements go to a no-op meter then. Once spans or metrics are
    exported (``spans_in_memory``, ``metrics_in_memory``, an exporter configured), every
    request goes through the instrumentation as before."""

    def __init__(
        self, app: ASGIApp, instrumentation: OpenTelemetryMiddleware, telemetry: Telemetry
    ) -> None:
        #: the instrumented stack (``app``: FastAPI's own telemetry finds the instrumentation
        #: through it and stays off)
        self.app = app
        self.instrumentation = instrumentation
        self.telemetry = telemetry
        #: only under ExportedOnly is an unexported span sure not to be recorded (a tracer
        #: provider made before configure_telemetry keeps its own sampler)
        self.drops_unexported = isinstance(
            getattr(telemetry.tracer_provider, "sampler", None), ExportedOnly
        )

    @classmethod
    def around(cls, stack: ASGIApp, telemetry: Telemetry) -> ASGIApp:
        """``stack`` as FastAPIInstrumentor builds it (ServerErrorMiddleware around its
        middleware); any other shape is left as it is (every request instrumented)."""
        instrumentation = getattr(stack, "app", None)
        if not isinstance(stack, ServerErrorMiddleware) or not isinstance(
            instrumentation, OpenTelemetryMiddleware
        ):
            return stack
        return cls(stack, instrumentation, telemetry)

    def _instrumented(self) -> bool:
        i = self.instrumentation
        return (
            not self.drops_unexported
            or spans_exported()
            or self.telemetry.meter_provider is not None
            or get_global_response_propagator() is not None  # type: ignore[no-untyped-call]
            or i.server_request_hook is not None
            or not is_http_instrumentation_enabled()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._instrumented():
            await self.app(scope, receive, send)
            return
        inner = self.instrumentation.app
        excluded = self.instrumentation.excluded_urls
        url = get_host_port_url_tuple(scope)[2]  # type: ignore[no-untyped-call]
        if excluded and excluded.url_disabled(url):
            await inner(scope, receive, send)
            return
        # the context the instrumentation's span gets (_start_internal_or_server_span); the
        # sampler drops it (nothing exported): its name and attributes are never read, and a
        # span not recorded needs no ending
        if trace.get_current_span() is trace.INVALID_SPAN:
            parent = propagate.extract(cast("dict[str, Any]", scope), getter=asgi_getter)
            kind = SpanKind.SERVER
        else:
            parent = otel_context.get_current()
            kind = SpanKind.INTERNAL
        span = self.instrumentation.tracer.start_span("HTTP", context=parent, kind=kind)
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        try:
            await inner(scope, receive, send)
        finally:
            otel_context.detach(token)


# --- for tests: the in-memory exporter and reader ---------------------------------------------

_memory_reader: InMemoryMetricReader | None = None


@contextlib.contextmanager
def spans_in_memory() -> Iterator[InMemorySpanExporter]:
    """An in-memory exporter receiving every span the process ends inside the ``with`` (spans
    count as exported there, so the relay makes its per-message spans)."""
    configure_telemetry("kokuho-test")
    exporter = InMemorySpanExporter()
    add_span_processor(SimpleSpanProcessor(exporter))
    try:
        yield exporter
    finally:
        exporter.shutdown()  # from now on it drops what it is given
        set_spans_exported(_telemetry is not None and _telemetry.config.traces_exporter != "none")


def metrics_in_memory() -> MetricReader:
    """The process's in-memory metric reader: the global meter provider is made with it on
    the first call (unless metrics are already exported); ``get_metrics_data()`` collects."""
    global _memory_reader
    if _memory_reader is None:
        reader = InMemoryMetricReader()
        telemetry = configure_telemetry("kokuho-test")
        if telemetry.meter_provider is not None:
            raise RuntimeError("metrics are exported already (OTEL_METRICS_EXPORTER)")
        provider = MeterProvider(
            metric_readers=[reader], resource=telemetry.tracer_provider.resource
        )
        metrics.set_meter_provider(provider)
        telemetry.meter_provider = provider
        _memory_reader = reader
    return _memory_reader
