"""Erasure of a person's details once the retention period is over (C-95)."""

from __future__ import annotations

from dataclasses import dataclass

from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain.rules import erasable_from


@dataclass(frozen=True)
class ErasePerson:
    addressee_number: str
    reason: str
    user_id: str


@dataclass(frozen=True)
class Erasure:
    addressee_number: str
    erased: bool


async def erase_person(uow: EligibilityUnitPort, ports: Eligibility, cmd: ErasePerson) -> Erasure:
    """Identifiers, dates and events stay; the details go, and a tombstone goes to the
    compacted personal-details topic."""
    async with uow:
        insured, last_loss = await uow.qualifications.summary(cmd.addressee_number)
        if insured:
            raise e.PersonStillInsured(cmd.addressee_number)
        if last_loss is not None:
            until = erasable_from(last_loss, ports.rules)
            if ports.today() < until:
                raise e.RetentionNotOver(cmd.addressee_number, until)
        erased = await uow.persons.erase(cmd.addressee_number, f"{cmd.reason} (by {cmd.user_id})")
        await uow.audit.record(subjects=[cmd.addressee_number], detail={"erasure": erased})
        return Erasure(cmd.addressee_number, erased)
