"""Charges, matching, reversal, appropriation and refund, dunning and lapse, through decide and
evolve: the rules at their boundaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kokuho.collection.domain import charging, jobs, matching
from kokuho.collection.domain.errors import (
    ChangeNotFound,
    DuplicatePayment,
    NothingToRefund,
    ReasonRequired,
    ReversalAfterAppropriation,
    SameStaffConfirming,
)
from kokuho.collection.domain.ledger import (
    Appropriated,
    ChargeSet,
    LateChargeFixed,
    Ledger,
    OverpaymentArisen,
    PaymentReceived,
    RefundDecided,
    as_of,
)

from .ledgers import FY, HOUSEHOLD, apply, assess, assessed, dues, pay
from .rules import PACKAGED, flat

EMPTY = Ledger(HOUSEHOLD)


def test_the_first_assessment_charges_each_instalment() -> None:
    ledger = assess(EMPTY, assessed([10_000] * 10))
    assert [c.amount for c in ledger.charges.values()] == [10_000] * 10
    assert ledger.charges[(FY, 1)].due_date == dues()[0]
    assert ledger.revisions == {FY: 1}


def test_the_same_revision_again_changes_nothing() -> None:
    ledger = assess(EMPTY, assessed([10_000] * 10))
    assert charging.assess(ledger, assessed([10_000] * 10)) == []
    assert charging.assess(ledger, assessed([9_000] * 10, revision=1)) == []


def test_a_correction_sets_only_the_changed_instalments_keeping_the_prior_value() -> None:
    ledger = assess(EMPTY, assessed([10_000] * 10))
    events = charging.assess(ledger, assessed([10_000] * 5 + [12_000] * 5, revision=2))
    assert [
        (e.period, e.previous_amount, e.amount) for e in events if isinstance(e, ChargeSet)
    ] == [(p, 10_000, 12_000) for p in range(6, 11)]
    ledger = apply(ledger, events)
    assert ledger.charges[(FY, 6)].history[-1][1:] == (10_000, "correction")


def test_lowering_a_paid_instalment_holds_the_excess_never_a_negative_charge() -> None:
    ledger = assess(EMPTY, assessed([10_000] * 10))
    ledger, _ = pay(ledger, PACKAGED, 10_000, dues()[0], period=1)
    events = charging.assess(ledger, assessed([4_000] + [10_000] * 9, revision=2))
    assert OverpaymentArisen(FY, 1, 6_000, dues()[0], date(FY, 6, 15)) in events
    ledger = apply(ledger, events)
    charge = ledger.charges[(FY, 1)]
    assert (charge.amount, charge.paid, charge.outstanding) == (4_000, 4_000, 0)
    assert ledger.held_total == 6_000


def test_an_instalment_dropped_by_a_correction_is_set_to_zero() -> None:
    ledger = assess(EMPTY, assessed([10_000] * 10))
    ledger = assess(ledger, assessed([10_000] * 8, revision=2))
    assert [ledger.charges[(FY, p)].amount for p in (9, 10)] == [0, 0]


def test_a_change_by_hand_needs_a_second_person_and_a_reason() -> None:
    ledger = assess(EMPTY, assessed([10_000] * 10))
    enter = charging.EnterChargeChange(
        "c1", FY, 3, 7_000, None, "窓口で誤りを確認", "Sato", date(FY, 7, 1)
    )
    with pytest.raises(ReasonRequired):
        charging.enter_change(
            ledger,
            charging.EnterChargeChange("c0", FY, 3, 7_000, None, " ", "Sato", date(FY, 7, 1)),
        )
    ledger = apply(ledger, charging.enter_change(ledger, enter))
    with pytest.raises(SameStaffConfirming):
        charging.confirm_change(
            ledger, charging.ConfirmChargeChange("c1", "ＳＡＴＯ", date(FY, 7, 1))
        )
    events = charging.confirm_change(
        ledger, charging.ConfirmChargeChange("c1", "Tanaka", date(FY, 7, 1))
    )
    [change] = events
    assert isinstance(change, ChargeSet)
    assert (change.entered_by, change.confirmed_by, change.previous_amount) == (
        "Sato",
        "Tanaka",
        10_000,
    )
    ledger = apply(ledger, events)
    assert ledger.charges[(FY, 3)].amount == 7_000
    assert not ledger.pending
    with pytest.raises(ChangeNotFound):
        charging.confirm_change(
            ledger, charging.ConfirmChargeChange("c1", "Tanaka", date(FY, 7, 1))
        )


def test_a_slip_pays_its_instalment_and_the_rest_is_held() -> None:
    ledger = assess(EMPTY, assessed([10_000] * 10))
    ledger, events = pay(ledger, PACKAGED, 12_000, dues()[1], period=2)
    received = events[0]
    assert isinstance(received, PaymentReceived)
    assert [(a.period, a.amount) for a in received.applied] == [(2, 10_000)]
    assert received.overpaid == 2_000
    assert ledger.held_total == 2_000
    with pytest.raises(DuplicatePayment):
        pay(ledger, PACKAGED, 12_000, dues()[1], period=2)


def test_a_counter_payment_without_an_instalment_pays_the_oldest_first() -> None:
    ledger = assess(EMPTY, assessed([10_000] * 10))
    ledger, events = pay(ledger, PACKAGED, 25_000, dues()[0])
    assert [(a.period, a.amount) for a in events[0].applied] == [
        (1, 10_000),
        (2, 10_000),
        (3, 5_000),
    ]  # type: ignore[union-attr]


def test_paying_in_full_after_the_due_date_fixes_the_late_charge() -> None:
    rules = flat()
    ledger = assess(EMPTY, assessed([3_650_000] + [10_000] * 9))
    _on_time, events = pay(ledger, rules, 3_650_000, dues()[0], period=1)
    assert not [e for e in events if isinstance(e, LateChargeFixed)]
    _, events = pay(ledger, rules, 3_650_000, dues()[0] + timedelta(days=1), period=1)
    assert LateChargeFixed(FY, 1, 1_000, dues()[0] + timedelta(days=1)) in events


def test_a_reversal_makes_the_instalment_owed_again() -> None:
    ledger = assess(EMPTY, assessed([10_000] * 10))
    ledger, _ = pay(ledger, PACKAGED, 10_000, dues()[0], period=1)
    reverse = matching.ReversePayment("p-R1", "二重計上", "Tanaka", dues()[0])
    ledger = apply(ledger, matching.reverse(ledger, reverse))
    assert ledger.charges[(FY, 1)].outstanding == 10_000
    assert ledger.received == 0


def test_settle_appropriates_the_oldest_overdue_first_then_refunds_with_interest() -> None:
    rules = flat()
    ledger = assess(EMPTY, assessed([10_000] * 10, fiscal_year=FY - 1))
    ledger = assess(ledger, assessed([10_000] * 10))
    ledger, _ = pay(ledger, rules, 400_000, date(FY, 7, 1), period=1, ref="BIG")
    today = date(FY, 7, 11)
    events = matching.settle(ledger, matching.Settle("ap", "rf", "Tanaka", today), rules)
    appropriated, refund = events
    assert isinstance(appropriated, Appropriated)
    assert isinstance(refund, RefundDecided)
    # overdue on 7/11: FY-1's ten instalments (June..March); FY's first was paid, its
    # second is due on 7/28 (not overdue: not appropriated)
    assert [(a.fiscal_year, a.period) for a in appropriated.principal][:2] == [
        (FY - 1, 1),
        (FY - 1, 2),
    ]
    assert [(a.fiscal_year, a.period) for a in appropriated.principal][-1] == (FY - 1, 10)
    assert sum(a.amount for a in appropriated.principal) == 10 * 10_000
    assert refund.amount == 400_000 - 10_000 - 100_000
    assert refund.pieces == ((date(FY, 7, 1), 290_000),)
    # 290,000 from 7/2 to 7/11 (10 days) at 10% = 794 → under 1,000: none
    assert refund.interest == 0
    later = matching.settle(ledger, matching.Settle("a", "r", "T", date(FY, 7, 31)), rules)
    # on 7/31 FY's second instalment is overdue too; 280,000 for 30 days = 2,301 → 2,300
    assert later[-1] == RefundDecided(
        "r", 280_000, 2_300, ((date(FY, 7, 1), 280_000),), "T", date(FY, 7, 31)
    )
    with pytest.raises(NothingToRefund):
        matching.settle(apply(ledger, events), matching.Settle("a2", "r2", "T", today), rules)
    with pytest.raises(ReversalAfterAppropriation):
        matching.reverse(apply(ledger, events), matching.ReversePayment("p-BIG", "x", "T", today))


def test_dunning_comes_after_the_citys_period_once() -> None:
    rules = flat(dunning_after_days=1, designated_deadline_days=10, dunning_fee=100)
    ledger = assess(EMPTY, assessed([10_000] * 10))
    due = dues()[0]
    assert jobs.dun(ledger, due, rules, lambda c: "n") == []
    [notice] = jobs.dun(ledger, due + timedelta(days=1), rules, lambda c: "n")
    assert (notice.period, notice.outstanding, notice.fee) == (1, 10_000, 100)  # type: ignore[union-attr]
    assert notice.designated_deadline == due + timedelta(days=11)  # type: ignore[union-attr]
    ledger = apply(ledger, [notice])
    assert jobs.dun(ledger, due + timedelta(days=2), rules, lambda c: "n") == []


def test_a_paid_instalment_is_not_dunned() -> None:
    rules = flat(dunning_after_days=1)
    ledger = assess(EMPTY, assessed([10_000] * 10))
    ledger, _ = pay(ledger, rules, 10_000, dues()[0], period=1)
    assert jobs.dun(ledger, dues()[0] + timedelta(days=1), rules, lambda c: "n") == []


def test_a_charge_lapses_two_years_after_and_is_written_off() -> None:
    ledger = assess(EMPTY, assessed([10_000] * 10))
    first = jobs.lapse_day(ledger.charges[(FY, 1)], PACKAGED)
    assert first == dues()[0] + timedelta(days=1) + (date(FY + 2, 6, 29) - date(FY, 6, 29))
    assert not [e for e in jobs.lapse(ledger, first - timedelta(days=1), PACKAGED) if e.period == 1]
    events = jobs.lapse(ledger, first, PACKAGED)
    assert [e.period for e in events] == [1]
    ledger = apply(ledger, events)
    charge = ledger.charges[(FY, 1)]
    assert (charge.written_off, charge.outstanding, charge.lapsed_on) == (10_000, 0, first)


def test_a_balance_as_of_a_day_ignores_what_came_later() -> None:
    events = charging.assess(EMPTY, assessed([10_000] * 10))
    ledger = apply(EMPTY, events)
    ledger2, paid = pay(ledger, PACKAGED, 10_000, date(FY, 7, 10), period=1)
    before = as_of(HOUSEHOLD, [*events, *paid], date(FY, 7, 9))
    after = as_of(HOUSEHOLD, [*events, *paid], date(FY, 7, 10))
    assert before.charges[(FY, 1)].paid == 0
    assert after.charges[(FY, 1)].paid == 10_000
    assert after == ledger2
