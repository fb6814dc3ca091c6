"""Seizures (wages less the exempt amount; co-owned land by shares), proceeds, and 特別療養費
dates: flagged from the day the arrear is a year old and the advance notice's period has run,
benefits withheld at 1 year 6 months, special reasons honoured."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.delinquency.domain import events as ev
from kokuho.delinquency.domain.decide import decide
from kokuho.delinquency.domain.enforcement import RecordProceeds, Seize, WagePay
from kokuho.delinquency.domain.errors import SeizureInvalid, SeizureNotFound, SpecialReasonUnknown
from kokuho.delinquency.domain.review import Review
from kokuho.delinquency.domain.special_care import RecordAdvanceNotice, RecordSpecialReason, reached
from kokuho.delinquency.domain.wages import seizable_wage

from .rules import DUE, RULES, opened, run

ON = date(2026, 9, 1)
W = RULES.wage_exemption


@pytest.mark.parametrize(
    ("gross", "dependants", "expected"),
    [
        (100_000, 0, 0),  # all of it is the living amount
        (150_000, 0, 40_000),  # 50,000 left; 20% exempt
        (150_000, 2, 0),  # 190,000 living
        (1_000_000, 0, 720_000),  # 900,000 left; 20% = 180,000 (cap 200,000)
        (1_500_000, 0, 1_200_000),  # 1,400,000 left; 20% = 280,000 capped at 2 x 100,000
        (500_000, 1, 284_000),  # 355,000 left; 20% = 71,000 (cap 290,000)
    ],
)
def test_the_seizable_wage_leaves_the_exempt_amount(
    gross: int, dependants: int, expected: int
) -> None:
    assert seizable_wage(gross, 0, 0, 0, dependants, W) == expected


def test_taxes_and_insurance_withheld_are_exempt_too() -> None:
    assert seizable_wage(300_000, 10_000, 15_000, 40_000, 0, W) == 108_000  # 135,000 - 27,000


def seize(kind: str, **kw: object) -> Seize:
    base: dict[str, object] = dict(
        seizure_id="s1",
        kind=kind,
        description="",
        amount=0,
        wage=None,
        debtor_share=None,
        co_owners=(),
        by="U-1",
        on=ON,
        today=ON,
        rules=RULES,
    )
    return Seize(**{**base, **kw})  # type: ignore[arg-type]


def test_a_wage_seizure_reaches_the_seizable_part() -> None:
    case = run(opened(), seize("wage", wage=WagePay(150_000, 0, 0, 0, 0)))
    assert case.seizures[0].amount == 40_000
    with pytest.raises(SeizureInvalid):
        decide(opened(), seize("wage"))


def test_co_owned_land_is_seized_for_the_debtors_share_when_shares_add_up() -> None:
    land = seize(
        "real_estate", amount=9_000_000, debtor_share=(1, 3), co_owners=(("共有者A", 2, 3),)
    )
    assert run(opened(), land).seizures[0].amount == 3_000_000
    for bad in ((("共有者A", 1, 3),), (("共有者A", 2, 3), ("共有者B", 1, 3))):
        with pytest.raises(SeizureInvalid):
            decide(opened(), seize("real_estate", amount=1, debtor_share=(1, 3), co_owners=bad))


def test_proceeds_name_their_seizure() -> None:
    case = run(opened(), seize("deposit", amount=50_000))
    assert decide(case, RecordProceeds("pc1", "s1", 30_000, ON, ON)) == [
        ev.ProceedsCollected("pc1", "s1", 30_000, ON)
    ]
    with pytest.raises(SeizureNotFound):
        decide(case, RecordProceeds("pc1", "s9", 30_000, ON, ON))
    with pytest.raises(SeizureInvalid):
        decide(case, RecordProceeds("pc1", "s1", 0, ON, ON))


YEAR = date(2027, 7, 1)  # due 2026-06-30: a year from 2026-07-01 ends 2027-06-30
NOTICE = date(2027, 6, 1)


def test_a_year_of_arrears_is_reached_on_the_day_after_the_anniversary() -> None:
    assert reached(DUE, 12) == YEAR
    assert reached(DUE, 18) == date(2028, 1, 1)


def flagged_case() -> object:
    return run(opened(), RecordAdvanceNotice("U-1", NOTICE, NOTICE))


def test_the_flag_needs_a_year_and_the_advance_notice() -> None:
    case = flagged_case()
    assert decide(case, Review(date(2027, 6, 30), RULES)) == []
    assert decide(case, Review(YEAR, RULES)) == [ev.SpecialCareFlagged(DUE, YEAR)]
    assert decide(opened(), Review(YEAR, RULES)) == []  # no advance notice, no flag
    late = run(opened(), RecordAdvanceNotice("U-1", date(2027, 6, 20), date(2027, 6, 20)))
    assert decide(late, Review(YEAR, RULES)) == []  # 14 days from the notice: 2027-07-04
    assert decide(late, Review(date(2027, 7, 4), RULES)) == [
        ev.SpecialCareFlagged(DUE, date(2027, 7, 4))
    ]


def test_benefits_are_withheld_at_eighteen_months_and_released_when_paid() -> None:
    case = run(flagged_case(), Review(YEAR, RULES))
    assert decide(case, Review(date(2027, 12, 31), RULES)) == []
    assert decide(case, Review(date(2028, 1, 1), RULES)) == [
        ev.BenefitsWithheld(DUE, date(2028, 1, 1))
    ]
    case = run(case, Review(date(2028, 1, 1), RULES))
    from .test_case_life import pay

    paid = run(case, pay("p1", 30_000, date(2028, 1, 5)))
    assert (paid.special_care.flagged_on, paid.special_care.withheld_on, paid.status) == (
        None,
        None,
        "closed",
    )


def test_a_special_reason_is_honoured() -> None:
    case = run(flagged_case(), Review(YEAR, RULES))
    with pytest.raises(SpecialReasonUnknown):
        decide(case, RecordSpecialReason("bankruptcy", "", "U-1", YEAR, YEAR))
    case = run(case, RecordSpecialReason("illness", "入院", "U-1", YEAR, YEAR))
    assert case.special_care.flagged_on is None
    assert decide(case, Review(date(2028, 1, 10), RULES)) == []
