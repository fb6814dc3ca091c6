"""W3C trace context carried from the request, through the outbox row, to the consumer."""

from __future__ import annotations

from opentelemetry import context, propagate, trace
from opentelemetry.context import Context

TRACER = trace.get_tracer("kokuho.events")


def current_trace_headers() -> tuple[str | None, str | None]:
    """The ``traceparent`` and ``tracestate`` of the active span, if any."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent"), carrier.get("tracestate")


def context_from(traceparent: str | None, tracestate: str | None = None) -> Context:
    carrier = {}
    if traceparent:
        carrier["traceparent"] = traceparent
    if tracestate:
        carrier["tracestate"] = tracestate
    return propagate.extract(carrier, context=context.Context())
