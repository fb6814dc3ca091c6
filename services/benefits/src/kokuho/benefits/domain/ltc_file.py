"""The long-term-care insurer's file for 高額介護合算療養費 (``KKH-KGS`` v1, README): each
member's LTC self-pay of the period ending on the base date July 31 (after 高額介護サービス費),
validated line by line, all or nothing. Pure.

    H,KKH-KGS,1,<file date YYYY-MM-DD>,<base date YYYY-07-31>
    D,<NHI household number>,<addressee number>,<LTC insurer number, 6 digits>,<self-pay yen>
    T,<number of D lines>
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kokuho.benefits.domain.errors import BenefitsError

_TEN = re.compile(r"^[0-9]{10}$")
_INSURER = re.compile(r"^[0-9]{6}$")
_YEN = re.compile(r"^[0-9]{1,10}$")
MAX_LINES = 500_000


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str


class LtcFileRefused(BenefitsError):
    """The file has bad lines: nothing of it is applied (each line named)."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(f"content: {len(errors)} line(s) refused, nothing applied")
        self.errors = errors


class LtcFileAlreadyReceived(BenefitsError):
    status = 409


@dataclass(frozen=True)
class LtcSelfPay:
    nhi_household_number: str
    addressee_number: str
    ltc_insurer: str
    amount: int


@dataclass(frozen=True)
class LtcFile:
    file_date: date
    base_date: date
    rows: tuple[LtcSelfPay, ...]


def _header(fields: list[str]) -> tuple[date, date] | str:
    if len(fields) != 5 or fields[:3] != ["H", "KKH-KGS", "1"]:
        return "the header must be H,KKH-KGS,1,<file date>,<base date>"
    try:
        file_date, base_date = date.fromisoformat(fields[3]), date.fromisoformat(fields[4])
    except ValueError:
        return "the header's dates must be YYYY-MM-DD"
    if (base_date.month, base_date.day) != (7, 31):
        return "the base date must be July 31"
    if file_date <= base_date:
        return "the file date must come after the base date"
    return file_date, base_date


def _detail(fields: list[str]) -> LtcSelfPay | str:
    if len(fields) != 5:
        return f"a D line has 5 fields, found {len(fields)}"
    _, household, person, insurer, amount = fields
    if not _TEN.match(household):
        return "the NHI household number must be 10 digits"
    if not _TEN.match(person):
        return "the addressee number must be 10 digits"
    if not _INSURER.match(insurer):
        return "the LTC insurer number must be 6 digits"
    if not _YEN.match(amount):
        return "the self-pay must be whole yen, 0 or more"
    return LtcSelfPay(household, person, insurer, int(amount))


def read_ltc_file(text: str) -> LtcFile:
    """Every line checked; :class:`LtcFileRefused` names each bad one."""
    lines = text.removeprefix("\ufeff").splitlines()
    errors: list[LineError] = []
    if not lines:
        raise LtcFileRefused([LineError(1, "the file is empty")])
    head = _header(lines[0].split(","))
    if isinstance(head, str):
        errors.append(LineError(1, head))
    rows: list[LtcSelfPay] = []
    seen: set[tuple[str, str]] = set()
    trailer: int | None = None
    details = 0
    for number, line in enumerate(lines[1:], start=2):
        if number > MAX_LINES:
            errors.append(LineError(number, f"more than {MAX_LINES} lines"))
            break
        fields = line.split(",")
        if trailer is not None:
            errors.append(LineError(number, "a line after the trailer"))
        elif fields[0] == "D":
            details += 1
            row = _detail(fields)
            if isinstance(row, str):
                errors.append(LineError(number, row))
            elif (row.nhi_household_number, row.addressee_number) in seen:
                errors.append(LineError(number, "the same member twice"))
            else:
                seen.add((row.nhi_household_number, row.addressee_number))
                rows.append(row)
        elif fields[0] == "T" and len(fields) == 2 and fields[1].isdigit():
            trailer = int(fields[1])
            if trailer != details:
                errors.append(LineError(number, f"the trailer counts {trailer} D lines"))
        else:
            errors.append(LineError(number, "a line is H, D or T"))
    if trailer is None:
        errors.append(LineError(len(lines) + 1, "the trailer T,<count> is missing"))
    if errors or isinstance(head, str):
        raise LtcFileRefused(errors)
    return LtcFile(head[0], head[1], tuple(rows))
