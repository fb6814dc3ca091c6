"""Federation routes: send insured changes (C-58 ledger), receive the daily continuation file
(validated all or nothing, C-16), the differences for staff and their confirmation (C-20,
C-21)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Path, Query, Response

from kokuho.linkage_gateway.adapters.federation_sending import send_to_federation
from kokuho.linkage_gateway.adapters.postgres_federation import PostgresFederationRecords
from kokuho.linkage_gateway.api.context import GatewayDep
from kokuho.linkage_gateway.api.pagination import decode_cursor, encode_cursor
from kokuho.linkage_gateway.api.schemas import (
    CarryOverReceiptOut,
    ContinuationFileIn,
    ContinuationReceiptOut,
    DifferenceItem,
    DifferencePage,
    TransmissionOut,
    TransmissionPage,
    TransmissionResult,
)
from kokuho.linkage_gateway.app import federation
from kokuho.linkage_gateway.app.ports import StoredDifference, Transmission
from kokuho.linkage_gateway.domain.federation import INDIVIDUAL_NUMBER_IN_FILE, FileRejected
from kokuho.platform.audit import AuditTrail
from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.idempotency import IdempotencyDep
from kokuho.platform.problems import FieldError, Problem

router = APIRouter(prefix="/api/v1/federation", tags=["federation"])
log = logging.getLogger(__name__)

SENDERS = ("batch.operator", "linkage.operator")


class _NewRequest(Exception):
    """The Idempotency-Key was not used before (the probe's transaction is rolled back)."""


@router.post("/transmissions", status_code=201)
async def send_insured_changes(
    response: Response,
    user: Annotated[StaffUser, require_roles(*SENDERS)],
    gateway: GatewayDep,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> TransmissionResult:
    """Send every insured change not yet sent as one KKH-IDO file (201); 200 with
    ``sent: false`` when none waits. The ledger entry exists before the file leaves (C-58)."""
    try:  # a repeated Idempotency-Key is answered before anything is prepared or sent
        async with gateway.pool().acquire() as conn, conn.transaction():
            await idem.begin(conn)
            raise _NewRequest
    except _NewRequest:
        pass

    async def finish(conn: asyncpg.Connection, sent: Transmission) -> None:
        await idem.begin(conn)
        result = TransmissionResult(sent=True, transmission=TransmissionOut(**sent.__dict__))
        await audit.record(
            detail={"file_name": sent.file_name, "records": sent.record_count},
            status_code=201,
            conn=conn,
        )
        await idem.complete(conn, result, status_code=201)

    try:
        sent = await send_to_federation(
            gateway.pool(),
            gateway.federation,
            user_id=user.user_id,
            at=gateway.clock(),
            finish=finish,
        )
    except OSError:
        # The file stays prepared in the ledger; the next send delivers that same file.
        raise Problem(
            503,
            "federation-unavailable",
            detail="The federation did not take the file; it stays prepared and is re-sent.",
        ) from None
    if sent is None:
        response.status_code = 200
        return TransmissionResult(sent=False, transmission=None)
    return TransmissionResult(sent=True, transmission=TransmissionOut(**sent.__dict__))


@router.get("/transmissions")
async def list_transmissions(
    _user: Annotated[StaffUser, require_roles(*SENDERS, "auditor")],
    gateway: GatewayDep,
    audit: AuditTrail,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    on_or_after: Annotated[date | None, Query(description="ledger day (JST), from")] = None,
    on_or_before: Annotated[date | None, Query(description="ledger day (JST), to")] = None,
) -> TransmissionPage:
    """The transmission ledger (C-58), newest first, optionally by day."""
    if on_or_after and on_or_before and on_or_before < on_or_after:
        raise Problem(
            422,
            "invalid-period",
            detail="on_or_before is before on_or_after.",
            errors=[FieldError(pointer="/query/on_or_before", reason="before on_or_after")],
        )
    async with gateway.pool().acquire() as conn:
        rows = await PostgresFederationRecords(conn).transmissions(
            limit, on_or_after=on_or_after, on_or_before=on_or_before
        )
    await audit.record(detail={"transmissions": len(rows)})
    return TransmissionPage(items=[TransmissionOut(**t.__dict__) for t in rows])


@router.post("/continuation-files", status_code=201)
async def receive_continuation_file(
    body: ContinuationFileIn,
    user: Annotated[StaffUser, require_roles(*SENDERS)],
    gateway: GatewayDep,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> ContinuationReceiptOut:
    """The daily KKH-SKK file: a bad line rejects the file with every line's number and
    reason and nothing applied; otherwise the differences are kept for staff."""
    try:
        async with gateway.pool().acquire() as conn, conn.transaction():
            await idem.begin(conn)
            receipt = await federation.receive_continuation_file(
                PostgresFederationRecords(conn),
                file_name=body.file_name,
                text=body.content,
                user_id=user.user_id,
                at=gateway.clock(),
            )
            out = ContinuationReceiptOut(**receipt.__dict__)
            await audit.record(detail={"file_name": body.file_name, **receipt.__dict__}, conn=conn)
            await idem.complete(conn, out, status_code=201)
    except FileRejected as rejected:
        raise _rejected(body.file_name, rejected) from None
    return out


def _rejected(file_name: str, rejected: FileRejected) -> Problem:
    # C-16 alert: the federation's file broke the interface format; the operators follow it up
    # with the federation. Line numbers only: neither field values nor the caller-chosen file
    # name go into the log.
    log.warning(
        "C-16 alert: an inbound federation file was rejected",
        extra={
            "alert": "C-16",
            "errors": len(rejected.errors),
            "lines": sorted({e.line for e in rejected.errors})[:100],
        },
    )
    carrying = [e.line for e in rejected.errors if e.reason.startswith(INDIVIDUAL_NUMBER_IN_FILE)]
    if carrying:
        # C-19 alert: the federation sent what it must never send.
        log.warning(
            "C-19 alert: an inbound federation file carried an individual number",
            extra={"alert": "C-19", "lines": carrying[:100]},
        )
    return Problem(
        422,
        "federation-file-rejected",
        detail=f"{file_name}: {rejected}. Nothing of the file was applied.",
        errors=[
            FieldError(pointer=f"/body/content/line/{e.line}", reason=e.reason)
            for e in rejected.errors[:1000]
        ],
    )


@router.post("/high-cost-carry-over-lists", status_code=201)
async def receive_carry_over_list(
    body: ContinuationFileIn,
    user: Annotated[StaffUser, require_roles(*SENDERS)],
    gateway: GatewayDep,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> CarryOverReceiptOut:
    """The monthly KKH-KGK list (継続候補世帯リスト / 継続世帯確定リスト): validated all or
    nothing, then passed on to benefits, one event per household."""
    try:
        async with gateway.pool().acquire() as conn, conn.transaction():
            await idem.begin(conn)
            households = await federation.receive_carry_over_list(
                PostgresFederationRecords(conn),
                file_name=body.file_name,
                text=body.content,
                user_id=user.user_id,
                at=gateway.clock(),
            )
            out = CarryOverReceiptOut(households=households)
            await audit.record(
                detail={"file_name": body.file_name, "households": households}, conn=conn
            )
            await idem.complete(conn, out, status_code=201)
    except FileRejected as rejected:
        raise _rejected(body.file_name, rejected) from None
    return out


def _item(d: StoredDifference) -> DifferenceItem:
    x = d.difference
    return DifferenceItem(
        id=d.id,
        file_id=d.file_id,
        file_date=d.file_date,
        addressee_number=x.addressee_number,
        insured_number=x.insured_number,
        kind=x.kind,
        federation_acquisition_date=x.federation_acquisition_date,
        federation_loss_date=x.federation_loss_date,
        our_acquisition_date=x.our_acquisition_date,
        our_loss_date=x.our_loss_date,
        status=d.status,
        decided_by=d.decided_by,
    )


@router.get("/differences")
async def list_differences(
    _user: Annotated[StaffUser, require_roles("linkage.operator", "eligibility.supervisor")],
    gateway: GatewayDep,
    audit: AuditTrail,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> DifferencePage:
    """Open differences between the federation's file and our records (C-20)."""
    async with gateway.pool().acquire() as conn:
        rows = await PostgresFederationRecords(conn).open_differences(
            limit + 1, decode_cursor(cursor)
        )
    items = [_item(d) for d in rows[:limit]]
    await audit.record(subjects=sorted({i.addressee_number for i in items}))
    return DifferencePage(
        items=items, next_cursor=encode_cursor(items[-1].id) if len(rows) > limit else None
    )


@router.post("/differences/{difference_id}/confirmation")
async def confirm_difference(
    difference_id: Annotated[int, Path(ge=1, le=2**62)],
    user: Annotated[StaffUser, require_roles("linkage.operator", "eligibility.supervisor")],
    gateway: GatewayDep,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> DifferenceItem:
    """C-21: staff confirm a difference; it then goes to eligibility as an event."""
    async with gateway.pool().acquire() as conn, conn.transaction():
        await idem.begin(conn)
        decided = await federation.confirm_difference(
            PostgresFederationRecords(conn),
            difference_id=difference_id,
            user_id=user.user_id,
            at=gateway.clock(),
        )
        out = _item(decided)
        await audit.record(
            subjects=[out.addressee_number],
            detail={"difference_id": difference_id, "kind": out.kind, "confirmed": True},
            conn=conn,
        )
        await idem.complete(conn, out, status_code=200)
    return out
