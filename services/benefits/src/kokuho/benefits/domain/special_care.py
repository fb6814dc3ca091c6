"""特別療養費 (国保法54条の3, rules.md §4.6 and §3.8 [B50]): while delinquency flags a household
(``SpecialCareFlagged``: 1 year or more of arrears, no special reason), its members pay 10割 at
the counter and claim back the 10割 less the 一部負担金. The application and its four-eyes
review run as a 療養費 of kind ``special_care`` (:mod:`.medical_expense`); this module holds
the flag periods and the amount. The payout may be set against arrears (rules.md §4.6): the
payment event says so and collection decides. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kokuho.benefits.domain.errors import BenefitsError


class SpecialCareNotFlagged(BenefitsError):
    """特別療養費 is only for a household delinquency flagged on the day of the care."""


@dataclass(frozen=True)
class SpecialCarePeriod:
    """Flagged from ``flagged_on``; from ``cleared_on`` (if any) no longer."""

    nhi_household_number: str
    flagged_on: date
    cleared_on: date | None = None


def is_flagged(periods: Iterable[SpecialCarePeriod], day: date) -> bool:
    """Whether the household is under 特別療養費 on ``day`` (the flag's day inclusive to the
    clearing's day exclusive)."""
    return any(
        p.flagged_on <= day and (p.cleared_on is None or day < p.cleared_on) for p in periods
    )


def copayment(medical_cost: int, rate_percent: int, round_to: int) -> int:
    """一部負担金: the rate's share of the 10割, to ``round_to`` yen half up (10円: under 5 yen
    dropped, 5 yen or more raised; configuration)."""
    exact = medical_cost * rate_percent
    unit = 100 * round_to
    return (exact + unit // 2) // unit * round_to


def special_care_amount(medical_cost: int, rate_percent: int, round_to: int) -> int:
    """特別療養費 = the 10割 paid − the 一部負担金 (rules.md §3.8 [B50])."""
    return medical_cost - copayment(medical_cost, rate_percent, round_to)
