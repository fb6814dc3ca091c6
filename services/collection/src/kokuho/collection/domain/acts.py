"""Acts delinquency records on an instalment that change collection's ledger (its public
``PrescriptionRenewed`` and ``ArrearWrittenOff``):

- 時効の更新 (民法148条, 152条: a plan, a seizure, its end, a distribution demand): the 2-year
  period (国保法110条) runs again from the day after the act, so the prescription job lapses
  the charge no earlier than ``lapses_on`` with the act among the renewals. The same act on
  the same day again changes nothing; a renewal of a charge that has lapsed already is refused
  (``ChargeLapsedAlready``: the consumer dead-letters it with its reason, for a person).
- 不納欠損: the outstanding principal is written off (never paid); what collection's own lapse
  marked already is not written off twice (the event then records 0). Once per instalment: a
  repeat changes nothing.
"""

from __future__ import annotations

from datetime import date

from kokuho.collection.domain.errors import ChargeLapsedAlready, ChargeNotFound
from kokuho.collection.domain.ledger import (
    Charge,
    ChargePrescriptionRenewed,
    ChargeWrittenOff,
    Event,
    Ledger,
)


def _charge(ledger: Ledger, fiscal_year: int, period: int) -> Charge:
    charge = ledger.charge((fiscal_year, period))
    if charge is None:
        raise ChargeNotFound(f"household {ledger.household} has no charge {fiscal_year}/{period}")
    return charge


def renew(ledger: Ledger, fiscal_year: int, period: int, act: str, on: date) -> list[Event]:
    charge = _charge(ledger, fiscal_year, period)
    if (on, act) in charge.acts:
        return []
    if charge.lapsed_on is not None:
        raise ChargeLapsedAlready(
            f"charge {fiscal_year}/{period} of household {ledger.household} lapsed on"
            f" {charge.lapsed_on.isoformat()}; the {act} of {on.isoformat()} renews nothing"
        )
    return [ChargePrescriptionRenewed(fiscal_year, period, act, on)]


def write_off(
    ledger: Ledger, fiscal_year: int, period: int, amount: int, ground: str, on: date
) -> list[Event]:
    charge = _charge(ledger, fiscal_year, period)
    if charge.written_off_on is not None:
        return []
    return [ChargeWrittenOff(fiscal_year, period, min(amount, charge.outstanding), ground, on)]
