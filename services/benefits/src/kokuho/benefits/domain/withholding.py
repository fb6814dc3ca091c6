"""給付の一時差止 (rules.md §4.6 ◐: 1 year 6 months or more of arrears; the article, likely
国保法63条の2, is not confirmed): delinquency decides it (``BenefitsWithheld``) and lifts it
(``BenefitsReleased``); benefits keeps the periods per household. While a household is withheld
on the day of a decision, the benefit is decided but its payment is not ordered: the decision
records a ``PaymentWithheld`` and the payment waits, listed for staff, until the release orders
it once. Pure: no I/O."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

BASIS = "rules.md §4.6 給付の一時差止"


@dataclass(frozen=True)
class Withholding:
    """One period: withheld from ``withheld_on``; from ``released_on`` (if any) no longer."""

    nhi_household_number: str
    withheld_on: date
    released_on: date | None = None


def is_withheld(periods: Iterable[Withholding], day: date) -> bool:
    """Whether the household is withheld on ``day`` (from the effective day of the withholding
    inclusive to the effective day of the release exclusive)."""
    return any(
        p.withheld_on <= day and (p.released_on is None or day < p.released_on) for p in periods
    )


@dataclass(frozen=True)
class WithheldPayment:
    """A payment decided and withheld (one per decision stream: the latest amount withheld),
    until the release orders it (``payment_id``, ``released_on``)."""

    stream_id: str
    benefit_kind: str  # high_cost | funeral | childbirth | medical_expense
    nhi_household_number: str
    decision_id: uuid.UUID
    treatment_month: date | None
    amount: int
    withheld_on: date
    released_on: date | None = None
    payment_id: uuid.UUID | None = None
