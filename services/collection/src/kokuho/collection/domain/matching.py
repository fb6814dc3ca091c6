"""消込, 充当 and 還付: payments matched to charges, reversals, and the overpayment held
appropriated then refunded.

- A payment for a named instalment (a slip's notice number, a debit) pays that instalment's
  principal; one without (a counter payment) pays the oldest unpaid principal first, then the
  oldest 延滞金. What is left is an overpayment held (過誤納金), for the work list.
- A payment that completes a charge after its 納期限 fixes its 延滞金 (``interest``).
- ``settle``: the overpayment held goes first to overdue principal, oldest first, then to
  延滞金 (rules.md §4.4, 地方税法17条の2; the order between principal and 延滞金 is the
  national-tax rule, ◐ [C25]); the rest is refunded with 還付加算金 to the decision day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kokuho.collection.domain.errors import (
    AmountNotPositive,
    DuplicatePayment,
    NothingToRefund,
    PaidInTheFuture,
    PaymentAlreadyReversed,
    PaymentNotFound,
    ReasonRequired,
    ReversalAfterAppropriation,
)
from kokuho.collection.domain.interest import late_charge, refund_interest
from kokuho.collection.domain.ledger import (
    Applied,
    Appropriated,
    Charge,
    Event,
    Held,
    LateChargeFixed,
    Ledger,
    PaymentReceived,
    PaymentReversed,
    RefundDecided,
)
from kokuho.collection.domain.parameters import CollectionRules

CHANNELS = ("bank", "convenience_store", "counter", "direct_debit", "pension", "enforcement")


@dataclass(frozen=True)
class ReceivePayment:
    payment_id: str
    amount: int
    channel: str
    fiscal_year: int | None
    period: int | None
    reference: str
    paid_on: date
    received_on: date


@dataclass(frozen=True)
class ReversePayment:
    payment_id: str
    reason: str
    reversed_by: str
    on: date


@dataclass(frozen=True)
class Settle:
    appropriation_id: str
    refund_id: str
    decided_by: str
    on: date


def _pay(charges: list[Charge], amount: int) -> tuple[list[Applied], int]:
    applied: list[Applied] = []
    for c in charges:
        take = min(amount, c.outstanding)
        if take > 0:
            applied.append(Applied(c.fiscal_year, c.period, take))
            amount -= take
    return applied, amount


def _pay_late(charges: list[Charge], amount: int) -> tuple[list[Applied], int]:
    applied: list[Applied] = []
    for c in charges:
        take = min(amount, c.late_charge_due)
        if take > 0:
            applied.append(Applied(c.fiscal_year, c.period, take))
            amount -= take
    return applied, amount


def _oldest(ledger: Ledger) -> list[Charge]:
    return sorted(ledger.charges.values(), key=lambda c: (c.due_date, c.fiscal_year, c.period))


def fixed_late_charges(
    ledger: Ledger, applied: list[Applied], paid_on: date, rules: CollectionRules
) -> list[Event]:
    """延滞金 of each charge a payment completes after its 納期限."""
    events: list[Event] = []
    for a in applied:
        c = ledger.charges[(a.fiscal_year, a.period)]
        if c.outstanding != a.amount or paid_on <= c.due_date or c.late_charge:
            continue
        payments = [*c.payments, (paid_on, a.amount)]
        amount = late_charge(c.amount, c.due_date, payments, paid_on, rules, c.designated_deadline)
        if amount:
            events.append(LateChargeFixed(c.fiscal_year, c.period, amount, paid_on))
    return events


def receive(ledger: Ledger, command: ReceivePayment, rules: CollectionRules) -> list[Event]:
    if command.amount <= 0:
        raise AmountNotPositive(f"payment {command.reference}: the amount is not positive")
    if command.paid_on > command.received_on:
        raise PaidInTheFuture(f"payment {command.reference}: paid after it was received")
    if command.payment_id in ledger.payments:
        raise DuplicatePayment(f"payment {command.reference} was recorded already")
    late: list[Applied] = []
    if command.fiscal_year is not None and command.period is not None:
        charge = ledger.charge((command.fiscal_year, command.period))
        applied, rest = _pay([charge] if charge else [], command.amount)
    else:
        applied, rest = _pay(_oldest(ledger), command.amount)
        late, rest = _pay_late(_oldest(ledger), rest)
    received = PaymentReceived(
        command.payment_id,
        command.amount,
        command.channel,
        command.fiscal_year,
        command.period,
        tuple(applied),
        tuple(late),
        rest,
        command.reference,
        command.received_on,
        command.paid_on,
    )
    return [received, *fixed_late_charges(ledger, applied, command.paid_on, rules)]


def reverse(ledger: Ledger, command: ReversePayment) -> list[Event]:
    payment = ledger.payments.get(command.payment_id)
    if payment is None:
        raise PaymentNotFound(f"no payment {command.payment_id} in this household")
    if payment.reversed:
        raise PaymentAlreadyReversed(f"payment {command.payment_id} was reversed already")
    if not command.reason.strip():
        raise ReasonRequired("a reversal names its reason (C-24)")
    principal: list[Applied] = []
    from_held = payment.overpaid
    for a in payment.applied:  # what a correction released since is held now
        still = min(a.amount, ledger.charges[(a.fiscal_year, a.period)].paid)
        if still:
            principal.append(Applied(a.fiscal_year, a.period, still))
        from_held += a.amount - still
    if from_held > ledger.held_total:
        raise ReversalAfterAppropriation(
            f"payment {command.payment_id}: its overpaid part was appropriated or refunded"
        )
    return [
        PaymentReversed(
            command.payment_id,
            command.reason,
            command.reversed_by,
            tuple(principal),
            from_held,
            command.on,
        )
    ]


def _remaining(held: tuple[Held, ...], used: int) -> list[tuple[date, int]]:
    """The held pieces left once ``used`` yen were taken, oldest first."""
    left: list[tuple[date, int]] = []
    for piece in held:
        take = min(used, piece.amount)
        used -= take
        if piece.amount > take:
            left.append((piece.since, piece.amount - take))
    return left


def settle(ledger: Ledger, command: Settle, rules: CollectionRules) -> list[Event]:
    """充当 to overdue charges and their 延滞金, then 還付 of the rest with 還付加算金."""
    held = ledger.held_total
    if held <= 0:
        raise NothingToRefund(f"household {ledger.household} holds no overpayment")
    overdue = ledger.overdue(command.on)
    principal, rest = _pay(overdue, held)
    late, rest = _pay_late(
        sorted(
            (c for c in ledger.charges.values() if c.late_charge_due > 0),
            key=lambda c: (c.due_date, c.fiscal_year, c.period),
        ),
        rest,
    )
    events: list[Event] = []
    if principal or late:
        events.append(
            Appropriated(command.appropriation_id, tuple(principal), tuple(late), command.on)
        )
    if rest:
        pieces = _remaining(ledger.held, held - rest)
        interest = refund_interest(pieces, command.on, rules)
        events.append(
            RefundDecided(
                command.refund_id, rest, interest, tuple(pieces), command.decided_by, command.on
            )
        )
    return events
