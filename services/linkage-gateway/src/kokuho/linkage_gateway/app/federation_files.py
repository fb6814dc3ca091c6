"""The federation's inbound files: the daily continuation file (KKH-SKK) validated all or
nothing (C-16), reconciled and held as differences until staff confirm them (C-20, C-21); the
monthly high-cost carry-over list (KKH-KGK) passed on to benefits, one event per household."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from kokuho.events.contracts.linkage_gateway import (
    FederationDifferenceConfirmed,
    HighCostCarryOverListed,
)
from kokuho.linkage_gateway.app.federation_records import StoredDifference
from kokuho.linkage_gateway.app.ports import Federation, GatewayUnitPort, UnitOpener
from kokuho.linkage_gateway.domain.federation import (
    ContinuationFile,
    ContinuationStream,
    FileRejected,
    LineError,
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


@dataclass(frozen=True)
class ParsedContinuation:
    """A continuation file that passed every line check (parsed whole or as it streamed)."""

    file_name: str
    file: ContinuationFile
    sha256: str
    user_id: str
    at: datetime


async def receive_continuation_file(
    uow: GatewayUnitPort, command: ReceiveFile
) -> ContinuationReceipt:
    """Validate (all or nothing: ``FileRejected``), reconcile, and keep the differences."""
    file = parse_continuation_file(command.text)
    digest = hashlib.sha256(command.text.encode("utf-8")).hexdigest()
    return await record_continuation_file(
        uow, ParsedContinuation(command.file_name, file, digest, command.user_id, command.at)
    )


async def record_continuation_file(
    uow: GatewayUnitPort, parsed: ParsedContinuation
) -> ContinuationReceipt:
    """Reconcile a validated file with our records and keep the differences (409 for a file
    received before: the same bytes change nothing)."""
    refuse_out_of_cycle(parsed.file.file_date, parsed.at.astimezone(JST).date())
    async with uow:
        records = uow.federation
        if await records.file_seen(parsed.sha256):
            raise ContinuationFileAlreadyReceived()
        file = parsed.file
        ours = await records.our_qualifications([r.addressee_number for r in file.records])
        differences = reconcile_continuation(file, ours)
        file_id = await records.save_continuation(
            file_name=parsed.file_name,
            file=file,
            sha256=parsed.sha256,
            received_by=parsed.user_id,
            at=parsed.at,
            differences=differences,
        )
        receipt = ContinuationReceipt(file_id, len(file.records), len(differences))
        await uow.audit.record(
            subjects=[], detail={"file_name": parsed.file_name, **receipt.__dict__}
        )
        return receipt


def continuation_file_name(file_date: date) -> str:
    """The name a fetched daily file is kept under."""
    return f"KKH-SKK-1-{file_date:%Y%m%d}.csv"


@dataclass(frozen=True)
class FetchContinuation:
    file_date: date
    user_id: str
    at: datetime


@dataclass(frozen=True)
class FetchResult:
    """What a scheduled fetch did: ``receipt`` None when the day's file had been received
    already (nothing changed) or the federation has none yet (``available`` False)."""

    file_name: str
    available: bool
    receipt: ContinuationReceipt | None


async def fetch_continuation_file(
    open_unit: UnitOpener, federation: Federation, command: FetchContinuation
) -> FetchResult:
    """The day's KKH-SKK file fetched from the federation and received as if uploaded: the
    same line checks (``FileRejected``: nothing applied), reconciliation and differences. A
    day already received is not fetched again; the same bytes again change nothing."""
    name = continuation_file_name(command.file_date)
    async with open_unit() as uow:
        if await uow.federation.continuation_received_on(command.file_date):
            await uow.audit.record(subjects=[], detail={"file_name": name, "already": True})
            return FetchResult(name, True, None)
    content = await federation.fetch_continuation_file(command.file_date)
    if content is None:
        return FetchResult(name, False, None)
    stream = ContinuationStream()
    stream.feed(content)
    parsed = ParsedContinuation(name, stream.finish(), stream.sha256, command.user_id, command.at)
    if parsed.file.file_date != command.file_date:
        raise FileRejected(
            [LineError(1, f"the file is dated {parsed.file.file_date}, not {command.file_date}")]
        )
    try:
        receipt = await record_continuation_file(open_unit(), parsed)
    except ContinuationFileAlreadyReceived:
        return FetchResult(name, True, None)
    return FetchResult(name, True, receipt)


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
