"""Opaque cursors for ``limit`` + ``cursor`` pagination (api.md), the same in every service.

A cursor is the position after which the next page starts (an id, a number, a key),
base64url-encoded JSON. A cursor the API did not issue (not base64, not JSON, or a position of
another form than the list's) is answered everywhere with the same problem: 400
``invalid-cursor``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

from kokuho.platform.problems import Problem

#: Position forms the services page by.
UUID_POSITION = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
NUMBER_POSITION = r"[0-9]{1,18}"


def invalid_cursor() -> Problem:
    return Problem(400, "invalid-cursor", detail="The cursor is not one this API issued.")


def encode_cursor(position: str | int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": position}).encode()).decode()


def decode_cursor(cursor: str | None, *, position: str) -> str | None:
    """The position ``cursor`` stands for (None for the first page); ``position`` is the
    regular expression the list's positions match."""
    if cursor is None:
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise invalid_cursor() from None
    value = decoded.get("after") if isinstance(decoded, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise invalid_cursor()
    text = str(value)
    if not re.fullmatch(position, text):
        raise invalid_cursor()
    return text


def next_cursor(positions: list[str] | list[int], limit: int) -> str | None:
    """The cursor of the next page: after the last position, when the page was full."""
    return encode_cursor(positions[-1]) if positions and len(positions) >= limit else None
