"""The one request base and the one response base of every service's API.

``RequestModel`` is closed (an unknown field is a 422 naming it) and refuses, in every string
however deeply nested, naming the field and never echoing the value:

- control characters: PostgreSQL cannot store NUL and no form has control characters other than
  line breaks, so they are refused here rather than failing half way through a write;
- an individual number (個人番号; ``kokuho.events.individual_numbers``: NFKC, digits of any
  script, spaces or hyphens between them): only linkage-gateway holds numbers (C-18, C-19).

Two kinds of field are exempt from the number check, each declared on the field itself:
``TakesIndividualNumber`` (the gateway's vault routes, which take the number on purpose) and
``FileContent`` (an imported file whose parser refuses a number line by line, with the line).
Every other string is then stored in one written form (``kokuho.platform.text_forms``: NFKC
for width forms, so ＡＢＣ１２３ and ｶﾞ are stored as ABC123 and ガ; compatibility ideographs,
variation sequences and the ideographic space kept as entered). ``ResponseModel`` builds from
attributes, so a read
returns ``ThingOut.model_validate(stored)`` and OpenAPI shows every response's fields.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler, ValidationInfo, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from kokuho.events.individual_numbers import contains_individual_number
from kokuho.platform.text_forms import normalise

ALLOWED_CONTROLS = frozenset("\t\n\r")
INDIVIDUAL_NUMBER_REFUSED = "an individual number is not accepted here"


def _forbidden_character(ch: str) -> bool:
    """C0 controls other than tab and line breaks, DEL, C1 controls, and invisible format
    characters (category Cf: bidi overrides and isolates, zero-width spaces and joiners, BOM),
    which can make a name display as another (Trojan-source style)."""
    code = ord(ch)
    if code < 0x20:
        return ch not in ALLOWED_CONTROLS
    if code < 0x7F:
        return False
    return code <= 0x9F or unicodedata.category(ch) == "Cf"


def has_control_characters(value: object) -> bool:
    """True when a string (or one inside a list, tuple, set or mapping) has a control or an
    invisible format character (``_forbidden_character``)."""
    if isinstance(value, str):
        return any(map(_forbidden_character, value))
    if isinstance(value, Mapping):
        return any(has_control_characters(k) or has_control_characters(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(has_control_characters(v) for v in value)
    return False


#: The OpenAPI extension naming a field exempt from the individual-number check, and why.
NUMBER_CHECK_EXTENSION = "x-kokuho-individual-number"


@dataclass(frozen=True)
class NumberCheckExempt:
    """Field metadata: this field is not scanned for individual numbers, and why (shown in
    OpenAPI as ``x-kokuho-individual-number``)."""

    reason: str

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema[NUMBER_CHECK_EXTENSION] = self.reason
        return schema


#: ``Annotated[str, TakesIndividualNumber]``: the field is an individual number (gateway only).
TakesIndividualNumber = NumberCheckExempt("the field takes an individual number on purpose")
#: ``Annotated[str, FileContent]``: an imported file, checked line by line by its parser.
FileContent = NumberCheckExempt("a file whose parser refuses numbers line by line")


def _one_form(value: object) -> object:
    """Free text in its one written form (``text_forms.normalise``: NFKC for width forms,
    compatibility ideographs, variation sequences and the ideographic space kept)."""
    if isinstance(value, str):
        return normalise(value)
    if isinstance(value, list):
        return [normalise(v) if isinstance(v, str) else v for v in value]
    if isinstance(value, tuple):
        return tuple(normalise(v) if isinstance(v, str) else v for v in value)
    return value


class RequestModel(BaseModel):
    """Base of every request body (closed, immutable, no control characters, no individual
    numbers outside the fields that declare they take one)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters_or_numbers(cls, value: object, info: ValidationInfo) -> object:
        if has_control_characters(value):
            raise ValueError("control or invisible format characters are not allowed")
        field = cls.model_fields.get(info.field_name or "")
        exempt = field is not None and any(isinstance(m, NumberCheckExempt) for m in field.metadata)
        if exempt:
            return value  # a file's own parser reads it as sent; the vault's number is digits
        if contains_individual_number(value):
            raise ValueError(INDIVIDUAL_NUMBER_REFUSED)
        return _one_form(value)


class ResponseModel(BaseModel):
    """Base of every response body, built with ``model_validate(obj, from_attributes=True)``."""

    model_config = ConfigDict(from_attributes=True)


ItemT = TypeVar("ItemT")


class Page(ResponseModel, Generic[ItemT]):
    """One page of a list (``limit`` + opaque ``cursor``, api.md)."""

    items: list[ItemT]
    next_cursor: str | None = None
