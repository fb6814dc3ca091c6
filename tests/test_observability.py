"""The Grafana dashboard and the Prometheus alert rules in deploy/observability (ADR 0092).

Their metric names must be the instruments the code defines (``kokuho.platform.telemetry.
INSTRUMENTS``) as Prometheus names them on OTLP ingestion; every instrument is on the dashboard;
the rules pass ``promtool check rules`` and their unit tests (``promtool test rules``), and the
dashboard's queries parse as PromQL (checked by promtool as recording rules), with the promtool
that deploy/tools/promtool.sh pins and installs.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from kokuho.events.runtime.metrics import Instrument
from kokuho.platform.telemetry import INSTRUMENTS

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "deploy/observability"
DASHBOARD = HERE / "kokuho-dashboard.json"
ALERTS = HERE / "alerts.yaml"
ALERT_TESTS = HERE / "alerts_test.yaml"
README = HERE / "README.md"
#: promtool's first build can take minutes (go install); later runs find it in .local/bin.
PROMTOOL_TIMEOUT = 1800

UNIT_SUFFIXES = {"s": "seconds", "ms": "milliseconds", "By": "bytes", "1": "ratio"}


def prometheus_name(instrument: Instrument) -> str:
    """The name Prometheus gives an OTLP metric (the OpenTelemetry-to-Prometheus compatibility
    rules that Prometheus's OTLP receiver and the collector's Prometheus exporters apply by
    default): non-alphanumerics to ``_``, the unit as a suffix (units in braces dropped), and
    ``_total`` for a counter."""
    name = re.sub(r"[^A-Za-z0-9_:]", "_", instrument.name)
    unit = re.sub(r"\{[^}]*\}", "", instrument.unit)
    suffix = UNIT_SUFFIXES.get(unit, unit)
    if suffix == "ratio" and instrument.kind != "gauge":
        suffix = ""
    if suffix and not name.endswith(f"_{suffix}"):
        name = f"{name}_{suffix}"
    if instrument.kind == "counter":
        name += "_total"
    return name


def series_names(instrument: Instrument) -> set[str]:
    base = prometheus_name(instrument)
    if instrument.kind == "histogram":
        return {f"{base}_bucket", f"{base}_sum", f"{base}_count"}
    return {base}


KNOWN = {name: i for i in INSTRUMENTS for name in series_names(i)}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (quoted strings, label matchers and
    by/without clauses removed first; function names are followed by a parenthesis)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        after = text[match.end() :].lstrip()
        word = match.group()
        if after.startswith("(") or word in {"and", "or", "unless", "bool", "offset", "inf"}:
            continue
        names.add(word)
    return names


def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def dashboard_panels() -> list[dict[str, Any]]:
    return [p for p in dashboard()["panels"] if p["type"] != "row"]


def dashboard_exprs() -> list[str]:
    return [t["expr"] for p in dashboard_panels() for t in p["targets"]]


def alert_rules() -> list[dict[str, Any]]:
    return [
        rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]
    ]


def test_prometheus_names_of_the_instruments() -> None:
    assert {i.name: prometheus_name(i) for i in INSTRUMENTS} == {
        "kokuho.outbox.backlog": "kokuho_outbox_backlog",
        "kokuho.outbox.oldest_unpublished_age": "kokuho_outbox_oldest_unpublished_age_seconds",
        "kokuho.outbox.published": "kokuho_outbox_published_total",
        "kokuho.consumer.lag": "kokuho_consumer_lag",
        "kokuho.consumer.dead_letters": "kokuho_consumer_dead_letters_total",
        "kokuho.audit.unsealed": "kokuho_audit_unsealed",
        "kokuho.audit.sealing_lag": "kokuho_audit_sealing_lag_seconds",
        "http.server.request.duration": "http_server_request_duration_seconds",
    }


def test_metric_names_are_read_from_promql() -> None:
    expr = (
        'histogram_quantile(0.95, sum by (job, http_route, le) (rate(x_bucket{a="b{c}"}[5m])))'
        " > 1 and on (job) absent_over_time(y[15m]) == 1"
    )
    assert metric_names(expr) == {"x_bucket", "y"}


def test_the_dashboard_reads_only_metrics_the_code_defines() -> None:
    used = {name for expr in dashboard_exprs() for name in metric_names(expr)}
    variables = {v["definition"] for v in dashboard()["templating"]["list"] if "definition" in v}
    used |= {m.group(1) for d in variables if (m := re.search(r"label_values\((\w+)", d))}
    assert used - set(KNOWN) == set()


def test_every_instrument_is_on_the_dashboard() -> None:
    used = {KNOWN[n].name for expr in dashboard_exprs() for n in metric_names(expr) if n in KNOWN}
    assert used == {i.name for i in INSTRUMENTS}


def test_the_dashboard_is_well_formed() -> None:
    board = dashboard()
    assert board["uid"] == "kokuho-operations"
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard_panels():
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], panel["title"]
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        assert [t["refId"] for t in panel["targets"]] == [
            chr(ord("A") + i) for i in range(len(panel["targets"]))
        ]
    names = {v["name"] for v in board["templating"]["list"]}
    for expr in dashboard_exprs():
        assert set(re.findall(r"\$(\w+)", expr)) <= names | {"__rate_interval"}


def test_the_alert_rules_read_only_metrics_the_code_defines() -> None:
    used = {name for rule in alert_rules() for name in metric_names(rule["expr"])}
    assert used - set(KNOWN) == set()
    alerted = {KNOWN[n].name for rule in alert_rules() for n in metric_names(rule["expr"])}
    # what issue 17 asks operators to be told about
    assert alerted >= {
        "kokuho.outbox.backlog",
        "kokuho.outbox.oldest_unpublished_age",
        "kokuho.consumer.lag",
        "kokuho.consumer.dead_letters",
        "kokuho.audit.sealing_lag",
        "http.server.request.duration",
    }


def test_every_alert_says_how_bad_and_where_to_look() -> None:
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in README.read_text().splitlines()
        if line.startswith("#")
    }
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert {"summary", "description", "runbook"} <= set(rule["annotations"]), rule["alert"]
        page, _, anchor = rule["annotations"]["runbook"].partition("#")
        assert (ROOT / page) == README, rule["alert"]
        assert anchor in anchors, rule["alert"]


@pytest.fixture(scope="module")
def promtool() -> str:
    found = subprocess.run(
        [str(ROOT / "deploy/tools/promtool.sh")], capture_output=True, text=True, check=False
    )
    assert found.returncode == 0, f"the pinned promtool could not be installed: {found.stderr}"
    return found.stdout.strip()


def run(promtool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool, *args], capture_output=True, text=True, check=False)


@pytest.mark.timeout(PROMTOOL_TIMEOUT)
def test_promtool_checks_the_alert_rules(promtool: str) -> None:
    checked = run(promtool, "check", "rules", "--lint=all", "--lint-fatal", str(ALERTS))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in checked.stdout


@pytest.mark.timeout(PROMTOOL_TIMEOUT)
def test_promtool_runs_the_alert_rules_unit_tests(promtool: str) -> None:
    tested = run(promtool, "test", "rules", str(ALERT_TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


@pytest.mark.timeout(PROMTOOL_TIMEOUT)
def test_promtool_parses_every_dashboard_query(promtool: str, tmp_path: Path) -> None:
    # Grafana's variables as Prometheus would see them once Grafana substituted them.
    exprs = [e.replace("$__rate_interval", "5m").replace("$job", ".*") for e in dashboard_exprs()]
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"kokuho:dashboard_query_{i}", "expr": e}
                    for i, e in enumerate(exprs)
                ],
            }
        ]
    }
    path = tmp_path / "dashboard_queries.yaml"
    path.write_text(yaml.safe_dump(rules))
    checked = run(promtool, "check", "rules", str(path))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(exprs)} rules found" in checked.stdout
