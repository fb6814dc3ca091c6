"""延滞金 (late charges) and 還付加算金 (refund interest): simple interest by day at the rate of
each calendar year, on a base floored to the unit, the sum floored to the unit and dropped
below the minimum (rules.md §4.3, §4.4; the figures are parameters).

- 延滞金 (地方自治法231条の3(2) and the city's ordinance, 地方税の例): from the day after the
  納期限 (or, where the city says so, after the 督促状's 指定期限) to the day of payment, both
  included; the early rate until the day the early period (``early_months`` after the 納期限)
  ends, the later rate after it; the unpaid principal of each day (a payment counts from the day
  after it); always ``days_in_year`` (365) days, also in a leap year; nothing when the charge is
  under the premium minimum.
- 還付加算金 (地方税法17条の4(1)(i), as Hiroshima applies it): from the day after the payment to
  the day the refund is decided, both included, at the refund rate of each calendar year.

The exact sum (integers over the rates' common denominator) is rounded once, at the end.
"""

from __future__ import annotations

import calendar
import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from kokuho.collection.domain.parameters import CollectionRules, Rounding, YearRates

ONE_DAY = timedelta(days=1)


@functools.lru_cache(maxsize=4096)  # a payment file asks it per line, of a few due dates
def add_months(day: date, months: int) -> date:
    """The corresponding day ``months`` later, the month's last day when there is none."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Span:
    """Days ``first``..``last`` (both included) on one base at one rate."""

    first: date
    last: date
    base: int
    rate: Decimal

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _cuts(first: date, last: date, extra: Sequence[date]) -> list[date]:
    """The days a span starts on: ``first``, each 1 January and each ``extra`` day in between."""
    starts = {first}
    starts.update(date(y, 1, 1) for y in range(first.year + 1, last.year + 1))
    starts.update(d for d in extra if first < d <= last)
    return sorted(starts)


def spans(
    first: date,
    last: date,
    base_on: Callable[[date], int],
    rate_on: Callable[[date], Decimal],
    breaks: Sequence[date] = (),
) -> list[Span]:
    """Split ``first``..``last`` where the year, the base or the rate may change (``breaks``:
    the days the base or the rate changes on)."""
    if last < first:
        return []
    starts = _cuts(first, last, breaks)
    ends = [d - ONE_DAY for d in starts[1:]] + [last]
    return [Span(s, e, base_on(s), rate_on(s)) for s, e in zip(starts, ends, strict=True)]


def total(items: Sequence[Span], rounding: Rounding, days_in_year: int) -> int:
    # Exact in integers: each rate is n/d (a decimal, so d is a power of ten); over the common
    # denominator the sum of base * rate * days / days_in_year is one integer division, the
    # same floor a Fraction sum gives, at a fraction of its cost (the payment file runs this
    # per line).
    ratios = [s.rate.as_integer_ratio() for s in items]
    common = math.lcm(*(d for _, d in ratios)) if ratios else 1
    numerator = sum(
        s.base // rounding.base_unit * rounding.base_unit * n * (common // d) * s.days
        for s, (n, d) in zip(items, ratios, strict=True)
    )
    whole = numerator // (common * days_in_year)
    amount = whole // rounding.unit * rounding.unit if rounding.unit else whole
    return 0 if amount < rounding.minimum else amount


@functools.lru_cache(maxsize=256)
def _highest_rate(years: tuple[YearRates, ...]) -> tuple[int, int]:
    """The highest 延滞金 rate of ``years`` as a fraction (numerator, denominator)."""
    return max(max(y.early, y.later) for y in years).as_integer_ratio()


#: ``_highest_rate`` of the rules' years by (the rules' id, first year, last year), each with
#: the rules it was computed for: building and hashing the years' rates cost more than the
#: rest of ``_below_minimum``, which a payment file asks per line.
_HIGHEST: dict[tuple[int, int, int], tuple[CollectionRules, tuple[int, int]]] = {}


def _highest_rate_of(rules: CollectionRules, first: int, last: int) -> tuple[int, int]:
    key = (id(rules), first, last)
    found = _HIGHEST.get(key)
    if found is not None and found[0] is rules:  # held here, so the id is still this rules'
        return found[1]
    # every year's rates looked up: a year without them is refused as the full sum refuses it
    rate = _highest_rate(tuple(rules.year(y) for y in range(first, last + 1)))
    if len(_HIGHEST) >= 256:
        _HIGHEST.clear()
    _HIGHEST[key] = (rules, rate)
    return rate


def _below_minimum(
    amount: int,
    ordered: Sequence[tuple[date, int]],
    first: date,
    until: date,
    rules: CollectionRules,
) -> bool:
    """Whether even the largest base at the highest rate of the years counted, for every day,
    stays under the minimum: then the exact sum does too and is 0. Most instalments paid late
    are small (the payment file asks this per line); the years' rates are still looked up, so a
    year without rates is refused as the full computation would refuse it."""
    rounding = rules.late_charge
    running, lowest = 0, 0
    for _, yen in ordered:  # a reversal (negative) may lift the base above the charge
        running += yen
        lowest = min(lowest, running)
    base = max(0, amount - lowest) // rounding.base_unit * rounding.base_unit
    n, d = _highest_rate_of(rules, first.year, until.year)
    days = (until - first).days + 1
    bound = base * n * days // (d * rules.days_in_year)
    return (
        bound // rounding.unit * rounding.unit < rounding.minimum
        if rounding.unit
        else bound < rounding.minimum
    )


def late_charge(
    amount: int,
    due_date: date,
    payments: Sequence[tuple[date, int]],
    until: date,
    rules: CollectionRules,
    designated_deadline: date | None = None,
) -> int:
    """延滞金 on a charge of ``amount`` due on ``due_date``, paid by ``payments`` (day, yen),
    counted to ``until`` (the day of payment, or the day asked about)."""
    if amount < rules.late_charge.premium_minimum:
        return 0
    only_later = rules.late_charge_start == "after_designated_deadline"
    if only_later:
        if designated_deadline is None:
            return 0
        first = designated_deadline + ONE_DAY
    else:
        first = due_date + ONE_DAY
    if until < first:
        return 0
    ordered = sorted(payments)
    if _below_minimum(amount, ordered, first, until, rules):
        return 0
    early_last = add_months(due_date, rules.early_months)

    def base_on(day: date) -> int:
        return max(0, amount - sum(yen for paid, yen in ordered if paid < day))

    def rate_on(day: date) -> Decimal:
        year = rules.year(day.year)
        return year.later if only_later or day > early_last else year.early

    breaks = [paid + ONE_DAY for paid, _ in ordered] + [early_last + ONE_DAY]
    return total(
        spans(first, until, base_on, rate_on, breaks), rules.late_charge, rules.days_in_year
    )


def refund_interest(
    pieces: Sequence[tuple[date, int]], decided_on: date, rules: CollectionRules
) -> int:
    """還付加算金 on the refunded ``pieces`` (the day each was paid, yen) to ``decided_on``."""

    def rate_on(day: date) -> Decimal:
        return rules.year(day.year).refund

    items: list[Span] = []
    for paid_on, yen in pieces:

        def base_on(_day: date, base: int = yen) -> int:
            return base

        items.extend(spans(paid_on + ONE_DAY, decided_on, base_on, rate_on))
    return total(items, rules.refund_interest, rules.days_in_year)
