"""葬祭費 and 出産育児一時金 against both stores (memory; PostgreSQL marked ``integration``):
application, the second pair of eyes (never the same person, C-11), the amount in force on the
day (rules.md §3.8: 30,000; 500,000 / 488,000 from 2023-04-01), 直接支払制度, prescription after
2 years (国保法110条), once per deceased or birth."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from kokuho.benefits.adapters.lump_sum_notice_pdf import render_lump_sum_notice
from kokuho.benefits.app import lump_sums
from kokuho.benefits.app.ports import Benefits, PayeeAccount
from kokuho.benefits.domain import lump_sum as ls
from kokuho.benefits.parameters import load_income_lines, load_schedule
from kokuho.events.contracts import benefits as contracts
from kokuho.platform.documents.checks import text_of

from .stores_kit import Stores

TODAY = date(2026, 12, 1)
PORTS = Benefits(load_schedule(), load_income_lines())


def application(kind: ls.LumpSumKind = ls.LumpSumKind.FUNERAL, **change: object) -> ls.Apply:
    base: dict[str, object] = {
        "application_id": uuid4(),
        "kind": kind,
        "nhi_household_number": "9920000301",
        "subject_addressee_number": "9910000301",
        "event_date": date(2026, 10, 2),
        "payee_addressee_number": "9910000302",
        "entered_by": "U-CLERK",
        "today": TODAY,
        "funeral_date": date(2026, 10, 5) if kind is ls.LumpSumKind.FUNERAL else None,
        "birth_category": ls.BirthCategory.COVERED if kind is ls.LumpSumKind.CHILDBIRTH else None,
    }
    base.update(change)
    return ls.Apply(**base)  # type: ignore[arg-type]


def account(a: ls.Apply) -> PayeeAccount:
    return PayeeAccount(
        a.nhi_household_number,
        a.payee_addressee_number,
        "0001",
        "001",
        "ordinary",
        "1111111",
        "コクホ　ハナコ",
        TODAY,
        a.entered_by,
    )


def review(by: str = "U-SUPERVISOR", approve: bool = True, reason: str = "") -> ls.Review:
    return ls.Review(approve, reason, by, TODAY, date(2026, 12, 15))


async def test_a_funeral_benefit_needs_a_second_person_and_is_paid_once(stores: Stores) -> None:
    a = application()
    await lump_sums.apply_lump_sum(stores.unit(), a, account(a))
    with pytest.raises(ls.SamePersonReview):
        await lump_sums.review_lump_sum(stores.unit(), PORTS, a.application_id, review("ｕ-clerk"))
    reviewed = await lump_sums.review_lump_sum(stores.unit(), PORTS, a.application_id, review())
    assert (reviewed.state.status, reviewed.state.amount, reviewed.state.paid) == (
        "approved",
        30_000,
        30_000,
    )
    assert reviewed.payment is not None
    with pytest.raises(ls.LumpSumNotPending):
        await lump_sums.review_lump_sum(stores.unit(), PORTS, a.application_id, review())
    again = application()
    with pytest.raises(ls.LumpSumAlreadyApplied):
        await lump_sums.apply_lump_sum(stores.unit(), again, account(again))
    async with stores.unit() as uow:
        events = await uow.events.load(ls.stream_id(a))
    assert [e.event_type for e in events] == [
        contracts.LumpSumBenefitApplied.event_type,
        contracts.LumpSumBenefitDecided.event_type,
        contracts.BenefitPaymentOrdered.event_type,
    ]
    assert events[2].envelope.data["benefit_kind"] == "funeral"
    assert events[2].envelope.data["amount"] == 30_000
    assert "1111111" not in str([e.envelope.data for e in events])
    text = text_of(render_lump_sum_notice(reviewed.state, TODAY, date(2026, 12, 15)))
    assert "葬祭費 支給決定通知書" in text
    assert "30,000円" in text


async def test_childbirth_amounts_direct_payment_and_refusal(stores: Stores) -> None:
    direct = application(ls.LumpSumKind.CHILDBIRTH, institution_paid=480_000)
    await lump_sums.apply_lump_sum(stores.unit(), direct, account(direct))
    paid = await lump_sums.review_lump_sum(stores.unit(), PORTS, direct.application_id, review())
    assert (paid.state.amount, paid.state.to_institution, paid.state.to_household) == (
        500_000,
        480_000,
        20_000,
    )
    twins = application(
        ls.LumpSumKind.CHILDBIRTH,
        subject_addressee_number="9910000303",
        birth_category=ls.BirthCategory.ABROAD,
        children=2,
    )
    await lump_sums.apply_lump_sum(stores.unit(), twins, account(twins))
    both = await lump_sums.review_lump_sum(stores.unit(), PORTS, twins.application_id, review())
    assert both.state.to_household == 2 * 488_000
    older = application(
        ls.LumpSumKind.CHILDBIRTH,
        subject_addressee_number="9910000304",
        event_date=date(2025, 6, 1),
    )
    await lump_sums.apply_lump_sum(stores.unit(), older, account(older))
    with pytest.raises(ls.LumpSumInvalid):
        await lump_sums.review_lump_sum(
            stores.unit(), PORTS, older.application_id, review(approve=False)
        )
    refused = await lump_sums.review_lump_sum(
        stores.unit(),
        PORTS,
        older.application_id,
        review(approve=False, reason="他の保険者から支給済み"),
    )
    assert (refused.state.status, refused.state.paid, refused.payment) == ("rejected", 0, None)
    assert "不支給決定通知書" in text_of(render_lump_sum_notice(refused.state, TODAY, None))


def test_the_amount_in_force_on_the_day_and_prescription() -> None:
    schedule = PORTS.lump_sums
    assert (
        ls.amount_of(application(ls.LumpSumKind.CHILDBIRTH, event_date=date(2023, 3, 31)), schedule)
        == 420_000
    )
    assert (
        ls.amount_of(application(ls.LumpSumKind.CHILDBIRTH, event_date=date(2023, 4, 1)), schedule)
        == 500_000
    )
    on_time = application(event_date=date(2024, 11, 28), funeral_date=date(2024, 12, 1))
    assert ls.decide_apply(None, on_time)
    late = application(event_date=date(2024, 11, 28), funeral_date=date(2024, 11, 30))
    with pytest.raises(ls.LumpSumPrescribed):
        ls.decide_apply(None, late)
    with pytest.raises(ls.LumpSumInvalid):
        ls.decide_apply(None, application(funeral_date=date(2026, 10, 1)))  # before the death
    with pytest.raises(ls.LumpSumInvalid):
        ls.decide_apply(None, application(ls.LumpSumKind.CHILDBIRTH, birth_category=None))
