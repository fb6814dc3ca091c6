"""OpenTelemetry: a tracer provider named for the service, and instrumentation of FastAPI,
asyncpg and aiokafka (the last two only when spans are exported: ``otlp_endpoint``).

Exporters: with ``otlp_endpoint`` set and ``opentelemetry-exporter-otlp-proto-http``
installed, spans go there in batches; otherwise spans are created (so trace ids reach logs,
audit records and ``traceparent`` headers) but not exported. The exporter package is optional
on purpose: the services do not need it to run or test.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

log = logging.getLogger(__name__)
_libraries_instrumented = False


def tracer_provider(service_name: str, otlp_endpoint: str | None = None) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
    if otlp_endpoint:
        try:
            module = importlib.import_module(
                "opentelemetry.exporter.otlp.proto.http.trace_exporter"
            )
        except ImportError:
            log.warning(
                "otlp_endpoint is set but the OTLP exporter is not installed; not exporting"
            )
        else:
            exporter: Any = module.OTLPSpanExporter(endpoint=otlp_endpoint)
            provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def setup_telemetry(
    app: FastAPI, service_name: str, otlp_endpoint: str | None = None
) -> TracerProvider:
    """Instrument ``app``; with ``otlp_endpoint``, instrument asyncpg and aiokafka once per
    process. The first provider made becomes the global one (used by library
    instrumentation)."""
    global _libraries_instrumented
    provider = tracer_provider(service_name, otlp_endpoint)
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(provider)

    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # One server span per request; no inner spans per ASGI send/receive message (two or three
    # more spans a request, a tenth of an audited read's CPU, saying nothing the server span
    # does not).
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=provider,
        excluded_urls="healthz,readyz",
        exclude_spans=["receive", "send"],
    )
    if otlp_endpoint and not _libraries_instrumented:
        # A span per database statement and per Kafka message only when spans are exported:
        # unexported, they cost about a fifth of an audited read's CPU (issue 15 profile) and
        # nobody sees them. The request's server span (trace ids in logs, audit records and
        # traceparent) and the outbox's stored trace context do not depend on them.
        _libraries_instrumented = True
        from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

        AsyncPGInstrumentor().instrument()  # type: ignore[no-untyped-call]
        AIOKafkaInstrumentor().instrument()
    app.state.tracer_provider = provider
    return provider
