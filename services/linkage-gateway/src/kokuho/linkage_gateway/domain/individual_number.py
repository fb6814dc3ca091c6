"""The individual number (個人番号): 11 digits and a check digit.

The check digit follows the formula of the ministerial order (行政手続における特定の個人を識別する
ための番号の利用等に関する法律施行令 / 同施行規則 第5条): with the eleven digits numbered
P_n from the right (n = 1..11) and weights Q_n = n + 1 for n <= 6 and n - 5 for n >= 7,
remainder = sum(P_n * Q_n) mod 11; check digit = 0 if remainder <= 1 else 11 - remainder.
"""

from __future__ import annotations

from dataclasses import dataclass

from kokuho.platform.errors import DomainError

LENGTH = 12


class InvalidIndividualNumber(DomainError, ValueError):
    """Not a well-formed individual number; ``reason`` says why (never the number itself)."""

    slug = "invalid-individual-number"

    def __init__(self, reason: str) -> None:
        super().__init__(f"individual_number is invalid: {reason}")
        self.reason = reason


def check_digit(first_eleven: str) -> int:
    """The check digit of eleven digits (the ministerial-order formula)."""
    if len(first_eleven) != LENGTH - 1 or not first_eleven.isascii() or not first_eleven.isdigit():
        raise InvalidIndividualNumber("the check digit needs exactly 11 digits")
    digits = [int(c) for c in first_eleven]
    total = 0
    for n in range(1, LENGTH):  # n counts from the right, next to the check digit
        weight = n + 1 if n <= 6 else n - 5
        total += digits[LENGTH - 1 - n] * weight
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


@dataclass(frozen=True)
class IndividualNumber:
    """A validated individual number. ``repr`` and ``str`` show only the mask."""

    value: str

    def __post_init__(self) -> None:
        v = self.value
        if not v:
            raise InvalidIndividualNumber("it is blank")
        if len(v) != LENGTH or not v.isascii() or not v.isdigit():
            raise InvalidIndividualNumber("it must be exactly 12 ASCII digits")
        if check_digit(v[:-1]) != int(v[-1]):
            raise InvalidIndividualNumber("the check digit does not match")

    @property
    def masked(self) -> str:
        """All but the last four digits hidden (C-18: never echoed back in full)."""
        return mask(self.value)

    def __repr__(self) -> str:
        return f"IndividualNumber({self.masked})"

    def __str__(self) -> str:
        return self.masked


def mask(value: str) -> str:
    return "*" * (len(value) - 4) + value[-4:]
