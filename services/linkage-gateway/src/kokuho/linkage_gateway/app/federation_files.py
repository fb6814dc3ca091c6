"""The federation's inbound files: the daily continuation file (KKH-SKK) validated all or
nothing (C-16), reconciled and held as differences until staff confirm them (C-20, C-21); the
monthly high-cost carry-over list (KKH-KGK) passed on to benefits, one event per household."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from kokuho.events.contracts.linkage_gateway import (
    FederationDifferenceConfirmed,
    HighCostCarryOverListed,
)
from kokuho.linkage_gateway.app.ports import GatewayUnitPort
from kokuho.linkage_gateway.app.records import StoredDifference
from kokuho.linkage_gateway.domain.federation import (
    parse_carry_over_list,
    parse_continuation_file,
    reconcile_continuation,
    refuse_out_of_cycle,
)
from kokuho.platform.errors import DomainError

#: The federation's files are dated in Japan time (no DST, so a fixed offset is exact).
JST = timezone(timedelta(hours=9), "JST")


class ContinuationFileAlreadyReceived(DomainError):
    status = 409
    slug = "continuation-file-already-received"

    def __init__(self) -> None:
        super().__init__("this continuation file was already received (same content)")


class CarryOverListAlreadyReceived(DomainError):
    status = 409
    slug = "carry-over-list-already-received"

    def __init__(self) -> None:
        super().__init__("this carry-over list was already received (same content)")


class DifferenceNotOpen(DomainError):
    status = 404
    slug = "difference-not-open"

    def __init__(self, difference_id: int) -> None:
        super().__init__(f"difference {difference_id} is not open for confirmation")
        self.difference_id = difference_id


@dataclass(frozen=True)
class ReceiveFile:
    file_name: str
    text: str
    user_id: str
    at: datetime


@dataclass(frozen=True)
class ContinuationReceipt:
    file_id: int
    records: int
    differences: int


@dataclass(frozen=True)
class ConfirmDifference:
    difference_id: int
    user_id: str
    at: datetime


async def receive_continuation_file(
    uow: GatewayUnitPort, command: ReceiveFile
) -> ContinuationReceipt:
    """Validate (all or nothing: ``FileRejected``), reconcile, and keep the differences."""
    file = parse_continuation_file(command.text)
    refuse_out_of_cycle(file.file_date, command.at.astimezone(JST).date())
    digest = hashlib.sha256(command.text.encode("utf-8")).hexdigest()
    async with uow:
        records = uow.federation
        if await records.file_seen(digest):
            raise ContinuationFileAlreadyReceived()
        ours = await records.our_qualifications([r.addressee_number for r in file.records])
        differences = reconcile_continuation(file, ours)
        file_id = await records.save_continuation(
            file_name=command.file_name,
            file=file,
            sha256=digest,
            received_by=command.user_id,
            at=command.at,
            differences=differences,
        )
        receipt = ContinuationReceipt(file_id, len(file.records), len(differences))
        await uow.audit.record(
            subjects=[], detail={"file_name": command.file_name, **receipt.__dict__}
        )
        return receipt


async def receive_carry_over_list(uow: GatewayUnitPort, command: ReceiveFile) -> int:
    """The monthly high-cost carry-over list: validated all or nothing, passed on to benefits
    as one event per household. Returns the number of households."""
    carry_over = parse_carry_over_list(command.text)  # FileRejected: nothing applied
    refuse_out_of_cycle(carry_over.file_date, command.at.astimezone(JST).date())
    digest = hashlib.sha256(command.text.encode("utf-8")).hexdigest()
    async with uow:
        saved = await uow.federation.save_carry_over(
            file_name=command.file_name,
            carry_over=carry_over,
            sha256=digest,
            received_by=command.user_id,
            at=command.at,
        )
        if saved is None:
            raise CarryOverListAlreadyReceived()
        await uow.federation.publish_carry_over(
            [
                HighCostCarryOverListed(
                    kind=carry_over.kind,
                    target_month=carry_over.target_month,
                    nhi_household_number=h.nhi_household_number,
                    householder_addressee_number=h.householder_addressee_number,
                    previous_insurer_number=h.previous_insurer_number,
                    high_cost_months=h.high_cost_months,
                    last_high_cost_month=h.last_high_cost_month,
                    file_date=carry_over.file_date,
                )
                for h in carry_over.households
            ]
        )
        households = len(carry_over.households)
        await uow.audit.record(
            subjects=[], detail={"file_name": command.file_name, "households": households}
        )
        return households


async def open_differences(
    uow: GatewayUnitPort, *, limit: int, after: int
) -> tuple[list[StoredDifference], bool]:
    """Open differences between the federation's file and our records (C-20); (the page,
    whether more follow)."""
    async with uow:
        rows = await uow.federation.open_differences(limit + 1, after)
        page = rows[:limit]
        await uow.audit.record(subjects=sorted({d.difference.addressee_number for d in page}))
        return page, len(rows) > limit


async def confirm_difference(uow: GatewayUnitPort, command: ConfirmDifference) -> StoredDifference:
    """C-21: a person confirms; only then does the difference go to eligibility as an event."""
    async with uow:
        records = uow.federation
        stored = await records.difference(command.difference_id)
        if stored is None or stored.status != "open":
            raise DifferenceNotOpen(command.difference_id)
        d = stored.difference
        await records.decide_difference(
            command.difference_id, status="confirmed", by=command.user_id, at=command.at
        )
        await records.publish(
            FederationDifferenceConfirmed(
                addressee_number=d.addressee_number,
                insured_number=d.insured_number,
                kind=d.kind,
                federation_acquisition_date=d.federation_acquisition_date,
                federation_loss_date=d.federation_loss_date,
                file_date=stored.file_date,
                confirmed_by=command.user_id,
            )
        )
        decided = await records.difference(command.difference_id)
        assert decided is not None
        await uow.audit.record(
            subjects=[d.addressee_number],
            detail={"difference_id": command.difference_id, "kind": d.kind, "confirmed": True},
        )
        return decided
