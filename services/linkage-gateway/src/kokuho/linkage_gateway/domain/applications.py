"""E-application intake rules (申請管理): which procedures we take, and what of an application
may travel on (the individual number never does)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")
_ADDRESSEE_NUMBER = re.compile(r"[0-9]{10}")  # 宛名番号, as every service takes it


class ApplicationRejected(Exception):
    """Why an application was not accepted; ``code`` is the status sent to the portal."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


def certificate_holder(addressee_number: str | None) -> str:
    """The addressee number the resident-record system gave for a certificate serial, if it is
    one: 10 ASCII digits, the only form the other services (and our own API) take. Anything
    else is refused rather than carried on to an event or a record."""
    if addressee_number is None:
        raise ApplicationRejected("unknown-certificate", "no resident holds this certificate")
    if not _ADDRESSEE_NUMBER.fullmatch(addressee_number):
        raise ApplicationRejected(
            "unknown-certificate",
            "the resident-record system answered no well-formed addressee number (10 digits)",
        )
    return addressee_number


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    affair: str
    answer_fields: frozenset[str]


#: Procedures taken from the portal. Our codes: the portal's real codes are not in the source.
PROCEDURES: Mapping[str, Procedure] = {
    "NHI-NO-INCOME-DECLARATION": Procedure(
        "NHI-NO-INCOME-DECLARATION",
        "国民健康保険 所得なし申告",
        "assessment",
        frozenset({"fiscal_year", "no_income", "circumstances"}),
    ),
}


def procedure_of(code: str) -> Procedure:
    try:
        return PROCEDURES[code]
    except KeyError:
        raise ApplicationRejected("unknown-procedure", f"procedure {code!r} is not taken") from None


def de_identified_answers(
    procedure: Procedure, answers: Mapping[str, Any]
) -> dict[str, str | int | bool | None]:
    """The answers the affair needs, without the individual number (C-01) and nothing else."""
    out: dict[str, str | int | bool | None] = {}
    for name in sorted(procedure.answer_fields):
        value = answers.get(name)
        if value is not None and not isinstance(value, (str, int, bool)):
            raise ApplicationRejected("malformed-answers", f"{name} is not a plain value")
        if isinstance(value, (str, int)) and _TWELVE_DIGITS.search(str(value)):
            raise ApplicationRejected("malformed-answers", f"{name} holds a 12-digit number")
        out[name] = value
    return out
