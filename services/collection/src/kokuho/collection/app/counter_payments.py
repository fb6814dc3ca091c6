"""Single payments: cash at the counter (a receipt number) or another channel's single
payment, matched to the household's charges (消込) and published as ``PaymentReceived``; and
the reversal of a payment with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kokuho.collection.app.ledgers import commit_batch, open_batch
from kokuho.collection.app.line_matching import over_payment_items, payment_id
from kokuho.collection.app.ports import CollectionUnitPort, WorkItem
from kokuho.collection.domain import matching
from kokuho.collection.domain.errors import HouseholdNotFound
from kokuho.collection.domain.ledger import Ledger, PaymentReceived
from kokuho.collection.domain.parameters import CollectionRules


@dataclass(frozen=True)
class CounterPayment:
    """Cash at the counter (a receipt number), or another channel's single payment (a
    seizure's proceeds from delinquency: channel ``enforcement``, its proceeds id)."""

    household: str
    amount: int
    fiscal_year: int | None
    period: int | None
    receipt_number: str
    paid_on: date
    actor: str
    today: date
    channel: str = "counter"


@dataclass(frozen=True)
class Received:
    ledger: Ledger
    payment: PaymentReceived
    work_items: list[WorkItem]


async def receive_at_counter(
    uow: CollectionUnitPort, rules: CollectionRules, command: CounterPayment
) -> Received:
    """Cash at the counter with its receipt number; the same receipt twice is a 409."""
    async with uow:
        batch = await open_batch(uow, [command.household])
        if batch.ledger(command.household) is None:
            raise HouseholdNotFound(f"no charges for household {command.household}")
        pid = payment_id(command.channel, command.receipt_number)
        receive = matching.ReceivePayment(
            pid,
            command.amount,
            command.channel,
            command.fiscal_year,
            command.period,
            command.receipt_number,
            command.paid_on,
            command.today,
        )
        ledger, events = batch.decide(
            command.household, lambda s: matching.receive(s, receive, rules)
        )
        items = over_payment_items(
            events, command.household, command.today, None, None, ("work", pid)
        )
        await commit_batch(uow, batch)
        await uow.work_items.add_many(items)
        await uow.audit.record(
            subjects=[command.household], detail={"payment_id": pid, "amount": command.amount}
        )
        payment = next(e for e in events if isinstance(e, PaymentReceived))
        return Received(ledger, payment, items)


async def reverse_payment(
    uow: CollectionUnitPort, household: str, command: matching.ReversePayment
) -> Ledger:
    async with uow:
        batch = await open_batch(uow, [household])
        if batch.ledger(household) is None:
            raise HouseholdNotFound(f"no charges for household {household}")
        ledger, _ = batch.decide(household, lambda s: matching.reverse(s, command))
        await commit_batch(uow, batch)
        await uow.audit.record(
            subjects=[household], detail={"payment_id": command.payment_id, "reversed": True}
        )
        return ledger
