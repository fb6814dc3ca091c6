"""Erasure of a person's details once the retention period is over (C-95), under four eyes
(C-11): one supervisor requests it with a reason, another confirms it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort
from kokuho.eligibility.domain import erasure, retention
from kokuho.eligibility.domain.erasure import ErasureRequest, Standing


@dataclass(frozen=True)
class RequestErasure:
    addressee_number: str
    reason: str
    user_id: str


@dataclass(frozen=True)
class DecideErasure:
    addressee_number: str
    user_id: str
    confirm: bool


@dataclass(frozen=True)
class Erasure:
    addressee_number: str
    request_id: str
    status: str
    requested_by: str
    decided_by: str | None
    erased: bool


def _outcome(request: ErasureRequest, erased: bool) -> Erasure:
    return Erasure(
        request.addressee_number,
        request.request_id,
        request.status,
        request.requested_by,
        request.decided_by,
        erased,
    )


async def _check(uow: EligibilityUnitPort, ports: Eligibility, addressee_number: str) -> None:
    insured, last_loss = await uow.qualifications.summary(addressee_number)
    heads = await uow.qualifications.headed_household(addressee_number)
    erasure.check_erasable(
        addressee_number, Standing(insured, last_loss, heads), ports.today(), ports.rules
    )


async def request_erasure(
    uow: EligibilityUnitPort, ports: Eligibility, cmd: RequestErasure
) -> Erasure:
    """The first supervisor: the rules are checked now, so a request that could never be
    confirmed is refused at once; nothing is erased yet."""
    async with uow:
        await _check(uow, ports, cmd.addressee_number)
        request = erasure.request(
            await uow.erasures.pending(cmd.addressee_number),
            request_id=str(uuid4()),
            addressee_number=cmd.addressee_number,
            reason=cmd.reason,
            user_id=cmd.user_id,
            at=ports.now(),
        )
        await uow.erasures.save(request)
        await uow.audit.record(
            subjects=[cmd.addressee_number],
            detail={"erasure": "requested", "request_id": request.request_id},
        )
        return _outcome(request, erased=False)


async def decide_erasure(
    uow: EligibilityUnitPort, ports: Eligibility, cmd: DecideErasure
) -> Erasure:
    """The second supervisor confirms (the details are erased, a tombstone goes to the
    compacted personal-details topic; identifiers, dates and events stay) or rejects."""
    async with uow:
        decided = erasure.decide(
            await uow.erasures.pending(cmd.addressee_number),
            cmd.addressee_number,
            confirm=cmd.confirm,
            user_id=cmd.user_id,
            at=ports.now(),
        )
        erased = False
        if cmd.confirm:
            await _check(uow, ports, cmd.addressee_number)
            erased = await uow.persons.erase(
                cmd.addressee_number,
                f"{decided.reason} (requested by {decided.requested_by},"
                f" confirmed by {decided.decided_by})",
            )
            if erased:  # C-96: the record names the stores, the day and who confirmed it
                await uow.erasures.record(
                    retention.records_of(
                        cmd.addressee_number,
                        ports.today(),
                        ports.now(),
                        cmd.user_id,
                        f"erasure request {decided.request_id}: {decided.reason}",
                    )
                )
        await uow.erasures.save(decided)
        await uow.audit.record(
            subjects=[cmd.addressee_number],
            detail={"erasure": decided.status, "request_id": decided.request_id, "erased": erased},
        )
        return _outcome(decided, erased)
