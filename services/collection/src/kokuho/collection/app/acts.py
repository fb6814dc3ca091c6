"""Delinquency's acts on an instalment taken into the ledger (``domain/acts``): a renewal of
the prescription period and a write-off (不納欠損), each published on collection's topic
(``ChargePrescriptionRenewed``, ``ChargeWrittenOff``) and audited."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from kokuho.collection.app.ledgers import commit_batch, open_batch
from kokuho.collection.app.ports import CollectionUnitPort
from kokuho.collection.domain import acts
from kokuho.collection.domain.errors import HouseholdNotFound
from kokuho.collection.domain.ledger import Event, Ledger
from kokuho.events.ports import EventContext


@dataclass(frozen=True)
class RenewPrescription:
    household: str
    fiscal_year: int
    period: int
    act: str
    on: date


@dataclass(frozen=True)
class WriteOff:
    household: str
    fiscal_year: int
    period: int
    amount: int
    ground: str
    on: date


async def _record(
    uow: CollectionUnitPort,
    household: str,
    decide: Callable[[Ledger], Sequence[Event]],
    detail: dict[str, object],
    context: EventContext | None,
) -> list[Event]:
    async with uow:
        batch = await open_batch(uow, [household])
        if batch.ledger(household) is None:
            raise HouseholdNotFound(f"no charges for household {household}")
        _, events = batch.decide(household, decide)
        await commit_batch(uow, batch, context)
        await uow.audit.record(subjects=[household], detail={**detail, "events": len(events)})
        return events


async def renew_prescription(
    uow: CollectionUnitPort, command: RenewPrescription, context: EventContext | None = None
) -> list[Event]:
    c = command
    return await _record(
        uow,
        c.household,
        lambda s: acts.renew(s, c.fiscal_year, c.period, c.act, c.on),
        {"renewed": f"{c.fiscal_year}/{c.period}", "act": c.act, "on": c.on.isoformat()},
        context,
    )


async def write_off(
    uow: CollectionUnitPort, command: WriteOff, context: EventContext | None = None
) -> list[Event]:
    c = command
    return await _record(
        uow,
        c.household,
        lambda s: acts.write_off(s, c.fiscal_year, c.period, c.amount, c.ground, c.on),
        {"written_off": f"{c.fiscal_year}/{c.period}", "ground": c.ground, "amount": c.amount},
        context,
    )
