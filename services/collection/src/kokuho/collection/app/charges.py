"""調定: charges from assessment's ``PremiumAssessed`` (the inbox consumer calls
``apply_assessment``) and changes by hand under four eyes (C-11), the prior amount kept (C-24).
"""

from __future__ import annotations

from hashlib import sha1
from uuid import NAMESPACE_URL, uuid5

from kokuho.collection.app.ledgers import commit_batch, open_batch
from kokuho.collection.app.ports import CollectionUnitPort
from kokuho.collection.domain import charging
from kokuho.collection.domain.errors import HouseholdNotFound
from kokuho.collection.domain.ledger import Ledger
from kokuho.collection.domain.payment_file import notice_number
from kokuho.events.contracts.assessment import PremiumAssessed
from kokuho.events.ports import EventContext

NAMESPACE = uuid5(NAMESPACE_URL, "urn:kokuho:collection")
_NAMESPACE_BYTES = NAMESPACE.bytes


def command_from(event: PremiumAssessed) -> charging.AssessCharges:
    for inst in event.instalments:
        given = inst.payment_number
        expected = notice_number(event.fiscal_year, event.nhi_household_number, inst.period)
        if given is not None and given != expected:
            raise ValueError(f"instalment {inst.period}: notice number {given} is not {expected}")
    return charging.AssessCharges(
        assessment_id=str(event.assessment_id),
        fiscal_year=event.fiscal_year,
        revision=event.revision,
        kind=event.kind,
        instalments=[
            charging.Instalment(i.period, i.due_date, i.amount) for i in event.instalments
        ],
        assessed_by=event.assessed_by or "system:assessment",
        on=event.assessed_on,
    )


async def apply_assessment(
    uow: CollectionUnitPort, event: PremiumAssessed, context: EventContext | None = None
) -> Ledger:
    """First assessment or correction: each instalment's charge set to its new amount; an
    instalment lowered below what was paid on it releases the excess as an overpayment."""
    command = command_from(event)
    household = event.nhi_household_number
    async with uow:
        batch = await open_batch(uow, [household])
        ledger, events = batch.decide(household, lambda state: charging.assess(state, command))
        await commit_batch(uow, batch, context)
        await uow.audit.record(
            subjects=[household],
            detail={"assessment_id": command.assessment_id, "events": len(events)},
        )
        return ledger


async def _one(uow: CollectionUnitPort, household: str, decide: charging.Decider) -> Ledger:
    batch = await open_batch(uow, [household])
    if batch.ledger(household) is None:
        raise HouseholdNotFound(f"no charges for household {household}")
    ledger, _ = batch.decide(household, decide)
    await commit_batch(uow, batch)
    return ledger


async def enter_change(
    uow: CollectionUnitPort, household: str, command: charging.EnterChargeChange
) -> Ledger:
    async with uow:
        ledger = await _one(uow, household, lambda s: charging.enter_change(s, command))
        await uow.audit.record(
            subjects=[household],
            detail={
                "change_id": command.change_id,
                "fiscal_year": command.fiscal_year,
                "period": command.period,
                "amount": command.amount,
            },
        )
        return ledger


async def confirm_change(
    uow: CollectionUnitPort, household: str, command: charging.ConfirmChargeChange
) -> Ledger:
    async with uow:
        ledger = await _one(uow, household, lambda s: charging.confirm_change(s, command))
        await uow.audit.record(
            subjects=[household], detail={"change_id": command.change_id, "confirmed": True}
        )
        return ledger


async def reject_change(
    uow: CollectionUnitPort, household: str, command: charging.RejectChargeChange
) -> Ledger:
    async with uow:
        ledger = await _one(uow, household, lambda s: charging.reject_change(s, command))
        await uow.audit.record(
            subjects=[household], detail={"change_id": command.change_id, "rejected": True}
        )
        return ledger


def new_id(*parts: object) -> str:
    """A deterministic id for what a retried command would create again: the text of
    ``uuid5(NAMESPACE, "part:part:...")``, made from the SHA-1 digest directly (a payment file
    makes one a line; building the UUID object and its text cost 2.7x more)."""
    name = _NAMESPACE_BYTES + ":".join(map(str, parts)).encode()
    digest = bytearray(sha1(name, usedforsecurity=False).digest()[:16])  # as uuid5 hashes
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
    x = digest.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"
