"""The statutory reports (SF-S01 事業状況報告 monthly and yearly, SF-S02 納付金 base data,
SF-A21 保険基盤安定): JSON lines or CSV in the layout of ``adapters/report_csv.py``."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from kokuho.eligibility.adapters import report_csv
from kokuho.eligibility.api.deps import AUDITOR, SUPERVISOR, ReadDep
from kokuho.eligibility.app import reports
from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.models import ResponseModel

router = APIRouter(prefix="/api/v1", tags=["eligibility"])

Reader = Annotated[StaffUser, require_roles(SUPERVISOR, AUDITOR)]
Month = Annotated[str, Path(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
FiscalYear = Annotated[int, Path(ge=2000, le=2099, description="年度 (April to March)")]
CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}}}


class ReportLineOut(ResponseModel):
    section: str
    item: str
    label: str
    value: int | Decimal | None


class ReportOut(ResponseModel):
    report: str
    period: str
    lines: list[ReportLineOut]

    @classmethod
    def of(cls, report: str, period: str, lines: list[report_csv.Line]) -> ReportOut:
        return cls(
            report=report,
            period=period,
            lines=[ReportLineOut(section=x.section, item=x.item, label=x.label, value=x.value)
                   for x in lines],
        )  # fmt: skip


def _csv(report: str, period: str, lines: list[report_csv.Line]) -> Response:
    return Response(report_csv.to_csv(report, period, lines), media_type="text/csv; charset=utf-8")


@router.get("/reports/monthly/{month}")
async def monthly_report(month: Month, user: Reader, read: ReadDep) -> ReportOut:
    """事業状況報告 (月報): members and households at the month's end, premiums assessed and
    collected, benefits paid in the month."""
    year, m = (int(p) for p in month.split("-"))
    return await read.run(
        lambda uow: reports.monthly(uow, year, m),
        lambda r: ReportOut.of("monthly", month, report_csv.monthly_lines(r)),
    )


@router.get("/reports/monthly/{month}/csv", response_class=Response, responses=CSV)
async def monthly_report_csv(month: Month, user: Reader, read: ReadDep) -> Response:
    year, m = (int(p) for p in month.split("-"))
    return await read.run(
        lambda uow: reports.monthly(uow, year, m),
        lambda r: _csv("monthly", month, report_csv.monthly_lines(r)),
    )


@router.get("/reports/yearly/{fiscal_year}")
async def yearly_report(fiscal_year: FiscalYear, user: Reader, read: ReadDep) -> ReportOut:
    """事業状況報告 (年報) of a fiscal year."""
    return await read.run(
        lambda uow: reports.yearly(uow, fiscal_year),
        lambda r: ReportOut.of("yearly", str(fiscal_year), report_csv.yearly_lines(r)),
    )


@router.get("/reports/yearly/{fiscal_year}/csv", response_class=Response, responses=CSV)
async def yearly_report_csv(fiscal_year: FiscalYear, user: Reader, read: ReadDep) -> Response:
    return await read.run(
        lambda uow: reports.yearly(uow, fiscal_year),
        lambda r: _csv("yearly", str(fiscal_year), report_csv.yearly_lines(r)),
    )


@router.get("/reports/levy-base/{fiscal_year}")
async def levy_base(fiscal_year: FiscalYear, user: Reader, read: ReadDep) -> ReportOut:
    """納付金算定の基礎データ and 保険基盤安定 totals of a fiscal year."""
    return await read.run(
        lambda uow: reports.levy_base(uow, fiscal_year),
        lambda b: ReportOut.of("levy_base", str(fiscal_year), report_csv.levy_base_lines(b)),
    )


@router.get("/reports/levy-base/{fiscal_year}/csv", response_class=Response, responses=CSV)
async def levy_base_csv(fiscal_year: FiscalYear, user: Reader, read: ReadDep) -> Response:
    return await read.run(
        lambda uow: reports.levy_base(uow, fiscal_year),
        lambda b: _csv("levy_base", str(fiscal_year), report_csv.levy_base_lines(b)),
    )
