"""The monthly co-payment limits (自己負担限度額) of 高額療養費, effective-dated by 診療月.

One :class:`LimitTable` per parameter file (``kokuho/benefits/parameters/high-cost-*.toml``),
each figure kept with its source and confidence mark (rules.md §3.1, §3.2, §3.3, §3.6, §3.8).
A :class:`LimitSchedule` picks the table in force for a treatment month; a month before the
first table is refused (:class:`NoLimitsForMonth`), never guessed.

Formulas (rules.md §3.1, §3.2, §5b):

- a household limit is ``base + max(0, medical cost - threshold) x 1%``, the 1% term rounded
  half-up to the yen, or a flat ``base`` where the table has no threshold; from the 4th month
  with 高額療養費 in 12 months (多数回該当) the flat ``many_times`` amount where the category
  has one;
- a *fraction* of a limit (1/2 in the month of an in-prefecture move, 1/2 for a member in the
  month of turning 75, 1/4 for both; rules.md §3.3) halves the base, the threshold and the
  flat amounts; the 1% rate stays. This is how the published 75歳到達月 tables read (e.g. ウ
  40,050 + (医療費 − 133,500) × 1%): ◐ derived from [B12], [B14].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction

from kokuho.benefits.domain.errors import NoLimitsForMonth

FULL = Fraction(1)
HALF = Fraction(1, 2)


class Under70Category(StrEnum):
    """所得区分 of a household's under-70 members (rules.md §3.1, 旧ただし書き所得)."""

    A = "a"  # ア  > 901万
    I = "i"  # noqa: E741  イ  600万 < x ≤ 901万
    U = "u"  # ウ  210万 < x ≤ 600万
    E = "e"  # エ  ≤ 210万 (課税世帯)
    O = "o"  # noqa: E741  オ  住民税非課税世帯


class ElderlyCategory(StrEnum):
    """所得区分 of a household's 70–74 members (前期高齢者, rules.md §3.2)."""

    ACTIVE_3 = "active_3"  # 現役並みⅢ 課税所得 ≥ 690万
    ACTIVE_2 = "active_2"  # 現役並みⅡ 380万 ≤ x < 690万
    ACTIVE_1 = "active_1"  # 現役並みⅠ 145万 ≤ x < 380万
    GENERAL = "general"  # 一般
    LOW_2 = "low_2"  # 低所得Ⅱ
    LOW_1 = "low_1"  # 低所得Ⅰ


#: highest first: a category earlier in the list never gets a lower limit
UNDER_70_ORDER = tuple(Under70Category)
ELDERLY_ORDER = tuple(ElderlyCategory)

LABELS: Mapping[str, str] = {
    "a": "ア",
    "i": "イ",
    "u": "ウ",
    "e": "エ",
    "o": "オ",
    "active_3": "現役並みⅢ",
    "active_2": "現役並みⅡ",
    "active_1": "現役並みⅠ",
    "general": "一般",
    "low_2": "低所得Ⅱ",
    "low_1": "低所得Ⅰ",
}


@dataclass(frozen=True)
class Figure:
    """One figure of a parameter file: its value, mark, source and whether it is the city's
    configuration (an unconfirmed figure always is)."""

    value: object
    mark: str
    source: str
    configuration: bool = False


def one_percent(excess: int) -> int:
    """``excess x 1%`` rounded half-up to the yen (rules.md §5b); nothing below the threshold."""
    return (excess + 50) // 100 if excess > 0 else 0


def scaled(amount: int, fraction: Fraction) -> int:
    """``amount x fraction`` in whole yen (the published halves and quarters are whole)."""
    exact = amount * fraction
    return exact.numerator // exact.denominator


@dataclass(frozen=True)
class Limit:
    """A household (or 70–74 household) limit: ``base + (cost − threshold) × 1%`` or flat."""

    base: int
    threshold: int | None
    many_times: int | None

    def amount(self, medical_cost: int, *, many_times: bool, fraction: Fraction = FULL) -> int:
        if many_times and self.many_times is not None:
            return scaled(self.many_times, fraction)
        base = scaled(self.base, fraction)
        if self.threshold is None:
            return base
        return base + one_percent(medical_cost - scaled(self.threshold, fraction))

    def formula(self, *, many_times: bool, fraction: Fraction = FULL) -> str:
        if many_times and self.many_times is not None:
            return f"{scaled(self.many_times, fraction):,}円 (多数回)"
        base = scaled(self.base, fraction)
        if self.threshold is None:
            return f"{base:,}円"
        return f"{base:,}円 + (医療費 − {scaled(self.threshold, fraction):,}円) × 1%"


@dataclass(frozen=True)
class ElderlyLimits:
    """The limits of one 70–74 category: the household limit, and for 一般 and 低所得 the
    individual outpatient limit (外来特例) with its Aug–Jul annual cap where one is set."""

    household: Limit
    outpatient: int | None
    outpatient_annual_cap: int | None = None


@dataclass(frozen=True)
class LimitTable:
    """The limits in force from ``effective_from`` (a treatment month) to the next table."""

    effective_from: date
    name: str
    under_70: Mapping[Under70Category, Limit]
    elderly: Mapping[ElderlyCategory, ElderlyLimits]
    #: 年間上限 by category code (from 2026-08; ❌ configuration), household borne per year
    annual_caps: Mapping[str, int]
    floor_under_70: int
    many_times_after: int
    figures: Mapping[str, Figure] = field(default_factory=dict, compare=False)

    def cite(self, name: str) -> str:
        """``name (mark, source)`` for an explanation step."""
        fig = self.figures.get(name)
        if fig is None:
            return f"{self.name}: {name}"
        config = ", configuration" if fig.configuration else ""
        return f"{self.name}: {name} ({fig.mark}{config}; {fig.source})"


@dataclass(frozen=True)
class LimitSchedule:
    """Every table, each in force from its treatment month until the next one."""

    tables: tuple[LimitTable, ...]

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.tables, key=lambda t: t.effective_from))
        object.__setattr__(self, "tables", ordered)

    def for_month(self, treatment_month: date) -> LimitTable:
        month = treatment_month.replace(day=1)
        in_force = [t for t in self.tables if t.effective_from <= month]
        if not in_force:
            raise NoLimitsForMonth(
                f"treatment_month: no high-cost limits in force for {month:%Y-%m}"
            )
        return in_force[-1]
