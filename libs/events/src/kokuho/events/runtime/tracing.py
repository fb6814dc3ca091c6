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


_spans_exported = False


def spans_exported() -> bool:
    """Whether this process exports spans (set by ``kokuho.platform.telemetry``): only then
    does the relay make a "publish" span per message (ADR 0050, ADR 0092)."""
    return _spans_exported


def set_spans_exported(value: bool) -> None:
    global _spans_exported
    _spans_exported = value
