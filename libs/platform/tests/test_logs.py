from __future__ import annotations

import json
import logging

from kokuho.platform.logs import JsonFormatter, redact, redact_text


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
