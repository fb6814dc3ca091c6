from __future__ import annotations

import json
import logging

import pytest

from kokuho.platform.logs import (
    JsonFormatter,
    RepeatedWarnings,
    configure_logging,
    redact,
    redact_text,
)


def render(message: str, *args: object, **extra: object) -> dict[str, object]:
    record = logging.LogRecord("kokuho.test", logging.INFO, __file__, 1, message, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return json.loads(JsonFormatter("eligibility").format(record))


def test_line_is_json_with_context_fields() -> None:
    line = render("hello %s", "world")
    assert line["message"] == "hello world"
    assert line["service"] == "eligibility"
    assert line["level"] == "INFO"
    assert line["logger"] == "kokuho.test"
    assert "request_id" in line
    assert "time" in line


def test_twelve_digit_runs_are_redacted_everywhere() -> None:
    line = render(
        "looked up %s", "123456789012", note="number 1234-5678-9012 given", n=123456789012
    )
    text = json.dumps(line)
    assert "123456789012" not in text
    assert "1234-5678-9012" not in text
    assert line["message"] == "looked up [REDACTED]"


def test_short_numbers_survive() -> None:
    assert redact_text("addressee 00012345, 2026-04-01, 090-1234-5678") == (
        "addressee 00012345, 2026-04-01, 090-1234-5678"
    )


def test_personal_keys_are_redacted_even_nested() -> None:
    line = render(
        "x",
        person={"name": "山田太郎", "name_kana": "ヤマダタロウ", "id": "A1"},
        birth_date="1980-01-01",
        address="広島市中区",
        phone="082-000-0000",
    )
    assert line["person"] == {"name": "[REDACTED]", "name_kana": "[REDACTED]", "id": "A1"}
    assert line["birth_date"] == line["address"] == line["phone"] == "[REDACTED]"
    assert redact({"individual_number": "x"}) == {"individual_number": "[REDACTED]"}


def test_exception_text_is_redacted() -> None:
    try:
        raise ValueError("bad number 123456789012")
    except ValueError:
        import sys

        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    line = json.loads(JsonFormatter("svc").format(record))
    assert "123456789012" not in line["exception"]
    assert "[REDACTED]" in line["exception"]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def record(
    level: int = logging.WARNING, message: str = "Unable connect to node %s", line: int = 7
) -> logging.LogRecord:
    return logging.LogRecord("aiokafka", level, "conn.py", line, message, ("1",), None)


def test_a_repeated_warning_is_written_burst_times_a_window_then_counted() -> None:
    clock = Clock()
    repeats = RepeatedWarnings(burst=3, window=60, clock=clock)
    written = [repeats.filter(record()) for _ in range(10)]
    assert written == [True] * 3 + [False] * 7
    clock.now = 59.9  # the window's last moment: still held back
    assert not repeats.filter(record())
    clock.now = 60.0  # the next window: written, with the count left out
    first = record()
    assert repeats.filter(first)
    assert first.suppressed == 8  # type: ignore[attr-defined]
    assert json.loads(JsonFormatter("collection").format(first))["suppressed"] == 8
    assert [repeats.filter(record()) for _ in range(3)] == [True, True, False]


def test_other_places_levels_and_information_lines_are_not_held_back() -> None:
    repeats = RepeatedWarnings(burst=1, window=60, clock=Clock())
    assert repeats.filter(record())
    assert not repeats.filter(record())
    assert repeats.filter(record(line=8))  # another line of the same logger
    assert repeats.filter(record(message="Another %s"))
    assert repeats.filter(record(level=logging.ERROR))
    assert all(repeats.filter(record(level=logging.INFO)) for _ in range(100))  # requests
    quiet = record()
    assert not repeats.filter(quiet)
    assert not hasattr(quiet, "suppressed")


def test_configured_logging_holds_back_a_flood(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    level = root.level
    configure_logging("collection")
    try:
        flood = logging.getLogger("aiokafka.test")
        for n in range(50):
            flood.warning("Unable connect to node with id %s", n)
        logging.getLogger("uvicorn.access").info("GET /healthz %s", 200)
    finally:
        for handler in list(root.handlers):
            if getattr(handler, "_kokuho", False):
                root.removeHandler(handler)
        root.setLevel(level)
    lines = [json.loads(x) for x in capsys.readouterr().err.splitlines()]
    assert [x["logger"] for x in lines].count("aiokafka.test") == 5
    assert lines[-1]["message"] == "GET /healthz 200"
