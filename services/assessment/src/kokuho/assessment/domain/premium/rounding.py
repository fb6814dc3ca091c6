"""Rounding and caps (rules.md 2.1, 5b): amounts are cut (切捨て) to the city's units, the
reduced 均等割 per member or on the household's sum, each component to its rounding unit before
its cap (賦課限度額, 国民健康保険法施行令29条の7) unless the city rounds the total instead.

All money is integer yen or :class:`~decimal.Decimal`; no binary float is ever involved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from kokuho.assessment.domain.parameters import Conventions

ZERO = Decimal(0)
ONE = Decimal(1)


def floor_to(value: Decimal | int, unit: int = 1) -> int:
    """Cut ``value`` down to a multiple of ``unit`` yen (切捨て)."""
    if isinstance(value, int):
        return value // unit * unit
    quotient = value // unit  # Decimal division truncates toward zero
    if value < 0 and quotient * unit != value:
        quotient -= 1
    return int(quotient) * unit


def _per_member(values: Sequence[Decimal]) -> int:
    return sum(floor_to(v) for v in values)


def _on_the_household(values: Sequence[Decimal]) -> int:
    return floor_to(sum(values, ZERO))


#: conventions.reduced_levy_rounding: how reduced 均等割 amounts are cut to the yen.
REDUCED_LEVY_ROUNDING: dict[str, Callable[[Sequence[Decimal]], int]] = {
    "per_member": _per_member,
    "household": _on_the_household,
}


def round_reduced(values: Sequence[Decimal], method: str) -> int:
    """The reduced levies of the members in whole yen, by the city's method: a required choice
    of every city file (no default; the parser refuses a file without it, ADR 0036)."""
    return REDUCED_LEVY_ROUNDING[method](values)


def round_component(subtotal: int, conventions: Conventions) -> int:
    """A component's subtotal cut to the rounding unit, where the city rounds per component
    (otherwise the total is rounded, see :func:`round_total`)."""
    if conventions.rounding_level == "component":
        return floor_to(subtotal, conventions.rounding_unit)
    return subtotal


def round_total(total: int, conventions: Conventions) -> int:
    if conventions.rounding_level == "total":
        return floor_to(total, conventions.rounding_unit)
    return total


def capped(rounded: int, cap: int) -> int:
    """The cap comes after reductions and rounding (rules.md 5b)."""
    return min(rounded, cap)
