"""Telemetry is configured by the standard OTEL_* variables and refuses what it cannot honour
(ADR 0092); the OTLP exporter really sends spans and metrics where they say."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from kokuho.platform.settings import StartupRefused
from kokuho.platform.telemetry import TelemetryConfig, TelemetryRefused


def config(**env: str) -> TelemetryConfig:
    return TelemetryConfig.from_environment("eligibility", env)


def test_nothing_is_exported_without_an_exporter_or_endpoint() -> None:
    assert config() == TelemetryConfig("none", "none", "eligibility")


def test_an_otlp_endpoint_exports_both_signals() -> None:
    found = config(OTEL_EXPORTER_OTLP_ENDPOINT="http://collector:4318")
    assert (found.traces_exporter, found.metrics_exporter) == ("otlp", "otlp")
    only_traces = config(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="http://collector:4318/v1/traces")
    assert (only_traces.traces_exporter, only_traces.metrics_exporter) == ("otlp", "none")


def test_the_exporter_variables_choose_and_the_sdk_switch_wins() -> None:
    found = config(
        OTEL_EXPORTER_OTLP_ENDPOINT="http://collector:4318",
        OTEL_TRACES_EXPORTER="none",
        OTEL_METRICS_EXPORTER="console",
    )
    assert (found.traces_exporter, found.metrics_exporter) == ("none", "console")
    disabled = config(OTEL_TRACES_EXPORTER="otlp", OTEL_SDK_DISABLED="true")
    assert disabled.traces_exporter == "none"


def test_otel_service_name_names_the_service() -> None:
    assert config(OTEL_SERVICE_NAME="eligibility-blue").service_name == "eligibility-blue"


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("OTEL_TRACES_EXPORTER", "zipkin", "unknown exporter 'zipkin'"),
        ("OTEL_METRICS_EXPORTER", "prometheus", "unknown exporter 'prometheus'"),
        ("OTEL_METRICS_EXPORTER", "otlp,console", "name one exporter"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "only http/protobuf"),
        ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json", "only http/protobuf"),
        ("OTEL_LOGS_EXPORTER", "otlp", "only 'none'"),
        ("OTEL_SEMCONV_STABILITY_OPT_IN", "database", "http.server.request.duration"),
        ("OTEL_EXPORTER_OTLP_ENDPOIT", "http://collector:4318", "OTEL_EXPORTER_OTLP_ENDPOIT"),
    ],
)
def test_what_cannot_be_honoured_refuses_to_start(variable: str, value: str, says: str) -> None:
    with pytest.raises(TelemetryRefused, match=says) as refused:
        config(**{variable: value})
    assert isinstance(refused.value, StartupRefused)  # the serve command exits 2 with it


def test_instrumentation_variables_are_known() -> None:
    config(
        OTEL_PYTHON_FASTAPI_EXCLUDED_URLS="healthz",
        OTEL_TRACES_SAMPLER="parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG="0.1",
        OTEL_EXPORTER_OTLP_HEADERS="x-tenant=city",
        OTEL_RESOURCE_ATTRIBUTES="deployment.environment=staging",
        OTEL_SEMCONV_STABILITY_OPT_IN="http,database",
    )


class Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, str], bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, dict(self.headers.items()), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list[tuple[str, dict[str, str], bytes]]]]:
    received: list[tuple[str, dict[str, str], bytes]] = []
    handler = type("Handler", (Collector,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


SERVICE_PROCESS = textwrap.dedent(
    """
    from opentelemetry import trace
    from kokuho.events.runtime.metrics import OUTBOX_BACKLOG, runtime_metrics
    from kokuho.platform.telemetry import configure_telemetry

    telemetry = configure_telemetry("eligibility")
    with trace.get_tracer("check").start_as_current_span("POST /api/v1/households"):
        pass
    owner = object()
    runtime_metrics().report(OUTBOX_BACKLOG, owner, [({"kokuho.service": "eligibility"}, 7)])
    assert telemetry.tracer_provider.force_flush()
    assert telemetry.meter_provider is not None and telemetry.meter_provider.force_flush()
    """
)


def test_the_otlp_exporter_sends_spans_and_metrics_where_otel_variables_say(
    collector: tuple[str, list[tuple[str, dict[str, str], bytes]]],
) -> None:
    endpoint, received = collector
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env |= {
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_EXPORTER_OTLP_HEADERS": "x-tenant=city",
        "OTEL_SERVICE_NAME": "eligibility-blue",
        "OTEL_METRIC_EXPORT_INTERVAL": "600000",
    }
    done = subprocess.run(
        [sys.executable, "-c", SERVICE_PROCESS], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    by_path = {path: (headers, body) for path, headers, body in received}
    assert set(by_path) == {"/v1/traces", "/v1/metrics"}
    assert all(h.get("x-tenant") == "city" for h, _ in by_path.values())

    traces = ExportTraceServiceRequest.FromString(by_path["/v1/traces"][1])
    (resource_spans,) = traces.resource_spans
    assert _service_name(resource_spans.resource) == "eligibility-blue"
    spans = [s.name for scope in resource_spans.scope_spans for s in scope.spans]
    assert spans == ["POST /api/v1/households"]

    sent = ExportMetricsServiceRequest.FromString(by_path["/v1/metrics"][1])
    gauges = {
        m.name: [p.as_double for p in m.gauge.data_points]
        for rm in sent.resource_metrics
        for scope in rm.scope_metrics
        for m in scope.metrics
    }
    assert gauges["kokuho.outbox.backlog"] == [7.0]


def test_an_unknown_exporter_stops_the_process(
    collector: tuple[str, list[tuple[str, dict[str, str], bytes]]],
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["OTEL_TRACES_EXPORTER"] = "jaeger"
    done = subprocess.run(
        [sys.executable, "-c", SERVICE_PROCESS], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "TelemetryRefused" in done.stderr
    assert "unknown exporter 'jaeger'" in done.stderr
    assert collector[1] == []


def _service_name(resource: object) -> str:
    for attribute in resource.attributes:  # type: ignore[attr-defined]
        if attribute.key == "service.name":
            return str(attribute.value.string_value)
    raise AssertionError("no service.name")
