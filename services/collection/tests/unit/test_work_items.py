"""Resolving the work list (in memory): each action at the kinds it applies to, four eyes where
money moves, effects once, and every refusal changing nothing."""

from __future__ import annotations

import json
from datetime import date
from uuid import uuid4

import pytest

from kokuho.collection.adapters.memory import InMemoryCollectionUnit
from kokuho.collection.app import charges, payments, work_items
from kokuho.collection.app.balances import read_balance
from kokuho.collection.app.ports import WorkItem
from kokuho.collection.domain.errors import (
    ActionNotAllowed,
    HouseholdNotFound,
    ReasonRequired,
    ResolutionNotFound,
    ResolutionNotPending,
    ResolutionPending,
    SameStaffConfirming,
    WorkItemNotFound,
    WorkItemResolved,
)
from kokuho.collection.domain.work_items import ProposeResolution
from kokuho.events.contracts import collection as contracts

from .rules import flat
from .test_use_cases import FY, TODAY, H, assessed, file, line

RULES = flat(dunning_after_days=1)
OTHER = "9950000099"  # no charges


async def imported(*lines: str) -> tuple[InMemoryCollectionUnit, dict[str, WorkItem]]:
    uow = InMemoryCollectionUnit(topic="t")
    await charges.apply_assessment(uow, assessed([10_000] * 6))
    await payments.import_payments(
        uow, RULES, payments.ImportPayments("f.csv", file(*lines), False, "U-OP", TODAY)
    )
    items = {i.kind: i for i in await uow.work_items.open_items(50, None)}
    return uow, items


def propose(
    item: WorkItem,
    action: str,
    by: str = "U-CLERK",
    household: str | None = None,
    fiscal_year: int | None = None,
    period: int | None = None,
    reason: str = "found the payer",
) -> ProposeResolution:
    return ProposeResolution(
        str(uuid4()), item.item_id, action, reason, household, fiscal_year, period, by, TODAY
    )


def received(uow: InMemoryCollectionUnit) -> list[dict[str, object]]:
    values = [json.loads(m.value) for m in uow.events.outbox if m.topic == "t" and m.value]
    return [v["data"] for v in values if v["type"] == contracts.PaymentReceived.event_type]


def state(uow: InMemoryCollectionUnit) -> tuple[object, ...]:
    return (dict(uow.work_items.rows), dict(uow.ledgers.rows), len(uow.events.outbox))


async def test_an_unmatched_payment_assigned_under_four_eyes_is_received_once() -> None:
    uow, items = await imported(line(1, 10_000, "U1", household=OTHER))
    item = items["unmatched"]
    assert (item.channel, item.paid_on, item.household) == ("bank", date(2026, 7, 1), None)
    entered = await work_items.propose(
        uow, propose(item, "assign", household=H, fiscal_year=FY, period=2)
    )
    assert entered.resolution.status == "pending"
    assert received(uow) == []  # nothing moves before the second person
    before = state(uow)
    with pytest.raises(SameStaffConfirming):
        await work_items.decide(
            uow,
            RULES,
            item.item_id,
            entered.resolution.resolution_id,
            "u-clerk",
            TODAY,
            confirmed=True,
        )
    assert state(uow) == before
    done = await work_items.decide(
        uow, RULES, item.item_id, entered.resolution.resolution_id, "U-SUP", TODAY, confirmed=True
    )
    assert done.resolution.status == "confirmed"
    assert done.resolution.outcome is not None
    assert done.resolution.outcome.startswith("payment ")
    [payment] = received(uow)
    assert (payment["nhi_household_number"], payment["amount"], payment["period"]) == (H, 10_000, 2)
    assert (payment["channel"], payment["reference"], payment["paid_on"]) == (
        "bank",
        "U1",
        "2026-07-01",
    )
    balance = await read_balance(uow, RULES, H, TODAY)
    assert [(i.period, i.paid) for i in balance.instalments[:2]] == [(1, 0), (2, 10_000)]
    assert await uow.work_items.open_items(50, None) == []
    # the effects happen once: the same confirmation again, or another resolution, changes nothing
    after = state(uow)
    with pytest.raises(ResolutionNotPending):
        await work_items.decide(
            uow,
            RULES,
            item.item_id,
            entered.resolution.resolution_id,
            "U-SUP2",
            TODAY,
            confirmed=True,
        )
    with pytest.raises(WorkItemResolved):
        await work_items.propose(uow, propose(item, "close"))
    assert state(uow) == after
    # the same bank line imported later is a duplicate of the assigned payment
    again = await payments.import_payments(
        uow, RULES, payments.ImportPayments("g.csv", file(line(1, 10_000, "U1")), False, "U", TODAY)
    )
    assert again.record.applied == 0
    assert [i.kind for i in await uow.work_items.open_items(50, None)] == ["duplicate"]


async def test_an_assignment_over_the_charge_leaves_an_over_payment_item() -> None:
    uow, items = await imported(line(1, 25_000, "U2", household=OTHER))
    entered = await work_items.propose(
        uow, propose(items["unmatched"], "assign", household=H, fiscal_year=FY, period=1)
    )
    done = await work_items.decide(
        uow,
        RULES,
        items["unmatched"].item_id,
        entered.resolution.resolution_id,
        "U-SUP",
        TODAY,
        confirmed=True,
    )
    [payment] = received(uow)
    assert [a["period"] for a in payment["applied"]] == [1]  # the instalment named
    assert payment["overpaid"] == 15_000
    [new] = done.new_items
    assert (new.kind, new.amount, new.household) == ("over-payment", 15_000, H)
    assert [i.item_id for i in await uow.work_items.open_items(50, None)] == [new.item_id]


async def test_a_duplicate_that_was_a_second_payment_gets_a_payment_of_its_own() -> None:
    uow, _ = await imported(line(1, 10_000, "D1"))
    await payments.import_payments(
        uow, RULES, payments.ImportPayments("g.csv", file(line(2, 10_000, "D1")), False, "U", TODAY)
    )
    [item] = await uow.work_items.open_items(50, None)
    assert item.kind == "duplicate"
    entered = await work_items.propose(
        uow, propose(item, "assign", household=H, fiscal_year=FY, period=2)
    )
    await work_items.decide(
        uow, RULES, item.item_id, entered.resolution.resolution_id, "U-SUP", TODAY, confirmed=True
    )
    ids = [p["payment_id"] for p in received(uow)]
    assert len(ids) == len(set(ids)) == 2
    balance = await read_balance(uow, RULES, H, TODAY)
    assert [i.paid for i in balance.instalments[:3]] == [10_000, 10_000, 0]


async def test_refunding_an_over_payment_settles_the_household_once() -> None:
    uow, items = await imported(line(1, 13_000, "O1"))
    item = items["over-payment"]
    entered = await work_items.propose(uow, propose(item, "refund", reason="payer asked"))
    assert entered.resolution.status == "pending"
    assert not uow.documents.rows
    done = await work_items.decide(
        uow, RULES, item.item_id, entered.resolution.resolution_id, "U-SUP", TODAY, confirmed=True
    )
    # on 1 December instalments 2-6 (due 7/30..11/30) are overdue: the 3,000 is appropriated
    [document] = uow.documents.rows.values()
    assert done.resolution.outcome == f"refund notice {document.document_id}"
    assert document.content["principal"] == [{"fiscal_year": FY, "period": 2, "amount": 3_000}]
    assert document.content["refund"] == 0
    balance = await read_balance(uow, RULES, H, TODAY)
    assert balance.refundable == 0
    assert await uow.work_items.open_items(50, None) == []


async def test_returning_an_unmatched_payment_moves_nothing_in_a_ledger() -> None:
    uow, items = await imported(line(1, 10_000, "R1", household=OTHER))
    before_ledgers = dict(uow.ledgers.rows)
    entered = await work_items.propose(uow, propose(items["unmatched"], "refund"))
    done = await work_items.decide(
        uow,
        RULES,
        items["unmatched"].item_id,
        entered.resolution.resolution_id,
        "U-SUP",
        TODAY,
        confirmed=True,
    )
    assert done.resolution.outcome == "returned to the payer (never in a ledger)"
    assert dict(uow.ledgers.rows) == before_ledgers
    assert received(uow) == []


async def test_close_takes_effect_at_once_and_rejection_leaves_the_item_open() -> None:
    uow, items = await imported(line(1, 10_000, "C1", household=OTHER), line(1, 12_000, "C2"))
    closed = await work_items.propose(uow, propose(items["over-payment"], "close", reason="kept"))
    assert (closed.resolution.status, closed.resolution.decided_by) == ("closed", "U-CLERK")
    entered = await work_items.propose(uow, propose(items["unmatched"], "assign", household=H))
    with pytest.raises(ResolutionPending):
        await work_items.propose(uow, propose(items["unmatched"], "close"))
    rejected = await work_items.decide(
        uow,
        RULES,
        items["unmatched"].item_id,
        entered.resolution.resolution_id,
        "U-SUP",
        TODAY,
        confirmed=False,
    )
    assert rejected.resolution.status == "rejected"
    assert received(uow) == [received(uow)[0]]  # only the import's own payment
    [open_item] = await uow.work_items.open_items(50, None)
    assert open_item.item_id == items["unmatched"].item_id
    history = (await work_items.read(uow, open_item.item_id))[1]
    assert [r.status for r in history] == ["rejected"]


@pytest.mark.parametrize(
    ("kind", "action", "extra", "error"),
    [
        ("over-payment", "assign", {"household": H}, ActionNotAllowed),  # held already: refund
        ("unmatched", "assign", {}, ActionNotAllowed),  # no household named
        ("unmatched", "assign", {"household": H, "fiscal_year": FY}, ActionNotAllowed),
        ("unmatched", "close", {"household": H}, ActionNotAllowed),
        ("unmatched", "close", {"reason": "  "}, ReasonRequired),
        ("unmatched", "write-off", {}, ActionNotAllowed),
    ],
)
async def test_refused_resolutions_change_nothing(
    kind: str, action: str, extra: dict[str, object], error: type[Exception]
) -> None:
    uow, items = await imported(line(1, 10_000, "F1", household=OTHER), line(1, 12_000, "F2"))
    before = state(uow)
    with pytest.raises(error):
        await work_items.propose(uow, propose(items[kind], action, **extra))  # type: ignore[arg-type]
    assert state(uow) == before


async def test_a_confirmation_that_fails_changes_nothing() -> None:
    uow, items = await imported(line(1, 10_000, "G1", household=OTHER))
    entered = await work_items.propose(uow, propose(items["unmatched"], "assign", household=OTHER))
    before = state(uow)
    with pytest.raises(HouseholdNotFound):  # the household named has no charges
        await work_items.decide(
            uow,
            RULES,
            items["unmatched"].item_id,
            entered.resolution.resolution_id,
            "U-SUP",
            TODAY,
            confirmed=True,
        )
    assert state(uow) == before
    with pytest.raises(ResolutionNotFound):
        await work_items.decide(
            uow, RULES, "x", entered.resolution.resolution_id, "U-SUP", TODAY, confirmed=True
        )
    with pytest.raises(WorkItemNotFound):
        await work_items.propose(
            uow, propose(WorkItem("nope", "unmatched", "", None, 1, "r", TODAY), "close")
        )


async def test_a_slip_is_only_closed() -> None:
    uow = InMemoryCollectionUnit()
    slip = WorkItem("s1", "slip", "send a slip", H, 10_000, "DD-1", TODAY)
    await uow.work_items.add_many([slip])
    for action in ("assign", "refund"):
        with pytest.raises(ActionNotAllowed):
            await work_items.propose(
                uow, propose(slip, action, household=H if action == "assign" else None)
            )
    done = await work_items.propose(uow, propose(slip, "close", reason="slip sent 2 Dec"))
    assert done.resolution.status == "closed"
    assert await uow.work_items.open_items(50, None) == []
