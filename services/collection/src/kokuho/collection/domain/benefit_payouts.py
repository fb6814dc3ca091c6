"""A benefit payout set against the household's arrears (充当, rules.md §4.4, §4.6, §4.7).

Benefits marks a payout ``may_appropriate_to_arrears`` (特別療養費: "the payout may be
appropriated to arrears", rules.md §4.6); collection decides. As an overpayment is (§4.4), it
goes first to overdue premiums: the principal of the charges past their 納期限, oldest first,
then their 延滞金 already fixed (§4.7: principal first, the national-tax rule, configuration in
the source). What is left is paid to the payee; nothing of the payout is held here. In the
ledger the appropriated part is a payment, channel ``benefit``, whose reference is benefits'
payment id; a charge it completes after its 納期限 fixes its 延滞金 as any payment does. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kokuho.collection.domain import matching
from kokuho.collection.domain.ledger import Applied, Charge, Event, Ledger, PaymentReceived
from kokuho.collection.domain.parameters import CollectionRules

BENEFIT_CHANNEL = "benefit"


@dataclass(frozen=True)
class AppropriatePayout:
    benefit_payment_id: str  # benefits' payment id (a UUID)
    payout: int
    on: date  # the day benefits ordered it: what is overdue on that day


def ledger_payment_id(benefit_payment_id: str) -> str:
    return f"benefit-{benefit_payment_id}"


def _take(charges: Iterable[Charge], amount: int, due: str) -> tuple[list[Applied], int]:
    applied: list[Applied] = []
    for c in charges:
        take = min(amount, getattr(c, due))
        if take > 0:
            applied.append(Applied(c.fiscal_year, c.period, take))
            amount -= take
    return applied, amount


def appropriate(ledger: Ledger, command: AppropriatePayout, rules: CollectionRules) -> list[Event]:
    """The payment (and the 延滞金 it fixes) that sets the payout against the overdue charges;
    none when nothing is overdue or this payout was taken in before."""
    if command.payout <= 0:
        raise ValueError("a payout is a positive amount")
    pid = ledger_payment_id(command.benefit_payment_id)
    if pid in ledger.payments:
        return []
    principal, rest = _take(ledger.overdue(command.on), command.payout, "outstanding")
    late_due = sorted(
        (c for c in ledger.charges.values() if c.late_charge_due > 0),
        key=lambda c: (c.due_date, c.fiscal_year, c.period),
    )
    late, rest = _take(late_due, rest, "late_charge_due")
    used = command.payout - rest
    if used == 0:
        return []
    received = PaymentReceived(
        pid,
        used,
        BENEFIT_CHANNEL,
        None,
        None,
        tuple(principal),
        tuple(late),
        0,
        command.benefit_payment_id,
        command.on,
        command.on,
    )
    return [received, *matching.fixed_late_charges(ledger, principal, command.on, rules)]


def appropriated(events: Iterable[Event]) -> int:
    return sum(e.amount for e in events if isinstance(e, PaymentReceived))
