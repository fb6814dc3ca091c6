"""Structured JSON logs that never carry personal data.

``configure_logging(service, level)`` puts one ``JsonFormatter`` handler on the root logger.
Each line is a JSON object with ``time``, ``level``, ``logger``, ``message``, ``service``,
``request_id``, ``trace_id``, ``span_id``, any ``extra`` fields, and ``exception`` if any.

Redaction (applied to the message, the exception text and every ``extra`` value):

- any run of 12 or more digits, optionally grouped with single spaces or hyphens (a possible
  individual number, e.g. ``1234 5678 9012``), becomes ``[REDACTED]``;
- values of known personal keys (``PERSONAL_KEYS``: name, name_kana, address, phone,
  birth_date, individual_number, ...) become ``[REDACTED]`` wherever they are nested.

Repeats (``RepeatedWarnings``): a warning or error written from the same place again and again
(a Kafka client retrying a broker that is down wrote ~8,800 lines in one outage) is written
``burst`` times a window; the rest are counted, and the next line written from that place says
how many were left out (``"suppressed": n``). Information lines (requests) are never held back.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

from kokuho.platform.request_context import current_request_id

REDACTED = "[REDACTED]"
PERSONAL_KEYS = frozenset(
    {
        "name",
        "name_kana",
        "kana",
        "address",
        "phone",
        "phone_number",
        "birth_date",
        "date_of_birth",
        "individual_number",
        "my_number",
        "email",
    }
)
_DIGIT_RUN = re.compile(r"(?<!\d)\d(?:[ -]?\d){11,}(?!\d)")

# Attributes every LogRecord has; anything else on a record came from ``extra``.
_RECORD_ATTRS = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
) | {"message", "asctime", "taskName"}


def redact_text(text: str) -> str:
    return _DIGIT_RUN.sub(REDACTED, text)


def redact(value: Any, key: str | None = None) -> Any:
    """Redact personal data in a JSON-able value (recursively)."""
    if key is not None and key.lower() in PERSONAL_KEYS:
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        return redact_text(str(value)) if _DIGIT_RUN.search(str(value)) else value
    if isinstance(value, dict):
        return {str(k): redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [redact(v) for v in value]
    return redact_text(str(value))


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_text(record.getMessage()),
            "service": self.service,
            "request_id": current_request_id(),
        }
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            out["trace_id"] = format(span_context.trace_id, "032x")
            out["span_id"] = format(span_context.span_id, "016x")
        for key, value in vars(record).items():
            if key in _RECORD_ATTRS or key in out or key.startswith("_"):
                continue
            out[key] = redact(value, key)
        if record.exc_info:
            out["exception"] = redact_text(self.formatException(record.exc_info))
        if record.stack_info:
            out["stack"] = redact_text(self.formatStack(record.stack_info))
        return json.dumps(out, ensure_ascii=False, default=str)


@dataclass
class _Window:
    start: float
    written: int = 1
    suppressed: int = 0


class RepeatedWarnings(logging.Filter):
    """Writes a warning or error from one place (logger, message template, line) at most
    ``burst`` times per ``window`` seconds; the first line from that place after the window
    carries the count left out."""

    def __init__(
        self, burst: int = 5, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.burst, self.window, self._clock = burst, window, clock
        self._places: dict[tuple[str, int, str, int], _Window] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        place = (record.name, record.levelno, str(record.msg), record.lineno)
        now = self._clock()
        with self._lock:
            seen = self._places.get(place)
            if seen is None or now - seen.start >= self.window:
                self._places[place] = _Window(now)
                if seen is not None and seen.suppressed:
                    record.suppressed = seen.suppressed
                return True
            if seen.written < self.burst:
                seen.written += 1
                return True
            seen.suppressed += 1
            return False


def configure_logging(service: str, level: str | int = "INFO") -> None:
    """Send all logs as redacted JSON lines to stderr (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kokuho", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    handler.addFilter(RepeatedWarnings())
    handler._kokuho = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
