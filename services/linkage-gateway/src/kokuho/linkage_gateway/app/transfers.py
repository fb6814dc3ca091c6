"""Transfer delivery (移転): registry check, only the listed items, recorded before it leaves
(C-66..C-68). Two phases around the delivery: ``prepare_transfer`` commits the record as
prepared, the channel delivers outside any transaction, and the caller's unit marks it
delivered with the receipt (a failed delivery leaves it prepared)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from kokuho.events.contracts.collection import TaxDeductionTransferred, TransferredPayment
from kokuho.linkage_gateway.app.ports import (
    GatewayUnitPort,
    Ports,
    TransferChannel,
    UnitOpener,
)
from kokuho.linkage_gateway.app.records import TransferRecord, TransferRecords
from kokuho.linkage_gateway.domain.transfers import (
    Drift,
    TransferFlow,
    TransferRefused,
    TransferRegistry,
    configuration_drift,
)
from kokuho.platform.errors import DomainError

log = logging.getLogger(__name__)


class NotAManualHandover(DomainError):
    """A flow delivered by its owning service's feed or file is not handed over by a person."""

    slug = "not-a-manual-handover"

    def __init__(self, flow_id: str, channel: str) -> None:
        super().__init__(
            f"flow {flow_id!r} is delivered by its {channel}, not handed over by a person (C-68)"
        )
        self.flow_id, self.channel = flow_id, channel


@dataclass(frozen=True)
class PreparedTransfer:
    record: TransferRecord
    payload: list[dict[str, str]] = field(repr=False)


async def prepare_transfer(
    registry: TransferRegistry,
    records: TransferRecords,
    *,
    transfer_id: UUID,
    flow_id: str,
    recipient: str,
    method: str,
    items: Sequence[str],
    addressee_numbers: Sequence[str],
    user_id: str,
    at: datetime,
) -> PreparedTransfer:
    """A manual hand-over (paper, flash memory) recorded before it leaves: the flow must be
    approved for that recipient, that medium (C-68) and those items (C-67). The gateway hands
    the medium process the hand-over slip (whose data, which items); the owning service
    produces the content on the medium."""
    flow = registry.check(flow_id=flow_id, recipient=recipient, method=method, items=items)
    if flow.channel != "manual-handover":
        raise NotAManualHandover(flow.flow_id, flow.channel)
    wanted = sorted(set(items))
    payload = [{"addressee_number": a, "items": " ".join(wanted)} for a in addressee_numbers]
    record = TransferRecord(
        transfer_id=transfer_id,
        flow_id=flow.flow_id,
        recipient=recipient,
        legal_basis=flow.legal_basis,
        items=tuple(wanted),
        method=method,
        subjects=tuple(addressee_numbers),
        requested_by=user_id,
        status="prepared",
        prepared_at=at,
        delivered_at=None,
        receipt=None,
        channel=flow.channel,
        source=flow.owning_service,
        detail={"seed_transfer": flow.seed_number, "affair": flow.affair},
    )
    await records.save(record)
    return PreparedTransfer(record, payload)


async def deliver_prepared(channel: TransferChannel, prepared: PreparedTransfer) -> str:
    r = prepared.record
    return await channel.deliver(recipient=r.recipient, method=r.method, records=prepared.payload)


@dataclass(frozen=True)
class Transfer:
    transfer_id: UUID
    flow_id: str
    recipient: str
    method: str
    items: Sequence[str]
    addressee_numbers: Sequence[str]
    user_id: str
    at: datetime


async def transfer(
    uow: GatewayUnitPort,
    open_unit: UnitOpener,
    ports: Ports,
    command: Transfer,
    clock: Callable[[], datetime],
) -> TransferRecord:
    """Deliver a registered flow's items for the given persons; anything else is refused. The
    record is committed before the delivery (C-66); a failed delivery leaves it prepared."""
    c = command
    async with open_unit() as first:
        prepared = await prepare_transfer(
            ports.transfers,
            first.transfers,
            transfer_id=c.transfer_id,
            flow_id=c.flow_id,
            recipient=c.recipient,
            method=c.method,
            items=c.items,
            addressee_numbers=c.addressee_numbers,
            user_id=c.user_id,
            at=c.at,
        )
    receipt = await deliver_prepared(ports.channel, prepared)
    async with uow:
        delivered = await uow.transfers.mark_delivered(c.transfer_id, receipt, clock())
        await uow.audit.record(
            subjects=list(delivered.subjects),
            detail={"transfer_id": str(c.transfer_id), "flow_id": delivered.flow_id},
            status_code=201,
        )
        return delivered


FEED_USER = "system:transfer-feed"
FEED_OPERATION = "transfer delivered from the owning service's event (C-66)"
#: What collection's yearly file carries: the year and the fields of each payer's line.
TAX_FILE_ITEMS = ("calendar_year", *TransferredPayment.model_fields)


async def deliver_tax_deduction_file(
    uow: GatewayUnitPort,
    registry: TransferRegistry,
    channel: TransferChannel,
    *,
    event: TaxDeductionTransferred,
    event_id: UUID,
    source: str,
    at: datetime,
) -> TransferRecord | None:
    """移転 1: one part of collection's yearly file (``TaxDeductionTransferred``) delivered to
    the tax division and recorded (C-66), inside the inbox transaction of the event. Checked
    against the registry first (C-67, C-68): a flow, recipient, method or item the registry
    does not approve is blocked, logged and audited, and nothing leaves (None). Only the
    registry's items are put in what leaves."""
    carried = [
        "calendar_year",
        *sorted({k for line in event.lines for k in type(line).model_fields}),
    ]
    try:
        flow = registry.check(
            flow_id=event.flow_id, recipient=event.recipient, method=event.method, items=carried
        )
    except TransferRefused as refused:
        await _blocked(uow, refused, event, event_id)
        return None
    payload: list[dict[str, Any]] = [
        {
            k: v
            for k, v in {"calendar_year": event.calendar_year, **line.model_dump()}.items()
            if k in flow.items
        }
        for line in event.lines
    ]
    async with uow:
        # Inside the inbox transaction: a crash after the channel took it and before the
        # commit delivers the part again (the recipient sees the same transfer id and part).
        receipt = await channel.deliver(
            recipient=flow.recipient, method=flow.method, records=payload
        )
        record = _tax_record(flow, event, event_id, source, receipt, carried, at)
        await uow.transfers.save(record)
        await uow.audit.record(
            subjects=[],
            detail={
                "transfer_id": str(event_id),
                "flow_id": flow.flow_id,
                "recipient": flow.recipient,
                "households": len(event.lines),
            },
        )
        return record


async def _blocked(
    uow: GatewayUnitPort,
    refused: TransferRefused,
    event: TaxDeductionTransferred,
    event_id: UUID,
) -> None:
    log.warning(
        "C-67 alert: a transfer outside the registry was blocked",
        extra={"alert": "C-67", "flow_id": event.flow_id, "reason": refused.slug},
    )
    async with uow:
        await uow.audit.record(
            subjects=[],
            detail={
                "blocked": refused.slug,
                "flow_id": event.flow_id,
                "recipient": event.recipient,
                "source_event_id": str(event_id),
            },
        )


def _tax_record(
    flow: TransferFlow,
    event: TaxDeductionTransferred,
    event_id: UUID,
    source: str,
    receipt: str,
    carried: Sequence[str],
    at: datetime,
) -> TransferRecord:
    return TransferRecord(
        transfer_id=event_id,
        flow_id=flow.flow_id,
        recipient=flow.recipient,
        legal_basis=flow.legal_basis,
        items=tuple(sorted(carried)),
        method=flow.method,
        subjects=tuple(line.nhi_household_number for line in event.lines),
        requested_by=FEED_USER,
        status="delivered",
        prepared_at=at,
        delivered_at=at,
        receipt=receipt,
        channel=flow.channel,
        source=source,
        source_event_id=event_id,
        subject_kind="nhi_household_number",
        detail={
            "seed_transfer": flow.seed_number,
            "source_transfer_id": event.transfer_id,
            "calendar_year": event.calendar_year,
            "part": event.part,
            "parts": event.parts,
            "lines": len(event.lines),
        },
    )


async def deliveries(
    uow: GatewayUnitPort,
    *,
    limit: int,
    flow_id: str | None,
    on_or_after: date | None,
    on_or_before: date | None,
) -> list[TransferRecord]:
    """Every delivery for the auditor (C-66): what, to whom, when, by whom, on which basis."""
    async with uow:
        rows = await uow.transfers.listed(
            limit, flow_id=flow_id, on_or_after=on_or_after, on_or_before=on_or_before
        )
        await uow.audit.record(
            subjects=sorted(
                {s for r in rows if r.subject_kind == "addressee_number" for s in r.subjects}
            ),
            detail={"transfers": len(rows), "flow_id": flow_id},
        )
        return rows


def drift(ports: Ports) -> list[Drift]:
    """C-69: configured routes without an approved registry entry (no personal data)."""
    return configuration_drift(ports.transfers, ports.channel.configured_routes())
