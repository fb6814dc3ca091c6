"""The statutory reports read (SF-S01, SF-S02, SF-A21; ADR 0018): the facts of the period from
the reports' projection and eligibility's own read model, the figures from the pure domain.
Aggregates only (no person): the read is audited without subjects."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from kokuho.eligibility.app.ports import EligibilityUnitPort
from kokuho.eligibility.domain import reports as r


class ReportFactsPort(Protocol):
    async def periods(self, until: date) -> list[r.Period]: ...

    async def assessments(self, until: date) -> list[r.Assessment]: ...

    async def collected(self, start: date, until: date) -> list[r.Collected]: ...

    async def benefits(self, start: date, until: date) -> list[r.BenefitPaid]: ...


class ReportUnit(EligibilityUnitPort, Protocol):
    @property
    def report_facts(self) -> ReportFactsPort: ...


async def monthly(uow: ReportUnit, year: int, month: int) -> r.MonthlyReport:
    start, end = date(year, month, 1), r.month_end(year, month)
    fy_start = date(r.fiscal_year_of(end), 4, 1)
    async with uow:
        facts = uow.report_facts
        report = r.monthly(
            year,
            month,
            await facts.periods(end),
            await facts.assessments(end),
            await facts.collected(min(start, fy_start), end),
            await facts.benefits(start, end),
        )
        await uow.audit.record(subjects=[], detail={"report": "monthly", "month": report.month})
        return report


async def yearly(uow: ReportUnit, fiscal_year: int) -> r.YearlyReport:
    start, end = date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31)
    async with uow:
        facts = uow.report_facts
        report = r.yearly(
            fiscal_year,
            await facts.periods(end),
            await facts.assessments(end),
            await facts.collected(start, end),
            await facts.benefits(start, end),
        )
        await uow.audit.record(subjects=[], detail={"report": "yearly", "fy": fiscal_year})
        return report


async def levy_base(uow: ReportUnit, fiscal_year: int) -> r.LevyBase:
    end = date(fiscal_year + 1, 3, 31)
    async with uow:
        facts = uow.report_facts
        base = r.levy_base(fiscal_year, await facts.periods(end), await facts.assessments(end))
        await uow.audit.record(subjects=[], detail={"report": "levy_base", "fy": fiscal_year})
        return base
