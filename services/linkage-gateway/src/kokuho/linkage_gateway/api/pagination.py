"""Opaque cursors for ``limit`` + ``cursor`` pagination (api.md)."""

from __future__ import annotations

import base64

from kokuho.platform.problems import Problem


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        kind, _, value = text.partition(":")
        if kind != "id" or not value.isdigit() or len(value) > 18:
            raise ValueError(text)
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise Problem(
            422, "invalid-cursor", detail="The cursor is not one this API issued."
        ) from None
