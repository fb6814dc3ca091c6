"""Response models of the transfer registry and the deliveries (C-66)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from kokuho.linkage_gateway.app.records import TransferRecord
from kokuho.linkage_gateway.domain.transfers import TransferFlow
from kokuho.platform.models import ResponseModel


class DeliveryOut(ResponseModel):
    """One delivery (C-66): what (flow, items), to whom, when, by whom, on which basis, whose
    data (the keys: addressee numbers, or NHI household numbers for the yearly tax file)."""

    transfer_id: UUID
    flow_id: str
    recipient: str
    legal_basis: str
    items: list[str]
    method: str
    channel: str | None
    requested_by: str
    source: str | None
    status: str
    prepared_at: datetime
    delivered_at: datetime | None
    receipt: str | None
    subject_kind: str
    subjects: list[str]
    detail: dict[str, Any]

    @classmethod
    def of(cls, r: TransferRecord) -> DeliveryOut:
        return cls(
            transfer_id=r.transfer_id,
            flow_id=r.flow_id,
            recipient=r.recipient,
            legal_basis=r.legal_basis,
            items=list(r.items),
            method=r.method,
            channel=r.channel,
            requested_by=r.requested_by,
            source=r.source,
            status=r.status,
            prepared_at=r.prepared_at,
            delivered_at=r.delivered_at,
            receipt=r.receipt,
            subject_kind=r.subject_kind,
            subjects=list(r.subjects),
            detail=dict(r.detail),
        )


class DeliveryPage(ResponseModel):
    items: list[DeliveryOut]


class FlowOut(ResponseModel):
    """A row of the transfer registry (flows.md section 6); ``unknown`` where the source has
    nothing."""

    seed_number: int
    flow_id: str
    status: str
    recipient: str
    recipient_division: str
    affair: str
    legal_basis: str
    items: list[str]
    persons: str
    frequency: str
    channel: str
    medium: str | None
    method: str
    owning_service: str
    #: an event feed's topic, its current-state companion and its contract (ADR 0089)
    feed_topic: str | None = None
    snapshot_topic: str | None = None
    feed_event_type: str | None = None

    @classmethod
    def of(cls, f: TransferFlow) -> FlowOut:
        return cls(
            seed_number=f.seed_number,
            flow_id=f.flow_id,
            status=f.status,
            recipient=f.recipient,
            recipient_division=f.recipient_division,
            affair=f.affair,
            legal_basis=f.legal_basis,
            items=sorted(f.items),
            persons=f.persons,
            frequency=f.frequency,
            channel=f.channel,
            medium=f.medium,
            method=f.method,
            owning_service=f.owning_service,
            feed_topic=f.feed_topic,
            snapshot_topic=f.snapshot_topic,
            feed_event_type=f.feed_event_type,
        )


class RegistryOut(ResponseModel):
    version: str
    flows: list[FlowOut]
