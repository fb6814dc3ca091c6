"""Delinquency's acts on an instalment (``domain/acts``): a renewal of the 時効 and the
prescription job at the lapse day itself, with and without it; a write-off (不納欠損) in the
balance, never paid, once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kokuho.collection.app.balances import balance_of
from kokuho.collection.domain import acts, jobs
from kokuho.collection.domain.errors import ChargeLapsedAlready, ChargeNotFound
from kokuho.collection.domain.ledger import ChargePrescriptionRenewed, ChargeWrittenOff, Ledger
from kokuho.collection.domain.prescription import lapses_on

from .ledgers import FY, HOUSEHOLD, apply, assess, assessed, dues, pay
from .rules import flat

ONE_DAY = timedelta(days=1)
RULES = flat()  # rates for every year the balances below run to
KEY = (FY, 1)


def charged() -> Ledger:
    return assess(Ledger(HOUSEHOLD), assessed([10_000] * 10))


def lapsed_periods(ledger: Ledger, day: date) -> list[int]:
    return [e.period for e in jobs.lapse(ledger, day, RULES) if e.fiscal_year == FY]


def test_without_a_renewal_the_charge_lapses_on_its_lapse_day_not_before() -> None:
    ledger = charged()
    day = jobs.lapse_day(ledger.charges[KEY], RULES)
    assert day == lapses_on(dues()[0], [], 2)
    assert 1 not in lapsed_periods(ledger, day - ONE_DAY)
    assert 1 in lapsed_periods(ledger, day)


def test_a_renewal_keeps_the_prescription_job_from_lapsing_it_on_the_old_day() -> None:
    ledger = charged()
    old_day = jobs.lapse_day(ledger.charges[KEY], RULES)
    assert old_day == date(FY + 2, 6, 29)  # due 2026-06-28: 2026-06-29..2028-06-28
    act_day = date(FY + 2, 5, 30)  # a seizure a month before the right would lapse
    events = acts.renew(ledger, FY, 1, "seizure", act_day)
    assert events == [ChargePrescriptionRenewed(FY, 1, "seizure", act_day)]
    ledger = apply(ledger, events)
    new_day = jobs.lapse_day(ledger.charges[KEY], RULES)
    assert new_day == date(FY + 4, 5, 31)  # 2028-05-31..2030-05-30, lapsed from the day after
    assert 1 not in lapsed_periods(ledger, old_day)  # the old lapse day itself: not lapsed
    assert 1 not in lapsed_periods(ledger, new_day - ONE_DAY)
    assert 1 in lapsed_periods(ledger, new_day)
    assert balance_of(ledger, old_day, RULES).instalments[0].lapses_on == new_day


def test_the_same_act_again_changes_nothing() -> None:
    ledger = apply(charged(), acts.renew(charged(), FY, 1, "plan", date(FY, 12, 1)))
    assert acts.renew(ledger, FY, 1, "plan", date(FY, 12, 1)) == []
    assert acts.renew(ledger, FY, 1, "seizure", date(FY, 12, 1)) != []  # another act counts


def test_a_renewal_after_the_lapse_is_refused_and_an_unknown_instalment_too() -> None:
    ledger = charged()
    day = jobs.lapse_day(ledger.charges[KEY], RULES)
    ledger = apply(ledger, jobs.lapse(ledger, day, RULES))
    with pytest.raises(ChargeLapsedAlready):
        acts.renew(ledger, FY, 1, "seizure", day - ONE_DAY)
    with pytest.raises(ChargeNotFound):
        acts.renew(ledger, FY, 11, "plan", day)
    with pytest.raises(ChargeNotFound):
        acts.write_off(ledger, FY - 1, 1, 1, "prescription", day)


def test_a_write_off_is_in_the_balance_never_paid_and_once() -> None:
    ledger, _ = pay(charged(), RULES, 4_000, date(FY, 7, 10), period=1)
    on = date(FY + 1, 3, 31)
    events = acts.write_off(ledger, FY, 1, 6_000, "suspension_period", on)
    assert events == [ChargeWrittenOff(FY, 1, 6_000, "suspension_period", on)]
    ledger = apply(ledger, events)
    charge = ledger.charges[KEY]
    assert (charge.paid, charge.written_off, charge.outstanding) == (4_000, 6_000, 0)
    assert charge.amount == charge.paid + charge.outstanding + charge.written_off
    assert ledger.received == 4_000  # nothing counted as paid
    row = balance_of(ledger, on, RULES).instalments[0]
    assert (row.paid, row.written_off, row.written_off_on, row.overdue) == (4_000, 6_000, on, 0)
    assert acts.write_off(ledger, FY, 1, 6_000, "suspension_period", on) == []  # a repeat
    assert 1 not in [e.period for e in jobs.dun(ledger, on, RULES, lambda c: "n")]
    assert 1 not in lapsed_periods(ledger, on + timedelta(days=3 * 365))


def test_a_write_off_after_collections_own_lapse_records_it_without_writing_off_twice() -> None:
    ledger = charged()
    day = jobs.lapse_day(ledger.charges[KEY], RULES)
    ledger = apply(ledger, jobs.lapse(ledger, day, RULES))
    [event] = acts.write_off(ledger, FY, 1, 10_000, "prescription", day + ONE_DAY)
    assert event.amount == 0
    charge = apply(ledger, [event]).charges[KEY]
    assert (charge.written_off, charge.written_off_on) == (10_000, day + ONE_DAY)


def test_a_write_off_never_exceeds_what_is_outstanding() -> None:
    ledger, _ = pay(charged(), RULES, 4_000, date(FY, 7, 10), period=1)
    [event] = acts.write_off(ledger, FY, 1, 10_000, "prescription", date(FY + 2, 7, 1))
    assert event.amount == 6_000
