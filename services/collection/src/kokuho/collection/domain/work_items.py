"""Resolving the work list: what a person may do with a payment the matching could not settle
alone, and who may confirm it.

- ``assign`` an ``unmatched`` or ``duplicate`` payment to a household (and, optionally, one of
  its instalments): the money is received there, through the ordinary matching;
- ``refund`` an ``over-payment`` / ``no-charge`` (the household's overpayment held is
  appropriated to its overdue charges, then refunded: 充当 before 還付, rules.md §4.4), or
  return an ``unmatched`` / ``duplicate`` payment to its payer (it was never in a ledger);
- ``close`` any item with its reason (a slip sent, a bank's line sent twice, the overpayment
  kept for the next instalment): no money moves.

Where money moves (``assign``, ``refund``) the resolution waits until a second person confirms
it (C-11, the same rule as a charge changed by hand); a ``close`` takes effect at once. Every
resolution keeps its reason and who entered and decided it (C-24).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from kokuho.collection.domain.errors import (
    ActionNotAllowed,
    ReasonRequired,
    ResolutionNotPending,
    SameStaffConfirming,
)
from kokuho.platform.staff import same_person

ACTIONS = ("assign", "refund", "close")
#: the kinds each action applies to
ALLOWED: dict[str, tuple[str, ...]] = {
    "assign": ("unmatched", "duplicate"),
    "refund": ("unmatched", "duplicate", "over-payment", "no-charge"),
    "close": ("unmatched", "duplicate", "over-payment", "no-charge", "slip"),
}
MONEY_MOVES = ("assign", "refund")


@dataclass(frozen=True)
class Item:
    """What the rules need of a work item."""

    item_id: str
    kind: str
    resolved: bool
    has_payment: bool  # its channel and payment day are known (a payment that can be received)


@dataclass(frozen=True)
class Resolution:
    resolution_id: str
    item_id: str
    action: str
    reason: str
    household: str | None  # assign: the household the payment goes to
    fiscal_year: int | None  # assign: the instalment named, if any
    period: int | None
    status: str  # pending | confirmed | rejected | closed
    entered_by: str
    entered_on: date
    decided_by: str | None = None
    decided_on: date | None = None
    outcome: str | None = None  # the payment id, the refund notice, or why nothing moved


@dataclass(frozen=True)
class ProposeResolution:
    resolution_id: str
    item_id: str
    action: str
    reason: str
    household: str | None
    fiscal_year: int | None
    period: int | None
    entered_by: str
    on: date


def propose(item: Item, command: ProposeResolution) -> Resolution:
    """The resolution entered: ``pending`` where money moves, else ``closed`` at once. The
    caller checks that the item is open and has no pending resolution."""
    c = command
    if c.action not in ACTIONS:
        raise ActionNotAllowed(f"action {c.action!r} is not one of {', '.join(ACTIONS)}")
    if item.kind not in ALLOWED[c.action]:
        raise ActionNotAllowed(f"a {item.kind} work item cannot be given action {c.action}")
    if not c.reason.strip():
        raise ReasonRequired("a resolution names its reason (C-24)")
    if c.action == "assign":
        if c.household is None:
            raise ActionNotAllowed("an assignment names the household the payment goes to")
        if (c.fiscal_year is None) != (c.period is None):
            raise ActionNotAllowed("an instalment is named by its fiscal year and period both")
        if not item.has_payment:
            raise ActionNotAllowed("the work item does not carry the payment's channel and day")
    elif c.household is not None or c.fiscal_year is not None or c.period is not None:
        raise ActionNotAllowed(f"only an assignment names a household or instalment ({c.action})")
    return Resolution(
        c.resolution_id,
        c.item_id,
        c.action,
        c.reason.strip(),
        c.household,
        c.fiscal_year,
        c.period,
        "pending" if c.action in MONEY_MOVES else "closed",
        c.entered_by,
        c.on,
        decided_by=None if c.action in MONEY_MOVES else c.entered_by,
        decided_on=None if c.action in MONEY_MOVES else c.on,
        outcome=None if c.action in MONEY_MOVES else "closed",
    )


def decide(resolution: Resolution, by: str, on: date, confirmed: bool) -> Resolution:
    """Confirmed or rejected by a second person (C-11)."""
    if resolution.status != "pending":
        raise ResolutionNotPending(
            f"resolution {resolution.resolution_id} is {resolution.status} already"
        )
    if same_person(resolution.entered_by, by):
        raise SameStaffConfirming("the person who entered a resolution cannot decide it")
    return dataclasses.replace(
        resolution,
        status="confirmed" if confirmed else "rejected",
        decided_by=by,
        decided_on=on,
    )
