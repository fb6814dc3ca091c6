"""Insured changes for the federation: captured from eligibility's events and sent as one
KKH-IDO file with a ledger entry (C-58), in two phases around the transfer: the entry is
committed before the file leaves and marked sent after, so no external call sits inside the
preparing transaction. The inbound files and the differences: ``app/federation_files.py``."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from kokuho.events.contracts import EventContract
from kokuho.events.contracts.eligibility import (
    QualificationAcquired,
    QualificationCorrected,
    QualificationLost,
)
from kokuho.linkage_gateway.app.federation_records import FederationRecords, Transmission
from kokuho.linkage_gateway.app.ports import (
    Federation,
    GatewayUnitPort,
    NumberSealer,
    UnitOpener,
)
from kokuho.linkage_gateway.app.records import VaultRepository
from kokuho.linkage_gateway.domain.federation import (
    OUTBOUND_FORMAT,
    OUTBOUND_VERSION,
    InsuredChange,
    build_insured_change_file,
    numbered_addressees,
    with_individual_numbers,
)
from kokuho.linkage_gateway.domain.vault import NoNumberBound
from kokuho.platform.errors import DomainError


class FederationUnavailable(DomainError, ConnectionError):
    """The federation did not take the file; it stays prepared and the next send delivers it."""

    status = 503
    slug = "federation-unavailable"

    def __init__(self) -> None:
        super().__init__("The federation did not take the file; it stays prepared and is re-sent.")


async def _acquired(records: FederationRecords, event: EventContract) -> InsuredChange:
    assert isinstance(event, QualificationAcquired)
    return InsuredChange(
        "acquired",
        event.addressee_number,
        event.nhi_household_number,
        event.insured_number,
        event.card_symbol,
        event.card_number,
        event.branch_number,
        event.acquisition_date,
        None,
    )


async def _lost_or_corrected(records: FederationRecords, event: EventContract) -> InsuredChange:
    assert isinstance(event, QualificationLost | QualificationCorrected)
    # The card items come from the person's last change (a loss event does not repeat them).
    last = await records.last_change(event.addressee_number)
    symbol, card, branch = (
        (last.card_symbol, last.card_number, last.branch_number) if last else ("", "", "")
    )
    acquired: date | None
    if isinstance(event, QualificationLost):
        kind, acquired = "lost", last.acquisition_date if last else None
    else:
        kind, acquired = "corrected", event.acquisition_date
    return InsuredChange(
        kind,
        event.addressee_number,
        event.nhi_household_number,
        event.insured_number,
        symbol,
        card,
        branch,
        acquired,
        event.loss_date,
    )


#: Which eligibility event becomes which 異動 record (others carry no insured change).
CHANGES: dict[
    type[EventContract],
    Callable[[FederationRecords, EventContract], Awaitable[InsuredChange]],
] = {
    QualificationAcquired: _acquired,
    QualificationLost: _lost_or_corrected,
    QualificationCorrected: _lost_or_corrected,
}


async def capture_change(
    records: FederationRecords, *, event: EventContract, event_id: UUID | None
) -> InsuredChange | None:
    """An eligibility qualification event becomes one 異動 record awaiting transmission
    (inside the caller's inbox transaction)."""
    make = CHANGES.get(type(event))
    if make is None:
        return None
    change = await make(records, event)
    await records.add_change(change, event_id)
    return change


@dataclass(frozen=True)
class PreparedFile:
    transmission: Transmission
    content: bytes


@dataclass(frozen=True)
class SendInsuredChanges:
    user_id: str
    at: datetime


async def send_insured_changes(
    uow: GatewayUnitPort,
    open_unit: UnitOpener,
    federation: Federation,
    sealer: NumberSealer,
    command: SendInsuredChanges,
    clock: Callable[[], datetime],
) -> Transmission | None:
    """Send every insured change not yet sent as one KKH-IDO file (None: none waits). Phase
    one commits the file (numbers masked) and its ledger entry (``open_unit``); the numbers
    are opened from the vault and put in, in memory only (S3); the file leaves; ``uow`` marks
    it sent and records the audit, naming whose numbers went. A failed transfer leaves it
    prepared for the next send."""
    async with open_unit() as first:
        prepared = await prepare_insured_changes(
            first.federation, first.vault, user_id=command.user_id, at=command.at
        )
    if prepared is None:
        return None
    kept = prepared.content.decode("utf-8")
    numbered = numbered_addressees(kept)
    async with open_unit() as reading:
        outgoing = with_individual_numbers(
            kept, await _open_numbers(reading.vault, sealer, numbered)
        ).encode("utf-8")
    try:
        # The federation keys files by name, so a re-send of the same file is harmless.
        receipt = await federation.send(prepared.transmission.file_name, outgoing)
    except OSError:
        raise FederationUnavailable() from None
    finally:
        del outgoing  # the only copy holding the numbers
    async with uow:
        sent = await uow.federation.mark_sent(prepared.transmission.id, receipt, clock())
        await uow.audit.record(
            subjects=numbered,
            detail={
                "file_name": sent.file_name,
                "records": sent.record_count,
                "individual_numbers": len(numbered),
            },
            status_code=201,
        )
        return sent


async def _open_numbers(
    vault: VaultRepository, sealer: NumberSealer, addressees: Sequence[str]
) -> dict[str, str]:
    """The numbers of ``addressees``, opened from the vault (inside the gateway only)."""
    numbers = {}
    for addressee in addressees:
        sealed = await vault.sealed_of(addressee)
        if sealed is None:
            raise NoNumberBound(addressee)
        numbers[addressee] = sealer.open(sealed, addressee_number=addressee).value
    return numbers


async def prepare_insured_changes(
    records: FederationRecords, vault: VaultRepository, *, user_id: str, at: datetime
) -> PreparedFile | None:
    """Phase one of a send (C-58): the file and its ledger entry, before anything leaves; a
    person with a bound number gets the mask where the number goes (a binding is never
    replaced, C-17, so the same people get their number at any later send of this file). A
    file prepared earlier and never marked sent is taken again as it was."""
    waiting = await records.prepared_transmission()
    if waiting is not None:
        return PreparedFile(*waiting)
    pending = await records.pending_changes()
    if not pending:
        return None
    sequence = await records.next_sequence()
    changes = [c for _, c in pending]
    numbered = [
        a
        for a in sorted({c.addressee_number for c in changes})
        if await vault.binding_of(a) is not None
    ]
    text = build_insured_change_file(
        changes, file_date=at.date(), sequence=sequence, numbered=numbered
    )
    content = text.encode("utf-8")
    prepared = await records.record_transmission(
        Transmission(
            id=0,
            file_name=f"{OUTBOUND_FORMAT}-{OUTBOUND_VERSION}-{at:%Y%m%d}-{sequence:06d}.csv",
            sequence=sequence,
            record_count=len(pending),
            sha256=hashlib.sha256(content).hexdigest(),
            sent_by=user_id,
            status="prepared",
            prepared_at=at,
            receipt=None,
            sent_at=None,
        ),
        [i for i, _ in pending],
        OUTBOUND_FORMAT,
        content,
    )
    return PreparedFile(prepared, content)


async def transmissions(
    uow: GatewayUnitPort,
    *,
    limit: int,
    on_or_after: date | None,
    on_or_before: date | None,
) -> list[Transmission]:
    """The transmission ledger (C-58), newest first, optionally by ledger day (JST)."""
    async with uow:
        rows = await uow.federation.transmissions(
            limit, on_or_after=on_or_after, on_or_before=on_or_before
        )
        await uow.audit.record(subjects=[], detail={"transmissions": len(rows)})
        return rows
