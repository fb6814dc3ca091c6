"""The retention rule of benefit information (C-95: 5 years from the date the benefit was
received; ADR 0100). Pure.

Each benefit is one stream whose life ends with its payment: a household's 高額療養費 of a
treatment month (``high-cost-<household>-<YYYY-MM>``), a 葬祭費 or 出産育児一時金 application
(``lump-sum-...``), a 療養費 application (``medical-expense-<id>``), a 高額介護合算療養費
application (``combined-care-<id>``). It is erased whole, with its read models, from the fifth
anniversary of its latest payment date, or of its decision when nothing was paid (refused, no
benefit) or when a revision came after the payment; never while undecided or while a benefit
decided is not (all) paid.

The claims (レセプト: 療養の給付, received during the treatment month) of a household's month are
erased from the fifth anniversary of the month's last day, and not while that month's 高額療養費
decision is held (they are what it was decided on)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from kokuho.platform.retention import WITHIN_RETENTION, RetentionPeriod

HIGH_COST = "benefits.high_cost"
LUMP_SUM = "benefits.lump_sum"
MEDICAL_EXPENSE = "benefits.medical_expense"
COMBINED_CARE = "benefits.combined_care"

#: Each class: the prefix of its streams, and the stores it is held in (one erasure record
#: each, C-96).
CLASSES: dict[str, tuple[str, tuple[str, ...]]] = {
    HIGH_COST: (
        "high-cost-",
        ("events", "high_cost_decisions", "benefit_payments", "withheld_payments"),
    ),
    LUMP_SUM: ("lump-sum-", ("events", "lump_sum_applications", "withheld_payments")),
    MEDICAL_EXPENSE: (
        "medical-expense-",
        ("events", "medical_expense_applications", "withheld_payments"),
    ),
    COMBINED_CARE: (
        "combined-care-",
        ("events", "combined_care_applications", "withheld_payments"),
    ),
}

#: A household's claims of a treatment month (subject ``<household>/<YYYY-MM>``).
CLAIMS = "benefits.claims"
CLAIM_STORES = ("claims", "claim_adjustments")

#: Why a benefit is kept (the report names them).
NOT_DECIDED = "not_decided"
NOT_PAID = "benefit_not_paid"
DECISION_HELD = "high_cost_decision_held"


@dataclass(frozen=True)
class Benefit:
    data_class: str
    stream: str
    decided_on: date | None  # the latest decision
    paid_on: date | None  # the latest payment date ordered
    unpaid: bool  # decided and not (all) paid: awaiting the application, or withheld

    @property
    def benefit_date(self) -> date | None:
        """The date the benefit was received, or (nothing paid) the day it was decided; a
        decision after the payment (a revision) counts from the later day."""
        days = [d for d in (self.paid_on, self.decided_on) if d is not None]
        return max(days, default=None)


def keep_reason(benefit: Benefit, today: date, period: RetentionPeriod) -> str | None:
    """Why the benefit stays on ``today``; None once 5 years have passed since the date it was
    received (erasable on the anniversary itself, kept the day before)."""
    if benefit.decided_on is None:
        return NOT_DECIDED
    if benefit.unpaid:
        return NOT_PAID
    start = benefit.benefit_date
    assert start is not None  # decided
    if today < period.erasable_from(start):
        return WITHIN_RETENTION
    return None


def class_of(stream: str) -> str | None:
    return next((c for c, (prefix, _) in CLASSES.items() if stream.startswith(prefix)), None)


def last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def claims_keep_reason(
    month: date, decision_held: bool, today: date, period: RetentionPeriod
) -> str | None:
    """Why a household's claims of a treatment month stay on ``today``: the care was received
    during the month, so the period runs from its last day."""
    if decision_held:
        return DECISION_HELD
    if today < period.erasable_from(last_day(month)):
        return WITHIN_RETENTION
    return None
