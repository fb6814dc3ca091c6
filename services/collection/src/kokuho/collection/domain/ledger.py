"""A household's ledger (収納台帳): the charges (調定) per fiscal year and instalment, the
payments matched to them (消込), the overpayment held (過誤納金), and what was appropriated,
refunded, dunned and written off. One aggregate per NHI household number (stream
``household-<number>``).

``evolve(state, event)`` applies one event through a dispatch table; the deciders live in
``charging``, ``matching`` and ``jobs``. Every event carries ``on``, the day it takes effect, so
a balance as of any day is the replay of the events up to that day (``as_of``).

Money is conserved: ``received = paid + late_charge_paid + held + refunded`` and, per charge,
``amount = paid + outstanding + written_off`` (tests/unit/test_properties.py).

The charges themselves (``Charge``, ``Charges``, ``PendingChange``) are in ``charges``; this
module re-exports them with the events, the ledger's vocabulary in one import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, TypeVar

from kokuho.collection.domain.charges import Charge, Charges, Key, PendingChange
from kokuho.collection.domain.events import (
    ALL_EVENTS,
    Applied,
    Appropriated,
    ChargeChangeEntered,
    ChargeChangeRejected,
    ChargeLapsed,
    ChargePrescriptionRenewed,
    ChargeSet,
    ChargeWrittenOff,
    DirectDebitFailed,
    DunningIssued,
    Event,
    LateChargeFixed,
    OverpaymentArisen,
    PaymentReceived,
    PaymentReversed,
    PensionDeductionStopped,
    RefundDecided,
)

__all__ = [
    "ALL_EVENTS",
    "Applied",
    "Appropriated",
    "Charge",
    "ChargeChangeEntered",
    "ChargeChangeRejected",
    "ChargeLapsed",
    "ChargePrescriptionRenewed",
    "ChargeSet",
    "ChargeWrittenOff",
    "Charges",
    "DirectDebitFailed",
    "DunningIssued",
    "Event",
    "Held",
    "Key",
    "LateChargeFixed",
    "Ledger",
    "OverpaymentArisen",
    "Payment",
    "PaymentReceived",
    "PaymentReversed",
    "PendingChange",
    "PensionDeductionStopped",
    "RefundDecided",
    "as_of",
    "evolve",
    "replay",
]

_T = TypeVar("_T")


@dataclass(frozen=True)
class Held:
    """A piece of overpayment held (過誤納金): refund interest runs from the day after ``since``."""

    amount: int
    since: date


@dataclass(frozen=True)
class Payment:
    payment_id: str
    amount: int
    paid_on: date
    channel: str
    applied: tuple[Applied, ...]
    late_charge_applied: tuple[Applied, ...]
    overpaid: int
    reversed: bool = False


def _charges(ledger: Ledger) -> Charges:
    found = ledger.charges
    return found if isinstance(found, Charges) else Charges(found)


@dataclass(frozen=True)
class Ledger:
    household: str
    charges: Mapping[Key, Charge] = field(default_factory=lambda: MappingProxyType({}))
    held: tuple[Held, ...] = ()
    payments: Mapping[str, Payment] = field(default_factory=lambda: MappingProxyType({}))
    pending: Mapping[str, PendingChange] = field(default_factory=lambda: MappingProxyType({}))
    received: int = 0
    refunded: int = 0
    revisions: Mapping[int, int] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def held_total(self) -> int:
        return sum(h.amount for h in self.held)

    def charge(self, key: Key) -> Charge | None:
        return self.charges.get(key)

    def overdue(self, today: date) -> list[Charge]:
        """Charges unpaid after their 納期限, oldest first."""
        return sorted(
            (c for c in self.charges.values() if c.outstanding > 0 and c.due_date < today),
            key=lambda c: (c.due_date, c.fiscal_year, c.period),
        )


# --- evolve ---------------------------------------------------------------------------------


def _copy(value: _T, **changes: Any) -> _T:
    """``dataclasses.replace`` for these plain frozen records (no ``__post_init__``, no
    slots) at a fifth of its cost: a payment file evolves a ledger per line."""
    fields = value.__dict__
    if not fields.keys() >= changes.keys():
        raise TypeError(f"{type(value).__name__} has no field {set(changes) - set(fields)}")
    new = object.__new__(type(value))
    new.__dict__.update(fields, **changes)
    return new


def _with(ledger: Ledger, **changes: Any) -> Ledger:
    return _copy(ledger, **changes)


def _put(ledger: Ledger, *charges: Charge) -> Charges:
    return _charges(ledger).updated({c.key: c for c in charges})


def _take_held(held: tuple[Held, ...], amount: int) -> tuple[Held, ...]:
    """Oldest pieces first."""
    kept: list[Held] = []
    for piece in held:
        used = min(amount, piece.amount)
        amount -= used
        if piece.amount > used:
            kept.append(Held(piece.amount - used, piece.since))
    if amount:
        raise ValueError("more taken than held")
    return tuple(kept)


def _charge_set(ledger: Ledger, e: ChargeSet) -> Ledger:
    old = ledger.charge((e.fiscal_year, e.period))
    if old is None:
        charge = Charge(
            e.fiscal_year,
            e.period,
            e.due_date,
            e.amount,
            history=((e.on, 0, e.cause),),
            collection_method=e.collection_method or "ordinary",
        )
    else:
        history = (*old.history, (e.on, old.amount, e.cause))
        # lowered below what was written off: the write-off shrinks (what was paid above the
        # new amount is released by the OverpaymentArisen that follows)
        written_off = min(old.written_off, max(0, e.amount - min(old.paid, e.amount)))
        charge = _copy(
            old,
            amount=e.amount,
            due_date=e.due_date,
            history=history,
            written_off=written_off,
            collection_method=e.collection_method or old.collection_method,
        )
    revisions = dict(ledger.revisions)
    if e.cause != "manual":
        revisions[e.fiscal_year] = max(revisions.get(e.fiscal_year, 0), e.revision)
    pending = {k: v for k, v in ledger.pending.items() if k != e.source_id}
    return _with(
        ledger,
        charges=_put(ledger, charge),
        revisions=MappingProxyType(revisions),
        pending=MappingProxyType(pending),
    )


def _apply(ledger: Ledger, items: Iterable[Applied], day: date, sign: int = 1) -> list[Charge]:
    out: dict[Key, Charge] = {}
    for a in items:
        c = out.get((a.fiscal_year, a.period)) or ledger.charges[(a.fiscal_year, a.period)]
        payments = (*c.payments, (day, sign * a.amount))
        out[c.key] = _copy(c, paid=c.paid + sign * a.amount, payments=payments)
    return list(out.values())


def _apply_late(ledger: Ledger, items: Iterable[Applied], sign: int = 1) -> list[Charge]:
    out: dict[Key, Charge] = {}
    for a in items:
        c = out.get((a.fiscal_year, a.period)) or ledger.charges[(a.fiscal_year, a.period)]
        out[c.key] = _copy(c, late_charge_paid=c.late_charge_paid + sign * a.amount)
    return list(out.values())


def _overpayment(ledger: Ledger, e: OverpaymentArisen) -> Ledger:
    c = ledger.charges[(e.fiscal_year, e.period)]
    released = _copy(c, paid=c.paid - e.amount, payments=(*c.payments, (e.on, -e.amount)))
    return _with(
        ledger, charges=_put(ledger, released), held=(*ledger.held, Held(e.amount, e.since))
    )


def _received(ledger: Ledger, e: PaymentReceived) -> Ledger:
    # One copy of the charges and of the ledger: the payment file evolves a ledger per line.
    charges: dict[Key, Charge] = {}
    for c in _apply(ledger, e.applied, e.on):
        if c.outstanding > 0:  # a part payment acknowledges the rest (民法152条)
            c = _copy(c, renewals=(*c.renewals, e.on))
        charges[c.key] = c
    for a in e.late_charge_applied:
        key = (a.fiscal_year, a.period)
        c = charges.get(key) or ledger.charges[key]
        charges[key] = _copy(c, late_charge_paid=c.late_charge_paid + a.amount)
    payment = Payment(
        e.payment_id, e.amount, e.on, e.channel, e.applied, e.late_charge_applied, e.overpaid
    )
    held = (*ledger.held, Held(e.overpaid, e.on)) if e.overpaid else ledger.held
    return _with(
        ledger,
        charges=_charges(ledger).updated(charges),
        held=held,
        payments=MappingProxyType({**ledger.payments, e.payment_id: payment}),
        received=ledger.received + e.amount,
    )


def _reversed(ledger: Ledger, e: PaymentReversed) -> Ledger:
    p = ledger.payments[e.payment_id]
    ledger = _with(ledger, charges=_put(ledger, *_apply(ledger, e.principal, e.on, -1)))
    ledger = _with(ledger, charges=_put(ledger, *_apply_late(ledger, p.late_charge_applied, -1)))
    held = _take_held(ledger.held, e.from_held) if e.from_held else ledger.held
    payments = {**ledger.payments, e.payment_id: _copy(p, reversed=True)}
    return _with(
        ledger, held=held, payments=MappingProxyType(payments), received=ledger.received - p.amount
    )


def _appropriated(ledger: Ledger, e: Appropriated) -> Ledger:
    ledger = _with(ledger, charges=_put(ledger, *_apply(ledger, e.principal, e.on)))
    ledger = _with(ledger, charges=_put(ledger, *_apply_late(ledger, e.late_charge)))
    used = sum(a.amount for a in (*e.principal, *e.late_charge))
    return _with(ledger, held=_take_held(ledger.held, used))


def _refunded(ledger: Ledger, e: RefundDecided) -> Ledger:
    return _with(
        ledger, held=_take_held(ledger.held, e.amount), refunded=ledger.refunded + e.amount
    )


def _late_fixed(ledger: Ledger, e: LateChargeFixed) -> Ledger:
    c = ledger.charges[(e.fiscal_year, e.period)]
    return _with(ledger, charges=_put(ledger, _copy(c, late_charge=c.late_charge + e.amount)))


def _dunned(ledger: Ledger, e: DunningIssued) -> Ledger:
    c = ledger.charges[(e.fiscal_year, e.period)]
    dunned = _copy(
        c,
        dunned_on=e.on,
        designated_deadline=e.designated_deadline,
        renewals=(*c.renewals, e.designated_deadline),
    )
    return _with(ledger, charges=_put(ledger, dunned))


def _lapsed(ledger: Ledger, e: ChargeLapsed) -> Ledger:
    c = ledger.charges[(e.fiscal_year, e.period)]
    lapsed = _copy(c, written_off=c.written_off + e.amount, lapsed_on=e.on)
    return _with(ledger, charges=_put(ledger, lapsed))


def _renewed(ledger: Ledger, e: ChargePrescriptionRenewed) -> Ledger:
    c = ledger.charges[(e.fiscal_year, e.period)]
    renewed = _copy(c, renewals=(*c.renewals, e.on), acts=(*c.acts, (e.on, e.act)))
    return _with(ledger, charges=_put(ledger, renewed))


def _written_off(ledger: Ledger, e: ChargeWrittenOff) -> Ledger:
    c = ledger.charges[(e.fiscal_year, e.period)]
    off = _copy(
        c, written_off=c.written_off + e.amount, written_off_on=e.on, write_off_ground=e.ground
    )
    return _with(ledger, charges=_put(ledger, off))


def _change_entered(ledger: Ledger, e: ChargeChangeEntered) -> Ledger:
    change = PendingChange(
        e.change_id, e.fiscal_year, e.period, e.amount, e.due_date, e.reason, e.entered_by
    )
    return _with(ledger, pending=MappingProxyType({**ledger.pending, e.change_id: change}))


def _change_rejected(ledger: Ledger, e: ChargeChangeRejected) -> Ledger:
    pending = {k: v for k, v in ledger.pending.items() if k != e.change_id}
    return _with(ledger, pending=MappingProxyType(pending))


EVOLVERS: dict[type[Any], Callable[[Ledger, Any], Ledger]] = {
    ChargeSet: _charge_set,
    OverpaymentArisen: _overpayment,
    PaymentReceived: _received,
    PaymentReversed: _reversed,
    Appropriated: _appropriated,
    RefundDecided: _refunded,
    LateChargeFixed: _late_fixed,
    DunningIssued: _dunned,
    ChargeLapsed: _lapsed,
    ChargePrescriptionRenewed: _renewed,
    ChargeWrittenOff: _written_off,
    ChargeChangeEntered: _change_entered,
    ChargeChangeRejected: _change_rejected,
    # facts for the slip and the other services: the charge itself moves by its ChargeSet
    DirectDebitFailed: lambda ledger, _: ledger,
    PensionDeductionStopped: lambda ledger, _: ledger,
}


def evolve(ledger: Ledger, event: Event) -> Ledger:
    try:
        evolver = EVOLVERS[type(event)]
    except KeyError:
        raise TypeError(f"no rule applies {type(event).__name__}") from None
    return evolver(ledger, event)


def replay(household: str, events: Iterable[Event], ledger: Ledger | None = None) -> Ledger:
    state = ledger or Ledger(household)
    for event in events:
        state = evolve(state, event)
    return state


def as_of(household: str, events: Iterable[Event], day: date) -> Ledger:
    """The ledger as it stood at the end of ``day``."""
    return replay(household, (e for e in events if e.on <= day))
