"""納付番号: the number printed on each instalment's payment slip of assessment's notices, by
which banks and convenience stores report a payment and collection matches it (消込).

17 digits: fiscal year (4), NHI household number (10), instalment (2) and a modulus-10 check
digit (weights 3 and 1 alternating from the right, as GS1 barcodes use). Derived, not issued:
assessment prints it and collection recomputes it, so neither keeps a numbering table, and a
correction notice of the same instalment carries the same number. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PATTERN = r"^[0-9]{17}$"
_DIGITS = re.compile(PATTERN)


def _weighted_sum(digits: str) -> int:
    """Σ digit × weight, weights 3 and 1 alternating from the rightmost digit."""
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError("a check digit is computed over ASCII digits only")
    # Summed as bytes (each digit's code less 48) rather than a weight per digit in Python:
    # every instalment of an annual run and every line of a payment file takes one, and this
    # is 15x faster (issue 15 profiles)
    backwards = digits[::-1].encode()
    times_three, times_one = backwards[::2], backwards[1::2]
    return 3 * (sum(times_three) - 48 * len(times_three)) + sum(times_one) - 48 * len(times_one)


def check_digit(digits: str) -> int:
    """Modulus 10, weights 3 and 1 alternating from the rightmost digit (GS1)."""
    return (10 - _weighted_sum(digits) % 10) % 10


def payment_number(fiscal_year: int, household: str, period: int) -> str:
    """The 納付番号 of one instalment."""
    return payment_numbers(fiscal_year, household, (period,))[0]


#: each instalment's two digits and their weighted sum (its units digit weighs 3, its tens 1)
_PERIODS = {period: (f"{period:02d}", 3 * (period % 10) + period // 10) for period in range(1, 13)}


def payment_numbers(fiscal_year: int, household: str, periods: Iterable[int]) -> list[str]:
    """The 納付番号 of several instalments of one household and year: the same as
    :func:`payment_number` of each, the year and household summed once (an annual run makes
    ten a household; each alone cost ~2.5 µs, issue 15). The two digits of the instalment sit
    at the right, so the 14 before them keep the weights they have on their own."""
    prefix = f"{fiscal_year:04d}{household}"
    if not 2000 <= fiscal_year <= 2100 or len(prefix) != 14:
        raise ValueError("a payment number takes a year 2000-2100, 10-digit household, 1-12")
    if not (prefix.isascii() and prefix.isdigit()):
        raise ValueError("a payment number takes a 4-digit year, 10-digit household, 1-12")
    total = _weighted_sum(prefix)
    numbers = []
    for period in periods:
        found = _PERIODS.get(period)
        if found is None:
            raise ValueError("a payment number takes a year 2000-2100, 10-digit household, 1-12")
        digits, weighted = found
        numbers.append(f"{prefix}{digits}{(10 - (total + weighted) % 10) % 10}")
    return numbers


def parse_payment_number(value: str) -> tuple[int, str, int] | str:
    """(fiscal year, household, instalment), or why the value is not a payment number."""
    if not _DIGITS.match(value):
        return "is not 17 digits"
    if check_digit(value[:16]) != int(value[16]):
        return "check digit does not match"
    period = int(value[14:16])
    if not 1 <= period <= 12:
        return "instalment is not 01-12"
    return int(value[:4]), value[4:14], period
