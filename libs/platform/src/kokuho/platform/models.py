"""The one request base and the one response base of every service's API.

``RequestModel`` is closed (an unknown field is a 422 naming it) and refuses control
characters in every string, however deeply nested, naming the field: PostgreSQL cannot store
NUL and no form has control characters other than line breaks, so they are refused here rather
than failing half way through a write. ``ResponseModel`` builds from attributes, so a read
returns ``ThingOut.model_validate(stored)`` and OpenAPI shows every response's fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator

ALLOWED_CONTROLS = frozenset("\t\n\r")


def has_control_characters(value: object) -> bool:
    """True when a string (or one inside a list, tuple, set or mapping) has a control
    character other than tab and line breaks (C0, DEL)."""
    if isinstance(value, str):
        return any(
            (ord(ch) < 0x20 and ch not in ALLOWED_CONTROLS) or ord(ch) == 0x7F for ch in value
        )
    if isinstance(value, Mapping):
        return any(has_control_characters(k) or has_control_characters(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(has_control_characters(v) for v in value)
    return False


class RequestModel(BaseModel):
    """Base of every request body (closed, immutable, no control characters)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        if has_control_characters(value):
            raise ValueError("control characters are not allowed")
        return value


class ResponseModel(BaseModel):
    """Base of every response body, built with ``model_validate(obj, from_attributes=True)``."""

    model_config = ConfigDict(from_attributes=True)


ItemT = TypeVar("ItemT")


class Page(ResponseModel, Generic[ItemT]):
    """One page of a list (``limit`` + opaque ``cursor``, api.md)."""

    items: list[ItemT]
    next_cursor: str | None = None
