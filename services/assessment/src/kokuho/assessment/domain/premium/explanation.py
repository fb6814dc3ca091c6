"""The explanation of an assessment (rules.md 2, 5b): every segment keeps its levy lines, each
line its gross amount, the reductions taken off in order, and the net amount. The notice and
the explanation endpoint render these; nothing here computes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from kokuho.assessment.domain.parameters import Component

#: 7割/5割/2割軽減 as the share of 均等割/平等割 taken off (国民健康保険法施行令29条の7).
STATUTORY_RATIOS = {7: Decimal("0.7"), 5: Decimal("0.5"), 2: Decimal("0.2"), 0: Decimal(0)}


@dataclass(frozen=True)
class Reduction:
    """One reduction applied to one levy line: its name, its rate (None for a fixed amount such
    as the 特定世帯 平等割) and the yen it took off before rounding."""

    name: str
    rate: Decimal | None
    amount: Decimal


@dataclass(frozen=True)
class LevyLine:
    """One levy of one member (or of the household for 平等割) in one component."""

    levy: str  # income_levy | asset_levy | per_capita_levy | per_household_levy
    addressee_number: str | None  # None for 平等割
    base: int  # 旧ただし書き所得, 固定資産税額, or the 均等割/平等割 amount
    rate: Decimal | None  # 所得割率/資産割率; None for fixed amounts
    gross: Decimal
    reductions: tuple[Reduction, ...]
    net: Decimal
    notes: tuple[str, ...] = ()


class ReductionJudgement(NamedTuple):
    """軽減判定: the statutory 7/5/2割 reduction of 均等割 and 平等割 for the household (a
    tuple, as :class:`Segment`: one or more a household in the annual run)."""

    level: int  # 7, 5, 2, or 0 for none
    reference_date: date
    judged_income: int  # 軽減判定所得
    heads: int  # 被保険者 + 特定同一世帯所属者
    earners: int  # 給与所得者等の数
    seventy_threshold: int
    fifty_threshold: int
    twenty_threshold: int
    incomes: tuple[tuple[str, int], ...]  # each judged person's income for the test
    reason: str | None = None  # why there is no reduction when one could apply

    @property
    def ratio(self) -> Decimal:
        return STATUTORY_RATIOS[self.level]


class Segment(NamedTuple):
    """A component for the months that share one state, as an annual amount (a tuple: four or
    five a household in the annual run, where a frozen dataclass cost ~3 µs each)."""

    months: tuple[date, ...]
    judgement: ReductionJudgement
    lines: tuple[LevyLine, ...]
    income_levy: int
    asset_levy: int
    per_capita_levy: int
    per_household_levy: int
    per_capita_reduction: int  # 軽減額: yen the statutory 7/5/2割 reduction took off 均等割
    per_household_reduction: int  # 軽減額 of 平等割
    subtotal: int
    rounded: int
    cap: int
    annual: int

    @property
    def capped(self) -> bool:
        """The cap cut something off; an amount exactly at the cap is not capped."""
        return self.rounded > self.cap


class ComponentResult(NamedTuple):
    """A component's premium for the year (a tuple, as :class:`Segment`)."""

    component: Component
    segments: tuple[Segment, ...]
    months: int  # months assessed
    amount: int  # the component's premium for the fiscal year (prorated)
    # 軽減額 for the year (prorated like the amount): yen the statutory 7/5/2割 reduction
    # took off 均等割 and 平等割 (the basis of the 保険基盤安定負担金, ADR 0080)
    per_capita_reduction: int = 0
    per_household_reduction: int = 0


@dataclass(frozen=True)
class Assessment:
    nhi_household_number: str
    fiscal_year: int
    city: str
    components: tuple[ComponentResult, ...]
    total: int
    insured_months: int  # months with at least one insured member

    def component(self, component: Component) -> ComponentResult | None:
        for c in self.components:
            if c.component is component:
                return c
        return None
