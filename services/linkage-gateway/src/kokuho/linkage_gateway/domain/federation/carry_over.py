"""Monthly high-cost carry-over lists (高額該当の引き継ぎ: 継続候補世帯リスト /
継続世帯確定リスト), ``KKH-KGK`` v1::

    H,KKH-KGK,1,<file date>,<candidate|confirmed>,<target month YYYY-MM>
    D,<household 10>,<householder addressee 10>,<previous insurer 6|8>,<months 0-12>,<YYYY-MM>
    T,<number of D lines>

All or nothing, like the continuation file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kokuho.linkage_gateway.domain.federation.records import (
    TEN_DIGITS,
    VERSION,
    LineError,
    parse_date,
    read_file,
)

CARRY_OVER_FORMAT = "KKH-KGK"
CARRY_OVER_KINDS = ("candidate", "confirmed")  # 継続候補世帯リスト / 継続世帯確定リスト
_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
_INSURER = re.compile(r"^[0-9]{6}$|^[0-9]{8}$")


@dataclass(frozen=True)
class CarryOverHousehold:
    line: int
    nhi_household_number: str
    householder_addressee_number: str
    previous_insurer_number: str
    high_cost_months: int  # months with high-cost benefits in the last 12 (多数回該当)
    last_high_cost_month: str  # YYYY-MM


@dataclass(frozen=True)
class CarryOverList:
    file_date: date
    kind: str
    target_month: str
    households: tuple[CarryOverHousehold, ...]


@dataclass(frozen=True)
class _Header:
    file_date: date | None = None
    kind: str = ""
    month: str = ""


def _header(fields: list[str], errors: list[LineError]) -> _Header:
    if len(fields) != 6 or fields[0] != "H":
        errors.append(LineError(1, "the first line must be the header H,KKH-KGK,1,date,kind,month"))
        return _Header()
    if fields[1] != CARRY_OVER_FORMAT or fields[2] != VERSION:
        errors.append(LineError(1, f"unknown format {fields[1]!r} version {fields[2]!r}"))
        return _Header()
    file_date = parse_date(fields[3], "the file date", errors, 1)
    kind, month = fields[4], fields[5]
    if kind not in CARRY_OVER_KINDS:
        errors.append(LineError(1, f"list kind must be one of {list(CARRY_OVER_KINDS)}"))
    if not _MONTH.match(month):
        errors.append(LineError(1, "the target month is not YYYY-MM"))
    return _Header(file_date, kind, month)


def _field_errors(fields: list[str]) -> list[str]:
    _, household, head, insurer, months, last = fields
    checks = (
        (TEN_DIGITS.match(household), "nhi_household_number must be 10 digits"),
        (TEN_DIGITS.match(head), "householder_addressee_number must be 10 digits"),
        (_INSURER.match(insurer), "previous_insurer_number must be 6 or 8 digits"),
        (months.isdigit() and 0 <= int(months) <= 12, "high_cost_months must be 0 to 12"),
        (_MONTH.match(last), "last_high_cost_month is not YYYY-MM"),
    )
    return [reason for ok, reason in checks if not ok]


class _Households:
    """The ``D`` lines: each valid line becomes a household; a household may appear once."""

    def __init__(self, errors: list[LineError]) -> None:
        self.errors = errors
        self.households: list[CarryOverHousehold] = []
        self.seen: dict[str, int] = {}

    def __call__(self, fields: list[str], number: int) -> None:
        errors = self.errors
        if len(fields) != 6:
            errors.append(LineError(number, f"a D line has 6 fields, not {len(fields)}"))
            return
        _, household, head, insurer, months, last = fields
        bad = len(errors)
        errors += [LineError(number, reason) for reason in _field_errors(fields)]
        if household in self.seen:
            errors.append(LineError(number, f"the household repeats line {self.seen[household]}"))
        if len(errors) == bad:
            self.seen[household] = number
            self.households.append(
                CarryOverHousehold(number, household, head, insurer, int(months), last)
            )


def parse_carry_over_list(text: str) -> CarryOverList:
    """Validate every line of a ``KKH-KGK`` list; refuse it whole if any line is wrong."""
    errors: list[LineError] = []
    households = _Households(errors)
    header = read_file(text, _header, households, errors)
    assert header.file_date is not None
    return CarryOverList(header.file_date, header.kind, header.month, tuple(households.households))
