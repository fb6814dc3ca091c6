"""The retention rule of assessment data (C-95: 5 years, the correction period; ADR 0096).

Fiscal year N is kept through March 31 of N + 1 + years and may be erased from April 1, the
same fiscal-year boundary as the correction period (ADR 0035)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kokuho.assessment.domain.calendar import fiscal_year_of

#: Data classes the job erases, and the stores each lives in.
ASSESSMENT = "assessment.premium"  # a household's premium of a fiscal year, its explanation
INCOME = "assessment.income"  # a person's income of a year, with its history
PENSION = "assessment.pension"  # a householder's pension of a fiscal year (特別徴収)
STORES: dict[str, tuple[str, ...]] = {
    ASSESSMENT: (
        "assessments",
        "reduction_exemptions",
        "collection_method_requests",
        "events",
    ),
    INCOME: ("incomes", "income_history"),
    PENSION: ("pensions",),
}


@dataclass(frozen=True)
class RetentionRule:
    years: int
    source: str

    def __post_init__(self) -> None:
        if self.years < 1:
            raise ValueError("retention.years must be at least 1")

    def last_expired_year(self, today: date) -> int:
        """The latest fiscal year whose retention is over on ``today``."""
        return fiscal_year_of(today) - self.years - 1

    def erasable_from(self, fiscal_year: int) -> date:
        return date(fiscal_year + 1 + self.years, 4, 1)
