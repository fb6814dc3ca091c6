"""The payment file (領収済通知 data from banks and 収納代行 results from convenience stores),
validated line by line. Format in the service README ("Payment file format"):

    notice_number,amount,paid_on,channel,reference

The first line is that header. ``notice_number`` is the 17-digit 納付番号 printed on each
instalment of assessment's notice and carried by ``PremiumAssessed`` (the format and its check
digit: ``kokuho.events.contracts.payment_numbers``). The parser returns the
valid lines *and* every refused line with its number and reason; the caller applies nothing
while a line is refused unless the operator explicitly applies the valid part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kokuho.events.contracts.payment_numbers import parse_payment_number, payment_number

FILE_CHANNELS = ("bank", "convenience_store")
HEADER = "notice_number,amount,paid_on,channel,reference"
MAX_YEN = 300_000  # one convenience-store slip pays at most 300,000円 (rules.md §4.7 [C24])
MAX_BANK_YEN = 100_000_000
MAX_LINES = 1_000_000
_REFERENCE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
_AMOUNT = re.compile(r"^[1-9][0-9]{0,8}$")


def notice_number(fiscal_year: int, household: str, period: int) -> str:
    """The 納付番号 assessment prints on the instalment's slip (contracts.payment_numbers)."""
    return payment_number(fiscal_year, household, period)


@dataclass(frozen=True)
class PaymentLine:
    line: int
    fiscal_year: int
    household: str
    period: int
    amount: int
    paid_on: date
    channel: str
    reference: str


@dataclass(frozen=True)
class RefusedLine:
    line: int
    field: str | None
    reason: str


@dataclass(frozen=True)
class ParsedPaymentFile:
    lines: int
    valid: list[PaymentLine]
    refused: list[RefusedLine]


def parse_line(number: int, text: str, today: date) -> PaymentLine | RefusedLine:
    fields = text.split(",")
    if len(fields) != 5:
        return RefusedLine(number, None, f"has {len(fields)} fields, expected 5")
    notice, amount, paid, channel, reference = map(str.strip, fields)
    parsed = parse_payment_number(notice)
    if isinstance(parsed, str):
        return RefusedLine(number, "notice_number", parsed)
    if channel not in FILE_CHANNELS:
        return RefusedLine(number, "channel", f"is not one of {', '.join(FILE_CHANNELS)}")
    limit = MAX_YEN if channel == "convenience_store" else MAX_BANK_YEN
    if not _AMOUNT.match(amount) or int(amount) > limit:
        return RefusedLine(number, "amount", f"is not whole yen from 1 to {limit:,}")
    try:
        paid_on = date.fromisoformat(paid)
    except ValueError:
        return RefusedLine(number, "paid_on", "is not a date YYYY-MM-DD")
    if paid_on > today:
        return RefusedLine(number, "paid_on", "is after today")
    if not _REFERENCE.match(reference):
        return RefusedLine(number, "reference", "is not 1-32 letters, digits or '-'")
    fiscal_year, household, period = parsed
    return PaymentLine(
        number, fiscal_year, household, period, int(amount), paid_on, channel, reference
    )


def parse_payment_file(text: str, today: date) -> ParsedPaymentFile:
    rows = text.splitlines()
    if not rows or rows[0].strip().lstrip("\ufeff") != HEADER:
        return ParsedPaymentFile(0, [], [RefusedLine(1, None, f"the header is not {HEADER}")])
    if len(rows) - 1 > MAX_LINES:
        return ParsedPaymentFile(
            len(rows) - 1, [], [RefusedLine(1, None, f"more than {MAX_LINES:,} lines")]
        )
    valid: list[PaymentLine] = []
    refused: list[RefusedLine] = []
    seen: dict[tuple[str, str], int] = {}
    count = 0
    for number, text_line in enumerate(rows[1:], start=2):
        if not text_line.strip():
            continue
        count += 1
        result = parse_line(number, text_line, today)
        if isinstance(result, RefusedLine):
            refused.append(result)
            continue
        key = (result.channel, result.reference)
        if key in seen:
            refused.append(
                RefusedLine(number, "reference", f"repeats the reference of line {seen[key]}")
            )
            continue
        seen[key] = number
        valid.append(result)
    return ParsedPaymentFile(count, valid, refused)
