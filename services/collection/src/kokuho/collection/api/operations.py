"""The back office: the daily jobs, the work list and the printed documents."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Response

from kokuho.collection.api.deps import (
    CollectionDep,
    Limit,
    Operator,
    ReadDep,
    Reader,
    WriteDep,
)
from kokuho.collection.api.schemas import (
    JobIn,
    JobOut,
    TaxTransferIn,
    TaxTransferOut,
    WorkItemOut,
)
from kokuho.collection.app import jobs, settlement, tax_transfer, views
from kokuho.collection.domain.errors import NoticeNotFound
from kokuho.platform.models import Page
from kokuho.platform.pagination import decode_cursor, next_cursor

router = APIRouter(prefix="/api/v1", tags=["operations"])


def _job_out(outcome: jobs.JobOutcome) -> JobOut:
    return JobOut.model_validate(asdict(outcome))


@router.post("/jobs/dunning")
async def run_dunning(body: JobIn, user: Operator, ports: CollectionDep, write: WriteDep) -> JobOut:
    """督促: every instalment unpaid past the city's period gets its notice (once)."""
    day = min(body.run_on or ports.today(), ports.today())
    return await write.run(lambda uow: jobs.run_dunning(uow, ports.rules, day), _job_out)


@router.post("/jobs/prescription")
async def run_prescription(
    body: JobIn, user: Operator, ports: CollectionDep, write: WriteDep
) -> JobOut:
    """時効: lapsed charges marked for write-off (once)."""
    day = min(body.run_on or ports.today(), ports.today())
    return await write.run(lambda uow: jobs.run_prescription(uow, ports.rules, day), _job_out)


def _transfer_out(outcome: tax_transfer.TransferOutcome) -> TaxTransferOut:
    return TaxTransferOut.model_validate({**asdict(outcome.transfer), "replayed": outcome.replayed})


@router.post("/tax-deduction-transfers", status_code=201)
async def transfer_premiums_paid(
    body: TaxTransferIn, user: Operator, ports: CollectionDep, write: WriteDep
) -> TaxTransferOut:
    """移転 1: the premiums paid per household in an ended calendar year, for the municipal
    tax division (社会保険料控除); recorded and published once (the same year again: 200,
    ``replayed``)."""
    return await write.run(
        lambda uow: tax_transfer.transfer_premiums_paid(
            uow, body.year, user.user_id, ports.today()
        ),
        _transfer_out,
        status_code=lambda o: 200 if o.replayed else 201,
    )


@router.get("/work-items")
async def list_work_items(
    user: Reader, read: ReadDep, limit: Limit = 50, cursor: str | None = None
) -> Page[WorkItemOut]:
    after = decode_cursor(cursor, position=r"[0-9a-f-]{36}")
    items = await read.run(lambda uow: views.work_items(uow, limit, after), lambda x: x)
    return Page[WorkItemOut](
        items=[WorkItemOut.model_validate(i) for i in items],
        next_cursor=next_cursor([i.item_id for i in items], limit),
    )


@router.get("/documents/{document_id}", response_class=Response)
async def get_document(
    document_id: str, user: Reader, ports: CollectionDep, read: ReadDep
) -> Response:
    """A dunning notice (督促状) or a 過誤納金還付・充当通知書 as a PDF."""
    document = await read.run(lambda uow: settlement.read_document(uow, document_id), lambda d: d)
    if document is None:
        raise NoticeNotFound(f"no document {document_id}")
    return Response(ports.render(document), media_type="application/pdf")
