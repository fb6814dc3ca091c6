"""Hypothesis: whatever happens to a ledger (assessments and corrections up or down, payments
to an instalment or to none, reversals, settlements, lapses), money is conserved:

- per instalment: charged = paid + outstanding + written off, none of them negative;
- per household: received = principal paid + 延滞金 paid + held + refunded;
- refunds never exceed the overpayments that arose.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kokuho.collection.domain import charging, jobs, matching
from kokuho.collection.domain.errors import CollectionError
from kokuho.collection.domain.ledger import (
    Event,
    Ledger,
    OverpaymentArisen,
    PaymentReceived,
    PaymentReversed,
    RefundDecided,
    replay,
)

from .ledgers import FY, HOUSEHOLD, assessed
from .rules import flat

RULES = flat("0.1", dunning_after_days=1)
START = date(FY, 6, 15)

amounts = st.lists(st.integers(0, 60_000), min_size=1, max_size=10)
step = st.one_of(
    st.tuples(st.just("assess"), amounts),
    st.tuples(st.just("pay"), st.integers(1, 120_000), st.one_of(st.none(), st.integers(1, 10))),
    st.tuples(st.just("reverse"), st.integers(0, 20)),
    st.tuples(st.just("settle")),
    st.tuples(st.just("lapse"), st.integers(0, 1500)),
)


def run(steps: list[tuple[object, ...]]) -> tuple[Ledger, list[Event]]:
    ledger, history = Ledger(HOUSEHOLD), []
    day, revision = START, 0
    for n, s in enumerate(steps):
        day += timedelta(days=7)
        kind = s[0]
        try:
            if kind == "assess":
                revision += 1
                events = charging.assess(ledger, assessed(list(s[1]), revision, on=day))  # type: ignore[call-overload]
            elif kind == "pay":
                period = s[2]
                cmd = matching.ReceivePayment(
                    f"p{n}",
                    s[1],
                    "bank",
                    FY if period else None,
                    period,
                    f"r{n}",
                    day,
                    day,  # type: ignore[arg-type]
                )
                events = matching.receive(ledger, cmd, RULES)
            elif kind == "reverse":
                ids = sorted(ledger.payments)
                if not ids:
                    continue
                pid = ids[s[1] % len(ids)]  # type: ignore[operator]
                events = matching.reverse(ledger, matching.ReversePayment(pid, "x", "T", day))
            elif kind == "settle":
                events = matching.settle(ledger, matching.Settle(f"a{n}", f"r{n}", "T", day), RULES)
            else:
                events = jobs.lapse(ledger, day + timedelta(days=s[1]), RULES)  # type: ignore[operator]
        except CollectionError:
            continue
        ledger = replay(HOUSEHOLD, events, ledger)
        history.extend(events)
    return ledger, history


@settings(max_examples=300, deadline=None)
@given(st.lists(step, max_size=25))
def test_money_is_conserved(steps: list[tuple[object, ...]]) -> None:
    ledger, history = run(steps)
    for c in ledger.charges.values():
        assert c.amount == c.paid + c.outstanding + c.written_off
        assert c.paid >= 0
        assert c.outstanding >= 0
        assert c.written_off >= 0
        assert 0 <= c.late_charge_paid <= c.late_charge
    paid = sum(c.paid for c in ledger.charges.values())
    late_paid = sum(c.late_charge_paid for c in ledger.charges.values())
    assert ledger.received == paid + late_paid + ledger.held_total + ledger.refunded
    assert all(h.amount > 0 for h in ledger.held)
    # the replay of the history is the ledger (evolve is a function of the events)
    assert replay(HOUSEHOLD, history) == ledger


@settings(max_examples=300, deadline=None)
@given(st.lists(step, max_size=25))
def test_refunds_never_exceed_overpayments(steps: list[tuple[object, ...]]) -> None:
    _, history = run(steps)
    reversed_ids = {e.payment_id for e in history if isinstance(e, PaymentReversed)}
    over = sum(e.overpaid for e in history if isinstance(e, PaymentReceived))
    over += sum(e.amount for e in history if isinstance(e, OverpaymentArisen))
    refunded = sum(e.amount for e in history if isinstance(e, RefundDecided))
    assert refunded <= over
    kept = sum(
        e.overpaid
        for e in history
        if isinstance(e, PaymentReceived) and e.payment_id not in reversed_ids
    ) + sum(e.amount for e in history if isinstance(e, OverpaymentArisen))
    assert refunded <= kept
