"""督促 and 特別徴収: an instalment deducted from a pension is not dunned while the insurer's
result is not imported; once it is (a deduction short of the charge, or a stop moving it to
ordinary collection) the rest is dunned as any other, at the first dunning day itself."""

from __future__ import annotations

from datetime import date, timedelta

from kokuho.collection.domain import charging, jobs, matching, pension
from kokuho.collection.domain.ledger import ChargeSet, Ledger

from .ledgers import FY, HOUSEHOLD, apply
from .rules import flat

RULES = flat(dunning_after_days=20)
DUE = pension.due_date(FY, 4)  # pension month 4 (period 1): 2026-05-10


def special() -> Ledger:
    command = charging.AssessCharges(
        "a1",
        FY,
        1,
        "assessment",
        [
            charging.Instalment(pension.period_of(m), pension.due_date(FY, m), 12_000)
            for m in (4, 6)
        ],
        "system:test",
        date(FY, 4, 1),
        collection_method="special",
    )
    ledger = Ledger(HOUSEHOLD)
    return apply(ledger, charging.assess(ledger, command))


def dunned(ledger: Ledger, day: date) -> list[int]:
    return [e.period for e in jobs.dun(ledger, day, RULES, lambda c: "n")]


def test_without_the_insurers_result_a_special_instalment_is_not_dunned() -> None:
    ledger = special()
    first = jobs.first_dunning_day(ledger.charges[(FY, 1)], RULES)
    assert ledger.charges[(FY, 1)].collection_method == "special"
    assert dunned(ledger, first) == []
    assert dunned(ledger, first + timedelta(days=365)) == []


def test_an_ordinary_instalment_due_the_same_day_is_dunned_on_the_first_day() -> None:
    ledger = special()
    moved = ChargeSet(FY, 1, DUE, 12_000, 12_000, "correction", "x", 1, "t", None, DUE, "ordinary")
    ledger = apply(ledger, [moved])
    first = jobs.first_dunning_day(ledger.charges[(FY, 1)], RULES)
    assert dunned(ledger, first - timedelta(days=1)) == []
    assert dunned(ledger, first) == [1]


def test_a_deduction_short_of_the_charge_leaves_the_rest_to_dun() -> None:
    ledger = special()
    paid = matching.ReceivePayment("p1", 10_000, "pension", FY, 1, "P1", date(FY, 4, 15), DUE)
    ledger = apply(ledger, matching.receive(ledger, paid, RULES))
    first = jobs.first_dunning_day(ledger.charges[(FY, 1)], RULES)
    assert dunned(ledger, first - timedelta(days=1)) == []
    assert dunned(ledger, first) == [1]  # period 2's result has not come: not dunned


def test_a_stopped_deduction_is_dunned_from_its_new_due_date() -> None:
    ledger = special()
    new_due = pension.ordinary_due(date(FY, 5, 20))
    stop = ChargeSet(
        FY, 1, new_due, 12_000, 12_000, "correction", "s", 1, "t", None, DUE, "ordinary"
    )
    ledger = apply(ledger, [stop])
    first = jobs.first_dunning_day(ledger.charges[(FY, 1)], RULES)
    assert first == new_due + timedelta(days=20)
    assert dunned(ledger, first - timedelta(days=1)) == []
    assert dunned(ledger, first) == [1]


def test_a_manual_change_keeps_the_method() -> None:
    ledger = special()
    manual = ChargeSet(FY, 1, DUE, 11_000, 12_000, "manual", "c", 0, "t", "u", DUE)
    assert apply(ledger, [manual]).charges[(FY, 1)].collection_method == "special"
