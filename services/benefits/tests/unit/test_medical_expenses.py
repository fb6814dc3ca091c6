"""療養費 (補装具, 柔道整復, はり・きゅう, 海外療養費) against both stores (memory; PostgreSQL
marked ``integration``): the second pair of eyes (never the same person, C-11), the insurer's
share of the allowed cost (the lower of paid and the insurance standard, rules.md §3.8 [B49]) at the
member's rate (the household's decided 70–74 rate, else the defaults of
parameters/medical-expenses.toml), prescription after 2 years (国保法110条), the notice, and
給付の一時差止 (rules.md §4.6)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from kokuho.benefits.adapters.medical_expense_notice_pdf import render_medical_expense_notice
from kokuho.benefits.app import medical_expenses, withholding
from kokuho.benefits.app.ports import Benefits, PayeeAccount
from kokuho.benefits.domain import lump_sum as ls
from kokuho.benefits.domain import medical_expense as me
from kokuho.benefits.parameters import load_income_lines, load_medical_expense_rates, load_schedule
from kokuho.events.contracts import benefits as contracts
from kokuho.events.contracts.delinquency import BenefitsReleased, BenefitsWithheld
from kokuho.platform.documents.checks import text_of

from .stores_kit import Stores
from .test_unit_of_work_contract import a_rate

TODAY = date(2026, 12, 1)
PORTS = Benefits(load_schedule(), load_income_lines())
HOUSEHOLD, ELDER = "9920000009", "9910000001"  # a_rate(): 3割 decided for ELDER, 2025


def application(**change: object) -> me.Apply:
    base: dict[str, object] = {
        "application_id": uuid4(),
        "kind": me.MedicalExpenseKind.JUDO_THERAPY,
        "nhi_household_number": HOUSEHOLD,
        "patient_addressee_number": "9910000002",
        "age_band": me.AgeBand.UNDER_70,
        "care_from": date(2026, 10, 1),
        "paid_on": date(2026, 10, 31),
        "paid_amount": 10_000,
        "standard_cost": 8_000,
        "payee_addressee_number": "9910000002",
        "entered_by": "U-CLERK",
        "today": TODAY,
    }
    base.update(change)
    return me.Apply(**base)  # type: ignore[arg-type]


def account(a: me.Apply) -> PayeeAccount:
    return PayeeAccount(
        a.nhi_household_number,
        a.payee_addressee_number,
        "0001",
        "001",
        "ordinary",
        "3333333",
        "コクホ　サブロウ",
        TODAY,
        a.entered_by,
    )


def review(by: str = "U-SUPERVISOR", approve: bool = True, reason: str = "") -> me.Review:
    return me.Review(approve, reason, by, TODAY, date(2026, 12, 15), 0, "")


async def decided(stores: Stores, a: me.Apply) -> medical_expenses.Reviewed:
    await medical_expenses.apply_medical_expense(stores.unit(), a, account(a))
    return await medical_expenses.review_medical_expense(
        stores.unit(), PORTS, a.application_id, review()
    )


def test_the_defaults_cite_their_marks() -> None:
    rates = load_medical_expense_rates()
    assert (rates.default_under_70, rates.default_70_74, rates.round_down_to) == (30, 20, 1)
    assert me.insurer_share(8_001, 30) == 5_600  # 5,600.7 rounded down
    assert me.insurer_share(8_000, 20) == 6_400


async def test_judo_therapy_by_two_people_at_the_under_70_rate(stores: Stores) -> None:
    a = application()
    await medical_expenses.apply_medical_expense(stores.unit(), a, account(a))
    with pytest.raises(ls.SamePersonReview):
        await medical_expenses.review_medical_expense(
            stores.unit(), PORTS, a.application_id, review("Ｕ-CLERK")
        )
    reviewed = await medical_expenses.review_medical_expense(
        stores.unit(), PORTS, a.application_id, review()
    )
    s = reviewed.state
    assert (s.status, s.allowed_cost, s.rate_percent, s.amount, s.paid) == (
        "approved",
        8_000,  # the lower of 10,000 paid and the 8,000 standard
        30,
        5_600,
        5_600,
    )
    assert reviewed.payment is not None
    with pytest.raises(ls.LumpSumNotPending):
        await medical_expenses.review_medical_expense(
            stores.unit(), PORTS, a.application_id, review()
        )
    async with stores.unit() as uow:
        events = await uow.events.load(me.stream_id(a))
    assert [e.event_type for e in events] == [
        contracts.MedicalExpenseApplied.event_type,
        contracts.MedicalExpenseDecided.event_type,
        contracts.BenefitPaymentOrdered.event_type,
    ]
    assert events[2].envelope.data["benefit_kind"] == "medical_expense"
    assert "3333333" not in str([e.envelope.data for e in events])
    text = text_of(render_medical_expense_notice(s, TODAY))
    assert "療養費（柔道整復） 支給決定通知書" in text
    assert "5,600円" in text


async def test_a_70_74_member_takes_the_households_decided_rate_else_2_wari(
    stores: Stores,
) -> None:
    async with stores.unit() as uow:
        await uow.copayment_rates.put(a_rate())  # ELDER: 3割 for Aug 2026 – Jul 2027
    orthosis = dict(
        kind=me.MedicalExpenseKind.ORTHOSIS,
        age_band=me.AgeBand.AGED_70_74,
        paid_amount=50_000,
        standard_cost=50_000,
    )
    elder = await decided(stores, application(patient_addressee_number=ELDER, **orthosis))
    assert (elder.state.rate_percent, elder.state.amount) == (30, 35_000)
    other = await decided(stores, application(patient_addressee_number="9910000003", **orthosis))
    assert (other.state.rate_percent, other.state.amount) == (20, 40_000)
    overseas = await decided(
        stores,
        application(
            kind=me.MedicalExpenseKind.OVERSEAS, paid_amount=500_000, standard_cost=300_000
        ),
    )
    assert (overseas.state.allowed_cost, overseas.state.amount) == (300_000, 210_000)


async def test_prescription_and_a_refusal(stores: Stores) -> None:
    last_day = application(paid_on=date(2024, 12, 1), care_from=date(2024, 11, 1))
    await medical_expenses.apply_medical_expense(stores.unit(), last_day, account(last_day))
    lapsed = application(paid_on=date(2024, 11, 30), care_from=date(2024, 11, 1))
    with pytest.raises(ls.LumpSumPrescribed):
        await medical_expenses.apply_medical_expense(stores.unit(), lapsed, account(lapsed))
    with pytest.raises(ls.LumpSumInvalid):
        await medical_expenses.apply_medical_expense(
            stores.unit(), application(care_from=date(2026, 11, 1)), account(application())
        )
    with pytest.raises(ls.LumpSumInvalid):
        await medical_expenses.review_medical_expense(
            stores.unit(), PORTS, last_day.application_id, review(approve=False)
        )
    refused = await medical_expenses.review_medical_expense(
        stores.unit(),
        PORTS,
        last_day.application_id,
        review(approve=False, reason="施術の記録なし"),
    )
    assert (refused.state.status, refused.state.amount, refused.payment) == ("rejected", 0, None)
    assert "不支給決定通知書" in text_of(render_medical_expense_notice(refused.state, TODAY))


async def test_withheld_then_released_once(stores: Stores) -> None:
    await withholding.record_withheld(
        stores.unit(),
        BenefitsWithheld(
            nhi_household_number=HOUSEHOLD,
            oldest_due_date=date(2025, 4, 30),
            effective_on=TODAY,
        ),
    )
    a = application()
    reviewed = await decided(stores, a)
    assert (reviewed.payment, reviewed.state.paid) == (None, 0)
    [listed] = await withholding.list_withheld(stores.unit())
    assert (listed.benefit_kind, listed.amount) == ("medical_expense", 5_600)
    release = BenefitsReleased(
        nhi_household_number=HOUSEHOLD, reason="paid", effective_on=date(2026, 12, 10)
    )
    assert await withholding.release_withheld(stores.unit(), release) == 1
    assert await withholding.release_withheld(stores.unit(), release) == 0
    state = await medical_expenses.read_medical_expense(stores.unit(), a.application_id)
    assert state.paid == 5_600
