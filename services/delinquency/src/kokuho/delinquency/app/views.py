"""Reads across cases: the statistics (audited: they are built from every case)."""

from __future__ import annotations

from datetime import date

from kokuho.delinquency.app.ports import DelinquencyUnitPort
from kokuho.delinquency.domain.statistics import Line, statistics


async def statistics_of(uow: DelinquencyUnitPort, today: date) -> list[Line]:
    async with uow:
        cases = await uow.cases.all()
        await uow.audit.record(subjects=[], detail={"read": "statistics", "cases": len(cases)})
        return statistics(cases, today)
