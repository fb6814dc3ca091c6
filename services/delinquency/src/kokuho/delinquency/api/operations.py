"""The back office: the daily review and the statistics (as JSON and as CSV)."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import date

from fastapi import APIRouter, Response

from kokuho.delinquency.api.deps import DelinquencyDep, ReadDep, Reader, Supervisor, WriteDep
from kokuho.delinquency.api.schemas import ReviewIn, ReviewOut, StatisticsLineOut
from kokuho.delinquency.app import jobs, views
from kokuho.delinquency.domain.statistics import Line

router = APIRouter(prefix="/api/v1", tags=["operations"])


@router.post("/jobs/review")
async def run_review(
    body: ReviewIn, user: Supervisor, ports: DelinquencyDep, write: WriteDep
) -> ReviewOut:
    """The daily review (openings, broken promises and plans, lapses, suspension write-offs,
    特別療養費), on ``run_on`` (today or earlier; default today)."""
    day = min(body.run_on or ports.today(), ports.today())
    return await write.run(
        lambda uow: jobs.review_all(uow, ports.rules, day),
        lambda r: ReviewOut.model_validate(asdict(r)),
    )


def _out(line: Line) -> StatisticsLineOut:
    return StatisticsLineOut(**asdict(line), rate_percent=str(line.rate_percent))


async def _lines(read: ReadDep, today: date) -> list[Line]:
    return await read.run(lambda uow: views.statistics_of(uow, today), lambda x: x)


@router.get("/statistics")
async def statistics(user: Reader, ports: DelinquencyDep, read: ReadDep) -> list[StatisticsLineOut]:
    """Arrears by fiscal year, current/past year, stage, ward and officer, with the rate."""
    return [_out(line) for line in await _lines(read, ports.today())]


@router.get("/statistics.csv", response_class=Response)
async def statistics_csv(user: Reader, ports: DelinquencyDep, read: ReadDep) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    fields = list(StatisticsLineOut.model_fields)
    writer.writerow(fields)
    for line in await _lines(read, ports.today()):
        out = _out(line).model_dump()
        writer.writerow([out[f] for f in fields])
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8")
