"""Spans are recorded only while they are exported (ADR 0107); unrecorded, they still carry
trace ids to logs, audit records and ``traceparent``. Each case runs in a fresh process: the
tracer provider is global to a process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

PROCESS = textwrap.dedent(
    """
    from opentelemetry import propagate, trace
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from kokuho.platform.telemetry import add_span_processor, configure_telemetry

    configure_telemetry("eligibility")
    tracer = trace.get_tracer("check")
    with tracer.start_as_current_span("GET /api/v1/households/{n}") as span:
        context = span.get_span_context()
        carrier = {}
        propagate.inject(carrier)
        sampled = int(carrier["traceparent"][-2:], 16) & 1
        print("unexported", span.is_recording(), context.is_valid, sampled)
    exporter = InMemorySpanExporter()
    add_span_processor(SimpleSpanProcessor(exporter))
    with tracer.start_as_current_span("POST /api/v1/households") as span:
        print("exported", span.is_recording())
    print("received", [s.name for s in exporter.get_finished_spans()])
    """
)


def run(**variables: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")} | variables
    done = subprocess.run(
        [sys.executable, "-c", PROCESS], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_unexported_spans_are_not_recorded_but_keep_their_ids() -> None:
    assert run() == [
        "unexported False True 0",  # valid ids, traceparent sent, its flags: not sampled
        "exported True",
        "received ['POST /api/v1/households']",
    ]


def test_once_exported_the_configured_sampler_decides() -> None:
    lines = run(OTEL_TRACES_SAMPLER="always_off")
    assert lines[1:] == ["exported False", "received []"]
