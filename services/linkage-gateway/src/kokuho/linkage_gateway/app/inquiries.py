"""Information inquiries (情報照会) against the permitted-inquiry list (C-71..C-74), their
results' retention (C-77), and provisions (情報提供) to permitted requesters with holds for a
person's approval (C-80, C-81). Every one leaves a record (C-66, C-72) and an audit record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from kokuho.linkage_gateway.app.ports import GatewayUnitPort, IntermediateServer
from kokuho.linkage_gateway.app.records import InquiryRecord, ProvisionRecord
from kokuho.linkage_gateway.domain.intermediate import PermittedInquiryList, decide_provision
from kokuho.linkage_gateway.domain.vault import NoNumberBound
from kokuho.platform.errors import DomainError


class UnknownProvision(DomainError):
    status = 404
    slug = "unknown-provision"

    def __init__(self, provision_id: UUID) -> None:
        super().__init__(f"provision {provision_id} is not held for approval")
        self.provision_id = provision_id


class UnknownIntegratedAddressee(DomainError):
    status = 404
    slug = "unknown-integrated-addressee"

    def __init__(self) -> None:
        super().__init__("the integrated addressee number is not ours")


class InquiryNotFound(DomainError):
    status = 404
    slug = "not-found"

    def __init__(self) -> None:
        super().__init__("No such inquiry.")


@dataclass(frozen=True)
class MakeInquiry:
    inquiry_id: UUID
    user_id: str
    addressee_number: str
    affair: str
    provider: str
    item: str
    at: datetime


@dataclass(frozen=True)
class ProvisionRequest:
    provision_id: UUID
    requester: str
    integrated_addressee_number: str
    item: str
    at: datetime


@dataclass(frozen=True)
class ApproveProvision:
    provision_id: UUID
    user_id: str
    at: datetime


async def make_inquiry(
    uow: GatewayUnitPort,
    server: IntermediateServer,
    permits: PermittedInquiryList,
    command: MakeInquiry,
) -> InquiryRecord:
    """情報照会: checked against the list before anything is sent (C-74), then recorded."""
    c = command
    async with uow:
        permit = permits.check_inquiry(affair=c.affair, provider=c.provider, item=c.item)
        binding = await uow.vault.binding_of(c.addressee_number)
        if binding is None:
            raise NoNumberBound(c.addressee_number)
        answer = await server.inquire(
            integrated_addressee_number=binding.integrated_addressee_number,
            provider=c.provider,
            item=c.item,
        )
        record = InquiryRecord(
            inquiry_id=c.inquiry_id,
            requested_by=c.user_id,
            requested_at=c.at,
            affair=c.affair,
            provider=c.provider,
            item=c.item,
            legal_basis_row=permit.legal_basis_row,
            addressee_number=c.addressee_number,
            status=answer.status,
            result=answer.content,
            completed_at=c.at,
            result_deleted_at=None,
        )
        await uow.linkage.save_inquiry(record, binding.integrated_addressee_number)
        await uow.audit.record(
            subjects=[c.addressee_number],
            detail={
                "inquiry_id": str(c.inquiry_id),
                "legal_basis_row": record.legal_basis_row,
                "provider": c.provider,
                "item": c.item,
                "status": record.status,
            },
            status_code=201,
        )
        return record


async def inquiry(uow: GatewayUnitPort, inquiry_id: UUID) -> InquiryRecord:
    """An inquiry and its result; after the retention (C-77) the result is gone."""
    async with uow:
        record = await uow.linkage.inquiry(inquiry_id)
        if record is None:
            raise InquiryNotFound()
        await uow.audit.record(
            subjects=[record.addressee_number], detail={"inquiry_id": str(inquiry_id)}
        )
        return record


async def purge_inquiry_results(
    uow: GatewayUnitPort, *, retention: timedelta, now: datetime
) -> list[UUID]:
    """C-77: inquiry results are deleted once the retention after completion has passed; each
    deletion is audited (the unit's trail: the retention job)."""
    async with uow:
        deleted = await uow.linkage.delete_inquiry_results(completed_before=now - retention, at=now)
        if deleted:
            await uow.audit.record(
                subjects=[],
                detail={
                    "inquiry_ids": [str(i) for i in deleted],
                    "retention_days": retention.days,
                },
            )
        return deleted


async def handle_provision_request(
    uow: GatewayUnitPort, permits: PermittedInquiryList, command: ProvisionRequest
) -> ProvisionRecord:
    """情報提供: only to permitted requesters (C-80); flagged items held (C-81); recorded."""
    c = command
    async with uow:
        decision = decide_provision(permits, requester=c.requester, item=c.item)
        addressee = await uow.linkage.addressee_of_integrated(c.integrated_addressee_number)
        if addressee is None:
            raise UnknownIntegratedAddressee()
        record = ProvisionRecord(
            provision_id=c.provision_id,
            requester=c.requester,
            item=c.item,
            legal_basis_row=decision.permit.legal_basis_row,
            addressee_number=addressee,
            requested_at=c.at,
            status="provided" if decision.automatic else "held",
            provided_at=c.at if decision.automatic else None,
            approved_by=None,
        )
        await uow.linkage.save_provision(record, c.integrated_addressee_number)
        await uow.audit.record(
            subjects=[addressee],
            detail={
                "provision_id": str(c.provision_id),
                "requester": c.requester,
                "legal_basis_row": record.legal_basis_row,
                "item": c.item,
                "status": record.status,
            },
            status_code=201,
        )
        return record


async def held_provisions(uow: GatewayUnitPort, *, limit: int) -> list[ProvisionRecord]:
    async with uow:
        held = await uow.linkage.held_provisions(limit)
        await uow.audit.record(subjects=sorted({p.addressee_number for p in held}))
        return held


async def approve_provision(uow: GatewayUnitPort, command: ApproveProvision) -> ProvisionRecord:
    """C-81: a person re-checked the content; the provision goes out, with who approved it."""
    async with uow:
        held = await uow.linkage.provision(command.provision_id)
        if held is None or held.status != "held":
            raise UnknownProvision(command.provision_id)
        await uow.linkage.approve_provision(command.provision_id, by=command.user_id, at=command.at)
        approved = await uow.linkage.provision(command.provision_id)
        assert approved is not None
        await uow.audit.record(
            subjects=[approved.addressee_number],
            detail={"provision_id": str(command.provision_id), "approved": True},
        )
        return approved
