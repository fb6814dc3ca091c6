"""The daily jobs' rules: 督促 (地方自治法231条の3(1), rules.md §4.2) and 時効 (国保法110条,
rules.md §4.5), and the 延滞金 of a charge on demand.

- 督促: a charge still unpaid ``dunning_after_days`` days after its 納期限 gets one dunning
  notice, with its 指定期限 ``designated_deadline_days`` after the issue day and the city's
  fee (both configuration: Hiroshima's are unconfirmed).
  An instalment under 特別徴収 whose insurer result is not imported yet is not dunned.
- 時効: a charge whose period (from the 納期限, renewed by the acts in ``prescription``) has run
  out is marked lapsed and its outstanding principal is marked for write-off (不納欠損).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from kokuho.collection.domain.interest import late_charge
from kokuho.collection.domain.ledger import Charge, ChargeLapsed, DunningIssued, Event, Ledger
from kokuho.collection.domain.parameters import CollectionRules
from kokuho.collection.domain.prescription import lapses_on


def first_dunning_day(charge: Charge, rules: CollectionRules) -> date:
    return charge.due_date + timedelta(days=rules.dunning_after_days)


def awaiting_pension_result(ledger: Ledger, charge: Charge) -> bool:
    """特別徴収: the pension insurer deducts the instalment and pays the city by its 納期限;
    until its result is imported (a deduction paid, channel ``pension``, or a stop that moves
    the charge to ordinary collection) there is nothing to dun."""
    if charge.collection_method != "special":
        return False
    return not any(
        p.channel == "pension"
        and not p.reversed
        and any(
            a.fiscal_year == charge.fiscal_year and a.period == charge.period for a in p.applied
        )
        for p in ledger.payments.values()
    )


def dun(
    ledger: Ledger, today: date, rules: CollectionRules, notice_id: Callable[[Charge], str]
) -> list[Event]:
    return [
        DunningIssued(
            notice_id(c),
            c.fiscal_year,
            c.period,
            c.outstanding,
            rules.dunning_fee,
            today + timedelta(days=rules.designated_deadline_days),
            today,
        )
        for c in sorted(ledger.charges.values(), key=lambda c: c.key)
        if c.outstanding > 0
        and c.dunned_on is None
        and c.lapsed_on is None
        and today >= first_dunning_day(c, rules)
        and not awaiting_pension_result(ledger, c)
    ]


def lapse_day(charge: Charge, rules: CollectionRules) -> date:
    return lapses_on(charge.due_date, charge.renewals, rules.prescription_years)


def lapse(ledger: Ledger, today: date, rules: CollectionRules) -> list[Event]:
    return [
        ChargeLapsed(c.fiscal_year, c.period, c.outstanding, today)
        for c in sorted(ledger.charges.values(), key=lambda c: c.key)
        if c.outstanding > 0 and c.lapsed_on is None and today >= lapse_day(c, rules)
    ]


def late_charge_on(charge: Charge, day: date, rules: CollectionRules) -> int:
    """The 延滞金 of a charge: fixed once its principal was paid, else accrued to ``day``."""
    if charge.late_charge or charge.outstanding <= 0 or day <= charge.due_date:
        return charge.late_charge
    return late_charge(
        charge.amount, charge.due_date, charge.payments, day, rules, charge.designated_deadline
    )
