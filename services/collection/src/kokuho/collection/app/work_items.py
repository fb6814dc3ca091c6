"""Resolving the work list (``domain/work_items``): a resolution entered, then, where money
moves, confirmed or rejected by a second person, its effects applied once in the same
transaction as the decision:

- ``assign``: the payment received in the named household through the ordinary matching
  (``PaymentReceived``; what it leaves over becomes a new ``over-payment`` item). An unmatched
  bank line keeps its own payment id (its reference), so the same line imported later is a
  duplicate; a duplicate line that was really a second payment gets an id of its own.
- ``refund`` of an over-payment: the household's overpayment held is settled (充当 then 還付
  with 還付加算金 and the notice, as ``POST /settlements``), and every open over-payment item of
  the household with it; of an unmatched or duplicate payment: returned to its payer (it was
  never in a ledger), recorded.
- ``close``: the item is closed with its reason at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from kokuho.collection.app.charges import new_id
from kokuho.collection.app.ledgers import commit_batch, open_batch
from kokuho.collection.app.line_matching import over_payment_items, payment_id
from kokuho.collection.app.ports import CollectionUnitPort, WorkItem
from kokuho.collection.app.settlement import settle
from kokuho.collection.domain import matching
from kokuho.collection.domain import work_items as rules_of
from kokuho.collection.domain.errors import (
    HouseholdNotFound,
    ResolutionNotFound,
    ResolutionPending,
    WorkItemNotFound,
    WorkItemResolved,
)
from kokuho.collection.domain.ledger import PaymentReceived
from kokuho.collection.domain.parameters import CollectionRules
from kokuho.collection.domain.work_items import ProposeResolution, Resolution

OVER_PAYMENTS = ("over-payment", "no-charge")


@dataclass(frozen=True)
class Resolved:
    item: WorkItem
    resolution: Resolution
    new_items: list[WorkItem]


async def _resolve(uow: CollectionUnitPort, item_id: str, resolution_id: str, on: date) -> None:
    """Its row is updated (and locked) here: of two transactions resolving one item, the second
    finds it resolved and is undone whole."""
    if await uow.work_items.mark_resolved([item_id], resolution_id, on) != 1:
        raise WorkItemResolved(f"work item {item_id} was resolved already")


async def _open_item(uow: CollectionUnitPort, item_id: str) -> WorkItem:
    item = await uow.work_items.get(item_id)
    if item is None:
        raise WorkItemNotFound(f"no work item {item_id}")
    if item.resolved:
        raise WorkItemResolved(f"work item {item_id} was resolved already")
    return item


def _subjects(item: WorkItem, resolution: Resolution) -> list[str]:
    return sorted({h for h in (item.household, resolution.household) if h})


async def propose(uow: CollectionUnitPort, command: ProposeResolution) -> Resolved:
    async with uow:
        item = await _open_item(uow, command.item_id)
        if any(r.status == "pending" for r in await uow.work_items.resolutions(item.item_id)):
            raise ResolutionPending(f"work item {item.item_id} has a resolution waiting")
        facts = rules_of.Item(
            item.item_id,
            item.kind,
            item.resolved,
            item.channel is not None and item.paid_on is not None,
        )
        resolution = rules_of.propose(facts, command)
        await uow.work_items.add_resolution(resolution)
        if resolution.status == "closed":
            await _resolve(uow, item.item_id, resolution.resolution_id, command.on)
            item = replace(item, resolved=True)
        await uow.audit.record(
            subjects=_subjects(item, resolution),
            detail={
                "work_item": item.item_id,
                "resolution_id": resolution.resolution_id,
                "action": resolution.action,
                "status": resolution.status,
            },
        )
        return Resolved(item, resolution, [])


async def _assign(
    uow: CollectionUnitPort,
    rules: CollectionRules,
    item: WorkItem,
    resolution: Resolution,
    today: date,
) -> tuple[str, list[WorkItem]]:
    household = resolution.household
    assert household is not None
    assert item.channel is not None
    assert item.paid_on is not None
    batch = await open_batch(uow, [household])
    if batch.ledger(household) is None:
        raise HouseholdNotFound(f"no charges for household {household}")
    pid = (
        payment_id(item.channel, item.reference)
        if item.kind == "unmatched"
        else new_id("payment", "work-item", item.item_id)
    )
    command = matching.ReceivePayment(
        pid,
        item.amount,
        item.channel,
        resolution.fiscal_year,
        resolution.period,
        item.reference,
        item.paid_on,
        today,
    )
    _, events = batch.decide(household, lambda s: matching.receive(s, command, rules))
    await commit_batch(uow, batch)
    received = next(e for e in events if isinstance(e, PaymentReceived))
    items = over_payment_items(
        events, household, today, item.import_id, item.line, ("work", resolution.resolution_id)
    )
    await uow.work_items.add_many(items)
    return f"payment {received.payment_id}", items


async def _refund(
    uow: CollectionUnitPort,
    rules: CollectionRules,
    item: WorkItem,
    resolution: Resolution,
    today: date,
) -> tuple[str, list[str]]:
    """What was refunded, and the household's other open over-payment items the refund
    settles with it (its overpayment held is settled whole)."""
    if item.kind not in OVER_PAYMENTS:
        return "returned to the payer (never in a ledger)", []
    assert item.household is not None
    rid = resolution.resolution_id
    command = matching.Settle(
        new_id("appropriation", rid), new_id("refund", rid), resolution.decided_by or "", today
    )
    settled = await settle(uow, rules, item.household, command, None)
    others = await uow.work_items.open_of_household(item.household, OVER_PAYMENTS)
    return f"refund notice {settled.document.document_id}", [o.item_id for o in others]


async def decide(
    uow: CollectionUnitPort,
    rules: CollectionRules,
    item_id: str,
    resolution_id: str,
    by: str,
    today: date,
    *,
    confirmed: bool,
) -> Resolved:
    """A pending resolution confirmed (its effects applied, once) or rejected (nothing moves;
    the item stays open for another resolution)."""
    async with uow:
        found = await uow.work_items.resolution(resolution_id)
        if found is None or found.item_id != item_id:
            raise ResolutionNotFound(f"no resolution {resolution_id}")
        decided = rules_of.decide(found, by, today, confirmed)
        item = await _open_item(uow, found.item_id)
        new_items: list[WorkItem] = []
        if not confirmed:
            outcome = "rejected"
        elif decided.action == "assign":
            await _resolve(uow, item.item_id, resolution_id, today)
            outcome, new_items = await _assign(uow, rules, item, decided, today)
        else:
            await _resolve(uow, item.item_id, resolution_id, today)
            outcome, settled = await _refund(uow, rules, item, decided, today)
            await uow.work_items.mark_resolved(settled, resolution_id, today)
        decided = replace(decided, outcome=outcome)
        await uow.work_items.update_resolution(decided)
        await uow.audit.record(
            subjects=_subjects(item, decided),
            detail={
                "work_item": item.item_id,
                "resolution_id": resolution_id,
                "action": decided.action,
                "status": decided.status,
                "outcome": outcome,
            },
        )
        return Resolved(replace(item, resolved=confirmed), decided, new_items)


async def read(uow: CollectionUnitPort, item_id: str) -> tuple[WorkItem, list[Resolution]]:
    async with uow:
        item = await uow.work_items.get(item_id)
        if item is None:
            raise WorkItemNotFound(f"no work item {item_id}")
        resolutions = await uow.work_items.resolutions(item_id)
        await uow.audit.record(
            subjects=[item.household] if item.household else [],
            detail={"work_item": item_id, "resolutions": len(resolutions)},
        )
        return item, resolutions
