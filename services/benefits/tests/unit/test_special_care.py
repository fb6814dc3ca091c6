"""特別療養費 (rules.md §4.6, §3.8 [B50]) on both stores: only for a household delinquency
flagged on the day of the care (the flag's day, not the day before; not on the clearing's day),
the 10割 less the 一部負担金 rounded to 10 yen half up (at 4.5 and 5.1 yen), four eyes, the
payment marked as appropriable to arrears for collection, withheld under 給付の一時差止 and
paid on its release once, the notice."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from kokuho.benefits.adapters.medical_expense_notice_pdf import render_medical_expense_notice
from kokuho.benefits.app import medical_expenses, withholding
from kokuho.benefits.app.ports import Benefits
from kokuho.benefits.domain import lump_sum as ls
from kokuho.benefits.domain import medical_expense as me
from kokuho.benefits.domain.special_care import (
    SpecialCareNotFlagged,
    SpecialCarePeriod,
    copayment,
    is_flagged,
    special_care_amount,
)
from kokuho.benefits.parameters import load_income_lines, load_medical_expense_rates, load_schedule
from kokuho.events.contracts import benefits as contracts
from kokuho.events.contracts.delinquency import BenefitsReleased, BenefitsWithheld
from kokuho.platform.documents.checks import text_of

from .stores_kit import Stores
from .test_medical_expenses import account, application, review

TODAY = date(2026, 12, 1)
PORTS = Benefits(load_schedule(), load_income_lines())
HOUSEHOLD = "9920000009"
FLAGGED_ON, CLEARED_ON = date(2026, 9, 1), date(2026, 11, 1)


def special(**change: object) -> me.Apply:
    base: dict[str, object] = {
        "application_id": uuid4(),
        "kind": me.MedicalExpenseKind.SPECIAL_CARE,
        "care_from": date(2026, 10, 1),
        "paid_on": date(2026, 10, 1),
        "paid_amount": 10_017,
        "standard_cost": 10_017,
    }
    base.update(change)
    return application(**base)


async def flagged(stores: Stores, cleared: bool = False) -> None:
    await medical_expenses.record_special_care_flag(stores.unit(), HOUSEHOLD, FLAGGED_ON)
    await medical_expenses.record_special_care_flag(stores.unit(), HOUSEHOLD, date(2026, 9, 5))
    if cleared:
        await medical_expenses.record_special_care_cleared(stores.unit(), HOUSEHOLD, CLEARED_ON)


@pytest.mark.parametrize(
    ("cost", "rate", "copay"),
    [
        (10_015, 30, 3_000),  # 3,004.5: under 5 yen dropped
        (10_017, 30, 3_010),  # 3,005.1: 5 yen or more raised
        (10_000, 20, 2_000),
        (10_025, 20, 2_010),  # 2,005.0: raised
        (10_024, 20, 2_000),  # 2,004.8: dropped
    ],
)
def test_the_copayment_is_rounded_to_10_yen_half_up(cost: int, rate: int, copay: int) -> None:
    round_to = load_medical_expense_rates().special_care_copay_round_to
    assert round_to == 10
    assert copayment(cost, rate, round_to) == copay
    assert special_care_amount(cost, rate, round_to) == cost - copay


def test_the_flag_period_at_its_days() -> None:
    periods = [SpecialCarePeriod(HOUSEHOLD, FLAGGED_ON, CLEARED_ON)]
    assert not is_flagged(periods, date(2026, 8, 31))
    assert is_flagged(periods, FLAGGED_ON)
    assert is_flagged(periods, date(2026, 10, 31))
    assert not is_flagged(periods, CLEARED_ON)


@pytest.mark.parametrize(
    ("care_from", "allowed"),
    [
        (date(2026, 8, 31), False),  # the day before the flag
        (FLAGGED_ON, True),
        (date(2026, 10, 31), True),
        (CLEARED_ON, False),  # the clearing's day
    ],
)
async def test_only_a_flagged_household_on_the_day_of_the_care(
    stores: Stores, care_from: date, allowed: bool
) -> None:
    await flagged(stores, cleared=True)
    a = special(care_from=care_from, paid_on=max(care_from, date(2026, 10, 1)))
    if allowed:
        state = await medical_expenses.apply_medical_expense(stores.unit(), a, account(a))
        assert state.status == "pending"
    else:
        with pytest.raises(SpecialCareNotFlagged, match="care_from"):
            await medical_expenses.apply_medical_expense(stores.unit(), a, account(a))


async def test_an_unflagged_household_is_refused(stores: Stores) -> None:
    a = special()
    with pytest.raises(SpecialCareNotFlagged):
        await medical_expenses.apply_medical_expense(stores.unit(), a, account(a))


async def test_paid_by_two_people_and_marked_appropriable(stores: Stores) -> None:
    await flagged(stores)
    a = special()
    await medical_expenses.apply_medical_expense(stores.unit(), a, account(a))
    with pytest.raises(ls.SamePersonReview):
        await medical_expenses.review_medical_expense(
            stores.unit(), PORTS, a.application_id, review("u-clerk")
        )
    reviewed = await medical_expenses.review_medical_expense(
        stores.unit(), PORTS, a.application_id, review()
    )
    s = reviewed.state
    # 10,017 paid at the counter, under 70 3割: 一部負担金 3,010, 特別療養費 7,007
    assert (s.status, s.rate_percent, s.amount, s.paid) == ("approved", 30, 7_007, 7_007)
    async with stores.unit() as uow:
        recorded = await uow.events.load(me.stream_id(a))
    payment = recorded[-1].envelope.data
    assert recorded[-1].event_type == contracts.BenefitPaymentOrdered.event_type
    assert (payment["benefit_kind"], payment["may_appropriate_to_arrears"], payment["amount"]) == (
        "special_care",
        True,
        7_007,
    )
    assert recorded[0].envelope.data["expense_kind"] == "special_care"
    text = text_of(render_medical_expense_notice(s, TODAY))
    assert "特別療養費" in text
    assert "充当" in text
    assert "7,007円" in text


async def test_another_kind_is_not_marked_appropriable(stores: Stores) -> None:
    a = application()
    await medical_expenses.apply_medical_expense(stores.unit(), a, account(a))
    await medical_expenses.review_medical_expense(stores.unit(), PORTS, a.application_id, review())
    async with stores.unit() as uow:
        recorded = await uow.events.load(me.stream_id(a))
    assert recorded[-1].envelope.data["may_appropriate_to_arrears"] is False


async def test_withheld_then_paid_once_on_release(stores: Stores) -> None:
    await flagged(stores)
    await withholding.record_withheld(
        stores.unit(),
        BenefitsWithheld(
            nhi_household_number=HOUSEHOLD,
            oldest_due_date=date(2025, 4, 30),
            effective_on=date(2026, 11, 1),
        ),
    )
    a = special(age_band=me.AgeBand.AGED_70_74, patient_addressee_number="9910000005")
    await medical_expenses.apply_medical_expense(stores.unit(), a, account(a))
    reviewed = await medical_expenses.review_medical_expense(
        stores.unit(), PORTS, a.application_id, review()
    )
    # 70–74 with no decided rate: 2割 → 一部負担金 2,000 (2,003.4), 特別療養費 8,017
    assert (reviewed.state.amount, reviewed.state.paid, reviewed.payment) == (8_017, 0, None)
    release = BenefitsReleased(
        nhi_household_number=HOUSEHOLD, reason="paid", effective_on=date(2026, 12, 10)
    )
    assert await withholding.release_withheld(stores.unit(), release) == 1
    assert await withholding.release_withheld(stores.unit(), release) == 0
    async with stores.unit() as uow:
        recorded = await uow.events.load(me.stream_id(a))
    kinds = [(r.event_type, r.envelope.data.get("benefit_kind")) for r in recorded[-2:]]
    assert kinds == [
        (contracts.BenefitPaymentWithheld.event_type, "special_care"),
        (contracts.BenefitPaymentOrdered.event_type, "special_care"),
    ]
