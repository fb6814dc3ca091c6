"""The bench summary's rows (issue 15): goals judged on the figure or the ratio, several runs
judged on every run, and the closing table and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.load import request_bytes
from bench.report import Goal, Row, Summary, table


def test_a_goal_on_the_figure_or_the_ratio_at_its_bound() -> None:
    assert Row("p99", 20.0, "ms", goal=Goal("<=", 20)).met is True
    assert Row("p99", 20.1, "ms", goal=Goal("<=", 20)).met is False
    on_ratio = Goal(">=", 0.5, on="ratio")
    assert Row("reads", 50.0, "req/s", baseline=100.0, goal=on_ratio).met is True
    assert Row("reads", 49.9, "req/s", baseline=100.0, goal=on_ratio).met is False
    assert Row("reads", 50.0, "req/s", goal=on_ratio).met is None  # no baseline: not judged
    assert Row("reads", 50.0, "req/s").met is None  # no goal: reported only
    # a given ratio wins over figure / baseline (a time against a time)
    assert Row("run", 60.0, "s", baseline=10.0, ratio=6.0, goal=Goal("<=", 6, "ratio")).met


def test_several_runs_meet_a_goal_only_when_every_run_does() -> None:
    goal = Goal(">=", 0.7, on="ratio")
    row = Row.of_runs("append", [70.0, 90.0, 65.0], "ev/s", baselines=[100.0] * 3, goal=goal)
    assert row.figure == 70.0  # the median
    assert row.ratios == (0.7, 0.9, 0.65)
    assert row.met is False  # the third run missed it
    assert "min 65" in row.spread()
    assert "max 90" in row.spread()
    every = Row.of_runs("append", [70.0, 90.0], "ev/s", baselines=[100.0, 100.0], goal=goal)
    assert every.met is True
    consumer = Row.of_runs("consumer", [31_000.0, 29_999.0], "ev/s", goal=Goal(">=", 30_000))
    assert consumer.met is False


def test_the_summary_prints_one_table_and_writes_the_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = Summary()
    summary.add([Row("a", 1.0, "s", goal=Goal("<=", 2))])
    summary.add(Row("b", 3.0, "s", goal=Goal("<=", 2)))
    summary.add("a module's line of text")
    summary.close(tmp_path / "latest.json", events=10)
    out = capsys.readouterr().out
    assert "measure" in out
    assert "a module's line of text" in out
    document = json.loads((tmp_path / "latest.json").read_text())
    assert [(r["measure"], r["met"]) for r in document["rows"]] == [("a", True), ("b", False)]
    assert document["lines"] == ["a module's line of text"]
    assert document["events"] == 10
    assert table([]).startswith("measure")


def test_requests_are_prepared_as_http_11_keep_alive() -> None:
    raw = request_bytes("POST", "/x", "h:1", {"Authorization": "Bearer t"}, {"n": "試"})
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"POST /x HTTP/1.1\r\nHost: h:1\r\nConnection: keep-alive")
    assert f"Content-Length: {len(body)}".encode() in head
    assert json.loads(body) == {"n": "試"}
