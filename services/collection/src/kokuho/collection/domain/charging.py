"""調定: charges from the assessment (first assessment and each correction, instalment by
instalment) and changes by hand under four eyes (C-11) keeping the prior value (C-24).

A correction that lowers an instalment below what was paid on it never makes a negative
charge: the charge takes the new amount and the excess becomes an overpayment held
(過誤納金, ``OverpaymentArisen``), appropriated or refunded by ``matching.settle``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from kokuho.collection.domain.errors import (
    ChangeNotFound,
    ChargeNotFound,
    ReasonRequired,
    SameStaffConfirming,
)
from kokuho.collection.domain.ledger import (
    Charge,
    ChargeChangeEntered,
    ChargeChangeRejected,
    ChargeSet,
    Event,
    Ledger,
    OverpaymentArisen,
)
from kokuho.platform.staff import same_person

Decider = Callable[[Ledger], list[Event]]


@dataclass(frozen=True)
class Instalment:
    period: int
    due_date: date
    amount: int


@dataclass(frozen=True)
class AssessCharges:
    """From assessment's ``PremiumAssessed``: the whole year's instalments of a revision."""

    assessment_id: str
    fiscal_year: int
    revision: int
    kind: str  # assessment | correction
    instalments: Sequence[Instalment]
    assessed_by: str
    on: date
    collection_method: str | None = None  # ordinary | special (特別徴収); None: as it was


@dataclass(frozen=True)
class EnterChargeChange:
    change_id: str
    fiscal_year: int
    period: int
    amount: int
    due_date: date | None
    reason: str
    entered_by: str
    on: date


@dataclass(frozen=True)
class ConfirmChargeChange:
    change_id: str
    confirmed_by: str
    on: date


@dataclass(frozen=True)
class RejectChargeChange:
    change_id: str
    rejected_by: str
    on: date


def _last_paid(charge: Charge) -> date:
    paid = [day for day, yen in charge.payments if yen > 0]
    return max(paid) if paid else charge.due_date


def _set(
    ledger: Ledger,
    inst: Instalment,
    fy: int,
    cause: str,
    source: str,
    revision: int,
    by: str,
    confirmed_by: str | None,
    on: date,
    method: str | None = None,
) -> list[Event]:
    old = ledger.charge((fy, inst.period))
    previous = 0 if old is None else old.amount
    if (
        old is not None
        and (old.amount, old.due_date) == (inst.amount, inst.due_date)
        and (method is None or old.collection_method == method)
    ):
        return []
    events: list[Event] = [
        ChargeSet(
            fy,
            inst.period,
            inst.due_date,
            inst.amount,
            previous,
            cause,
            source,
            revision,
            by,
            confirmed_by,
            on,
            method,
        )
    ]
    released = 0 if old is None else old.paid - inst.amount
    if old is not None and released > 0:
        events.append(OverpaymentArisen(fy, inst.period, released, _last_paid(old), on))
    return events


def assess(ledger: Ledger, command: AssessCharges) -> list[Event]:
    """Charges of a revision; a revision already applied (or older) changes nothing."""
    if command.revision <= ledger.revisions.get(command.fiscal_year, 0):
        return []
    cause = "assessment" if command.kind == "assessment" else "correction"
    given = {i.period for i in command.instalments}
    dropped = [
        Instalment(c.period, c.due_date, 0)
        for c in ledger.charges.values()
        if c.fiscal_year == command.fiscal_year and c.period not in given and c.amount
    ]
    events: list[Event] = []
    for inst in sorted([*command.instalments, *dropped], key=lambda i: i.period):
        events += _set(
            ledger,
            inst,
            command.fiscal_year,
            cause,
            command.assessment_id,
            command.revision,
            command.assessed_by,
            None,
            command.on,
            command.collection_method,
        )
    return events


def enter_change(ledger: Ledger, command: EnterChargeChange) -> list[Event]:
    if not command.reason.strip():
        raise ReasonRequired("a change of a charge by hand names its reason (C-24)")
    if ledger.charge((command.fiscal_year, command.period)) is None and command.due_date is None:
        raise ChargeNotFound(
            f"no charge for {command.fiscal_year} instalment {command.period}: a new charge"
            " needs its due date"
        )
    return [
        ChargeChangeEntered(
            command.change_id,
            command.fiscal_year,
            command.period,
            command.amount,
            command.due_date,
            command.reason,
            command.entered_by,
            command.on,
        )
    ]


def confirm_change(ledger: Ledger, command: ConfirmChargeChange) -> list[Event]:
    change = ledger.pending.get(command.change_id)
    if change is None:
        raise ChangeNotFound(f"no pending charge change {command.change_id}")
    if same_person(change.entered_by, command.confirmed_by):
        raise SameStaffConfirming("the person who entered the change cannot confirm it (C-11)")
    old = ledger.charge((change.fiscal_year, change.period))
    due = change.due_date or (old.due_date if old else command.on)
    inst = Instalment(change.period, due, change.amount)
    events = _set(
        ledger,
        inst,
        change.fiscal_year,
        "manual",
        change.change_id,
        0,
        change.entered_by,
        command.confirmed_by,
        command.on,
    )
    if not events:  # same amount and date: the confirmation is still recorded
        events = [
            ChargeSet(
                change.fiscal_year,
                change.period,
                due,
                change.amount,
                change.amount,
                "manual",
                change.change_id,
                0,
                change.entered_by,
                command.confirmed_by,
                command.on,
            )
        ]
    return events


def reject_change(ledger: Ledger, command: RejectChargeChange) -> list[Event]:
    if command.change_id not in ledger.pending:
        raise ChangeNotFound(f"no pending charge change {command.change_id}")
    return [ChargeChangeRejected(command.change_id, command.rejected_by, command.on)]
