"""Federation routes: send insured changes (C-58 ledger), receive the daily continuation file
and the monthly carry-over list (validated all or nothing, C-16), the differences for staff
and their confirmation (C-20, C-21)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from kokuho.linkage_gateway.api.deps import (
    DifferenceDecider,
    GatewayDep,
    ReadDep,
    Sender,
    SenderOrAuditor,
    UnitsDep,
    WriteDep,
)
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
from kokuho.linkage_gateway.app import federation, federation_files
from kokuho.linkage_gateway.app.federation_records import Transmission
from kokuho.linkage_gateway.domain.federation import (
    INDIVIDUAL_NUMBER_IN_FILE,
    ContinuationStream,
    FileRejected,
)
from kokuho.platform.pagination import NUMBER_POSITION, decode_cursor, encode_cursor
from kokuho.platform.problems import FieldError, Problem

router = APIRouter(prefix="/api/v1/federation", tags=["federation"])
log = logging.getLogger(__name__)


def _result(sent: Transmission | None) -> TransmissionResult:
    if sent is None:
        return TransmissionResult(sent=False, transmission=None)
    return TransmissionResult(sent=True, transmission=TransmissionOut.model_validate(sent))


@router.post("/transmissions", status_code=201)
async def send_insured_changes(
    user: Sender, ports: GatewayDep, units: UnitsDep, write: WriteDep
) -> TransmissionResult:
    """Send every insured change not yet sent as one KKH-IDO file (201); 200 with
    ``sent: false`` when none waits. The ledger entry exists before the file leaves (C-58);
    503 ``federation-unavailable`` leaves it prepared, and the next send delivers that file."""
    command = federation.SendInsuredChanges(user_id=user.user_id, at=ports.clock())
    return await write.run(
        lambda uow: federation.send_insured_changes(
            uow, units, ports.federation, ports.sealer, command, ports.clock
        ),
        _result,
        status_code=lambda sent: 201 if sent else 200,
        # A send is audited by the use case; "nothing waited" touches no one's data.
        audited=False,
    )


@router.get("/transmissions")
async def list_transmissions(
    _user: SenderOrAuditor,
    read: ReadDep,
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
    return await read.run(
        lambda uow: federation.transmissions(
            uow, limit=limit, on_or_after=on_or_after, on_or_before=on_or_before
        ),
        lambda rows: TransmissionPage(items=[TransmissionOut.model_validate(t) for t in rows]),
    )


@router.post("/continuation-files", status_code=201)
async def receive_continuation_file(
    body: ContinuationFileIn, user: Sender, ports: GatewayDep, write: WriteDep
) -> ContinuationReceiptOut:
    """The daily KKH-SKK file: a bad line rejects the file with every line's number and
    reason and nothing applied; otherwise the differences are kept for staff."""
    command = federation_files.ReceiveFile(
        body.file_name, body.content, user.user_id, ports.clock()
    )
    try:
        return await write.run(
            lambda uow: federation_files.receive_continuation_file(uow, command),
            ContinuationReceiptOut.model_validate,
            status_code=201,
        )
    except FileRejected as rejected:
        raise rejected_file(body.file_name, rejected) from None


#: What a streamed continuation file may be sent as.
CSV_TYPES = ("text/csv", "text/plain")


@router.put(
    "/continuation-files/{file_name}",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {t: {"schema": {"type": "string"}} for t in CSV_TYPES},
        }
    },
    responses={409: {"description": "the same file was received before"}},
)
async def upload_continuation_file(
    file_name: Annotated[str, Path(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9._-]+$")],
    request: Request,
    user: Sender,
    ports: GatewayDep,
    write: WriteDep,
) -> ContinuationReceiptOut:
    """The daily KKH-SKK file as the body itself (``text/csv``, UTF-8), read line by line as
    it arrives, with no limit on the number of records (a city's file is over 7 MB; only the
    request size limit applies). The same checks as the JSON route: a bad line rejects the
    file (422, each line's number and reason, ``/body/line/N``) and nothing is applied."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in CSV_TYPES:
        raise Problem(
            415,
            "unsupported-media-type",
            detail="Send the file as text/csv (UTF-8), one record per line.",
            errors=[FieldError(pointer="/header/content-type", reason="must be text/csv")],
        )
    stream = ContinuationStream()
    async for chunk in request.stream():
        stream.feed(chunk)
    try:
        file = stream.finish()
    except FileRejected as rejected:
        raise rejected_file(file_name, rejected, pointer="/body/line") from None
    parsed = federation_files.ParsedContinuation(
        file_name, file, stream.sha256, user.user_id, ports.clock()
    )
    try:
        return await write.run(
            lambda uow: federation_files.record_continuation_file(uow, parsed),
            ContinuationReceiptOut.model_validate,
            status_code=201,
        )
    except FileRejected as rejected:
        raise rejected_file(file_name, rejected, pointer="/body/line") from None


@router.post("/high-cost-carry-over-lists", status_code=201)
async def receive_carry_over_list(
    body: ContinuationFileIn, user: Sender, ports: GatewayDep, write: WriteDep
) -> CarryOverReceiptOut:
    """The monthly KKH-KGK list (継続候補世帯リスト / 継続世帯確定リスト): validated all or
    nothing, then passed on to benefits, one event per household."""
    command = federation_files.ReceiveFile(
        body.file_name, body.content, user.user_id, ports.clock()
    )
    try:
        return await write.run(
            lambda uow: federation_files.receive_carry_over_list(uow, command),
            lambda households: CarryOverReceiptOut(households=households),
            status_code=201,
        )
    except FileRejected as rejected:
        raise rejected_file(body.file_name, rejected) from None


def rejected_file(
    file_name: str, rejected: FileRejected, *, pointer: str = "/body/content/line"
) -> Problem:
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
            FieldError(pointer=f"{pointer}/{e.line}", reason=e.reason)
            for e in rejected.errors[:1000]
        ],
    )


@router.get("/differences")
async def list_differences(
    _user: DifferenceDecider,
    read: ReadDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> DifferencePage:
    """Open differences between the federation's file and our records (C-20)."""
    after = int(decode_cursor(cursor, position=NUMBER_POSITION) or 0)
    page, more = await read.run(
        lambda uow: federation_files.open_differences(uow, limit=limit, after=after),
        lambda r: r,
    )
    items = [DifferenceItem.of(d) for d in page]
    return DifferencePage(
        items=items, next_cursor=encode_cursor(items[-1].id) if more and items else None
    )


@router.post("/differences/{difference_id}/confirmation")
async def confirm_difference(
    difference_id: Annotated[int, Path(ge=1, le=2**62)],
    user: DifferenceDecider,
    ports: GatewayDep,
    write: WriteDep,
) -> DifferenceItem:
    """C-21: staff confirm a difference; it then goes to eligibility as an event."""
    command = federation_files.ConfirmDifference(difference_id, user.user_id, ports.clock())
    return await write.run(
        lambda uow: federation_files.confirm_difference(uow, command), DifferenceItem.of
    )
