"""The delinquency retention job (C-95, C-96; ADR 0100): erase every household's case whose
period is over (``domain/retention``), its event stream with its published outbox rows and
its read models, one household per transaction with the rule checked again inside it; record
each erasure per store, audit it, and report what was erased and what was kept and why. The
candidates are the cases closed at least the period ago (the rest cannot be due). A re-run
finds nothing new: an erased case is no longer a candidate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol

from kokuho.delinquency.domain import retention as r
from kokuho.delinquency.domain.model import Case
from kokuho.platform.erasure_records import ErasureRecord
from kokuho.platform.retention import (
    OUTBOX_PENDING,
    SYSTEM_RETENTION,
    RetentionPeriod,
    RetentionReport,
)
from kokuho.platform.unit_of_work import UnitOfWorkPort


class RetentionRecords(Protocol):
    async def closed(self, on_or_before: date) -> list[str]:
        """The households whose case closed on or before the day (the only candidates)."""
        ...

    async def case_for_erasure(self, household: str) -> Case | None:
        """The case, locked for the rest of the transaction."""
        ...

    async def erase(self, household: str) -> bool:
        """Erase it; False (nothing erased) while an event of it waits in the outbox."""
        ...

    async def record(self, records: list[ErasureRecord]) -> None:
        """C-96 (listed by ``kokuho.platform.erasure_routes``)."""
        ...


class RetentionUnit(UnitOfWorkPort, Protocol):
    @property
    def retention(self) -> RetentionRecords: ...


async def apply_retention(
    units: Callable[[], RetentionUnit],
    period: RetentionPeriod,
    *,
    now: datetime,
    on: date,
    dry_run: bool,
) -> RetentionReport:
    report = RetentionReport(on, dry_run)
    basis = f"C-95: until fully paid, then {period.years} years ({period.source})"
    async with units() as uow:
        candidates = await uow.retention.closed(period.latest_start(on))
    for household in candidates:
        async with units() as uow:
            case = await uow.retention.case_for_erasure(household)
            if case is None:
                continue
            reason = r.keep_reason(case, on, period)
            if reason is not None:
                report.keep(reason, household)
                continue
            if dry_run:
                report.erase(r.CASE, household)
                continue
            if not await uow.retention.erase(household):
                report.keep(OUTBOX_PENDING, household)
                continue
            records = [
                ErasureRecord(r.CASE, household, store, on, now, SYSTEM_RETENTION, basis)
                for store in r.STORES
            ]
            await uow.retention.record(records)
            await uow.audit.record(
                subjects=[household],
                detail={"retention": "erased", "class": r.CASE, "closed_on": str(case.closed_on)},
            )
            report.records += len(records)
            report.erase(r.CASE, household)
    return report
