"""The delinquency retention rule (C-95: until fully paid, then 5 years; ADR 0100): a case
closed with everything paid is kept the day before the fifth anniversary of its closing and
erasable on the day itself; open cases, arrears or 延滞金 owed, write-offs, a seizure in force
and a standing 特別療養費 keep it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from kokuho.delinquency.domain import retention as r
from kokuho.delinquency.domain.model import Arrear, Case, Seizure, SpecialCare
from kokuho.platform.retention import WITHIN_RETENTION, RetentionPeriod

PERIOD = RetentionPeriod(5, "test", "unconfirmed")
PAID = Arrear(2026, 1, date(2026, 6, 30), 24_000, date(2026, 7, 31), paid=24_000)
CLOSED = Case("9930000001", status="closed", closed_on=date(2026, 10, 1), arrears=(PAID,))


def test_closed_fully_paid_is_erasable_on_the_anniversary_itself() -> None:
    assert r.keep_reason(CLOSED, date(2031, 9, 30), PERIOD) == WITHIN_RETENTION
    assert r.keep_reason(CLOSED, date(2031, 10, 1), PERIOD) is None


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        (replace(CLOSED, status="open"), r.NOT_CLOSED),
        (replace(CLOSED, arrears=(replace(PAID, paid=20_000),)), r.UNPAID),
        (replace(CLOSED, arrears=(replace(PAID, late_charge=800),)), r.UNPAID),
        (
            replace(CLOSED, arrears=(replace(PAID, paid=0, written_off=24_000),)),
            r.WRITTEN_OFF,
        ),
        (
            replace(CLOSED, seizures=(Seizure("s1", "deposit", date(2026, 9, 1), 24_000),)),
            r.SEIZURE_IN_FORCE,
        ),
        (
            replace(CLOSED, special_care=SpecialCare(flagged_on=date(2026, 9, 1))),
            r.SPECIAL_CARE,
        ),
    ],
)
def test_anything_owed_or_standing_keeps_the_case_for_ever(case: Case, reason: str) -> None:
    assert r.keep_reason(case, date(2099, 1, 1), PERIOD) == reason
