"""特別徴収 (pension deduction): the deductions as charges and the pension insurer's results.

Under 特別徴収 the six deductions of a fiscal year are the household's instalments: pension
months 4, 6, 8 (仮徴収), 10, 12, 2 (本徴収) are periods 1-6 (rules.md §2.6), each due on the
10th of the month after the pension month, the day the insurer pays the city what it deducted
(地方税法321条の7の5 / 介護保険法137条 by analogy: ◐). Assessment never issues 普通徴収
instalments in a year it collects by 特別徴収, so the periods do not meet.

The results file (README "Pension deduction results file"), one line an instalment:

    household,fiscal_year,pension_month,amount,result,reason,deducted_on,reference

``deducted`` pays the instalment (channel ``pension``); ``stopped`` leaves it owed and moves it
to ordinary collection: the charge stays, due at the end of the month after the result, with
an ordinary payment slip (``PensionDeductionStopped``).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from kokuho.collection.domain.events import ChargeSet, Event, PensionDeductionStopped
from kokuho.collection.domain.ledger import Ledger

MONTHS = (4, 6, 8, 10, 12, 2)
HEADER = "household,fiscal_year,pension_month,amount,result,reason,deducted_on,reference"
RESULTS = ("deducted", "stopped")
REASONS = ("death", "moved", "pension_stopped", "amount_changed", "other")
_HOUSEHOLD = re.compile(r"^[0-9]{10}$")
_REFERENCE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
_AMOUNT = re.compile(r"^[1-9][0-9]{0,8}$")


def period_of(month: int) -> int:
    return MONTHS.index(month) + 1


def due_date(fiscal_year: int, month: int) -> date:
    """The 10th of the month after the pension month."""
    year = fiscal_year + 1 if month < 4 else fiscal_year
    return date(year + (month == 12), month % 12 + 1, 10)


def ordinary_due(today: date) -> date:
    """A stopped deduction's new 納期限: the end of the next month (a slip needs time)."""
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class PensionLine:
    line: int
    household: str
    fiscal_year: int
    month: int
    amount: int
    result: str
    reason: str
    deducted_on: date | None
    reference: str

    @property
    def period(self) -> int:
        return period_of(self.month)


@dataclass(frozen=True)
class Refused:
    line: int
    field: str | None
    reason: str


def parse_line(number: int, text: str, today: date) -> PensionLine | Refused:
    fields = [f.strip() for f in text.split(",")]
    if len(fields) != 8:
        return Refused(number, None, f"has {len(fields)} fields, expected 8")
    household, year, month, amount, result, reason, day, reference = fields
    if not _HOUSEHOLD.match(household):
        return Refused(number, "household", "is not 10 digits")
    if not (year.isdigit() and 2000 <= int(year) <= 2100):
        return Refused(number, "fiscal_year", "is not a year 2000-2100")
    if not (month.isdigit() and int(month) in MONTHS):
        return Refused(number, "pension_month", "is not 4, 6, 8, 10, 12 or 2")
    if not _AMOUNT.match(amount):
        return Refused(number, "amount", "is not whole yen from 1")
    if result not in RESULTS:
        return Refused(number, "result", "is not deducted or stopped")
    if (result == "stopped") != (reason in REASONS):
        return Refused(number, "reason", f"a stop names one of {', '.join(REASONS)}, else empty")
    deducted_on: date | None = None
    if result == "deducted":
        try:
            deducted_on = date.fromisoformat(day)
        except ValueError:
            return Refused(number, "deducted_on", "is not a date YYYY-MM-DD")
        if deducted_on > today:
            return Refused(number, "deducted_on", "is after today")
    elif day:
        return Refused(number, "deducted_on", "a stopped deduction has no date")
    if not _REFERENCE.match(reference):
        return Refused(number, "reference", "is not 1-32 letters, digits or '-'")
    return PensionLine(
        number,
        household,
        int(year),
        int(month),
        int(amount),
        result,
        reason,
        deducted_on,
        reference,
    )


def parse(text: str, today: date) -> tuple[int, list[PensionLine], list[Refused]]:
    rows = text.splitlines()
    if not rows or rows[0].strip().lstrip("\ufeff") != HEADER:
        return 0, [], [Refused(1, None, f"the header is not {HEADER}")]
    valid: list[PensionLine] = []
    refused: list[Refused] = []
    seen: dict[str, int] = {}
    count = 0
    for number, row in enumerate(rows[1:], start=2):
        if not row.strip():
            continue
        count += 1
        parsed = parse_line(number, row, today)
        if isinstance(parsed, Refused):
            refused.append(parsed)
        elif parsed.reference in seen:
            refused.append(Refused(number, "reference", f"repeats line {seen[parsed.reference]}"))
        else:
            seen[parsed.reference] = number
            valid.append(parsed)
    return count, valid, refused


def stop(
    ledger: Ledger, line: PensionLine, source_id: str, actor: str, on: date
) -> tuple[date, list[Event]] | None:
    """The charge stays and becomes an ordinary instalment; nothing if already paid or moved."""
    charge = ledger.charge((line.fiscal_year, line.period))
    if charge is None or charge.outstanding <= 0:
        return None
    if charge.due_date != due_date(line.fiscal_year, line.month):
        return None  # moved to ordinary collection already
    new_due = ordinary_due(on)
    revision = ledger.revisions.get(line.fiscal_year, 0)
    return new_due, [
        ChargeSet(
            line.fiscal_year,
            line.period,
            new_due,
            charge.amount,
            charge.amount,
            "correction",
            source_id,
            revision,
            actor,
            None,
            on,
            "ordinary",  # moved to ordinary collection: dunned from its new 納期限
        ),
        PensionDeductionStopped(
            line.fiscal_year,
            line.period,
            line.month,
            charge.outstanding,
            line.reason,
            new_due,
            on,
        ),
    ]
