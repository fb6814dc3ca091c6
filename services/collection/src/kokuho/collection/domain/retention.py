"""The retention rule of premium collection information (C-95: until fully paid, then 5 years;
ADR 0100). Pure.

A household's ledger is one stream (``household-<number>``, with ``.changes``) holding every
fiscal year, so it is erased whole, once, and only when it is settled in every direction (money
is conserved: nothing erased is still owed by or to anyone): every charge paid in full (not
written off or lapsed unpaid: the seed keeps until 完納), no 延滞金 left to pay, no overpayment
held, no charge change or work item waiting, no 返納金 charge (collection does not track their
payment). The 5 years run from the ledger's last movement: the latest day in the ledger or of
its last recorded event, after which it has stood settled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kokuho.collection.domain.ledger import Ledger
from kokuho.platform.retention import WITHIN_RETENTION, RetentionPeriod

#: The data class the job erases: a household's collection ledger (charges, payments, refunds,
#: dunning, its work items, notices and direct-debit registrations).
LEDGER = "collection.ledger"
#: Where it is held; one erasure record per store (C-96).
STORES = (
    "events",
    "ledgers",
    "charges",
    "work_items",
    "work_item_resolutions",
    "documents",
    "debit_accounts",
    "benefit_payout_appropriations",
)

#: Why a ledger is kept (the report names them).
UNPAID = "unpaid"
WRITTEN_OFF = "written_off_or_lapsed_not_fully_paid"
OVERPAYMENT_HELD = "overpayment_held"
CHANGE_PENDING = "charge_change_pending"
WORK_ITEM_OPEN = "work_item_open"
REPAYMENT_CHARGE = "repayment_charge_held"


@dataclass(frozen=True)
class Outside:
    """What the ledger does not hold about its household."""

    last_event_on: date | None  # Japan's day of the household's last recorded event
    open_work_items: int
    repayment_charges: int


def last_movement(ledger: Ledger, outside: Outside) -> date | None:
    """The latest day anything happened in the ledger (a payment, a charge set or changed, a
    dunning, a write-off or lapse, an overpayment arising) or its last event was recorded."""
    days: list[date] = [p.paid_on for p in ledger.payments.values()]
    days += [h.since for h in ledger.held]
    for c in ledger.charges.values():
        days += [d for d, _ in c.payments] + [d for d, _, _ in c.history]
        days += [d for d in (c.dunned_on, c.lapsed_on, c.written_off_on) if d is not None]
    if outside.last_event_on is not None:
        days.append(outside.last_event_on)
    return max(days, default=None)


def keep_reason(
    ledger: Ledger, outside: Outside, today: date, period: RetentionPeriod
) -> str | None:
    """Why the ledger stays on ``today``; None once it is settled and its period is over
    (erasable on the anniversary of its last movement itself, kept the day before)."""
    charges = list(ledger.charges.values())
    if any(c.outstanding > 0 or c.late_charge_due > 0 for c in charges):
        return UNPAID
    if any(c.written_off > 0 or c.lapsed_on is not None for c in charges):
        return WRITTEN_OFF
    if ledger.held_total > 0:
        return OVERPAYMENT_HELD
    if ledger.pending:
        return CHANGE_PENDING
    if outside.open_work_items:
        return WORK_ITEM_OPEN
    if outside.repayment_charges:
        return REPAYMENT_CHARGE
    settled = last_movement(ledger, outside)
    if settled is not None and today < period.erasable_from(settled):
        return WITHIN_RETENTION
    return None
