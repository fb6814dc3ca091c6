"""The collection retention job (C-95, C-96; ADR 0100): erase every household ledger that is
settled and whose period is over (``domain/retention``): its streams with their published
outbox rows, the snapshot and charge rows, its resolved work items with their resolutions, its
notices, its direct-debit registrations and the appropriations of benefit payouts. One
household per transaction, the rule checked again inside it on the locked snapshot; each
erasure recorded per store and audited; a report of what was erased and what was kept and why.
The candidates are the households owing nothing whose last event is at least the period old
(the rest cannot be due). A re-run finds nothing new: an erased household is no longer one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol

from kokuho.collection.domain import retention as r
from kokuho.collection.domain.ledger import Ledger
from kokuho.platform.erasure_records import ErasureRecord
from kokuho.platform.retention import (
    OUTBOX_PENDING,
    SYSTEM_RETENTION,
    RetentionPeriod,
    RetentionReport,
)
from kokuho.platform.unit_of_work import UnitOfWorkPort


class RetentionRecords(Protocol):
    async def settled(self, still_since: date) -> list[str]:
        """Households none of whose charges has anything outstanding and whose last event was
        recorded on or before the day (Japan's): the only candidates."""
        ...

    async def for_erasure(self, household: str) -> tuple[Ledger, r.Outside] | None:
        """The ledger, locked for the rest of the transaction, and what lies outside it."""
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
        candidates = await uow.retention.settled(period.latest_start(on))
    for household in candidates:
        async with units() as uow:
            found = await uow.retention.for_erasure(household)
            if found is None:
                continue
            ledger, outside = found
            reason = r.keep_reason(ledger, outside, on, period)
            if reason is not None:
                report.keep(reason, household)
                continue
            if dry_run:
                report.erase(r.LEDGER, household)
                continue
            if not await uow.retention.erase(household):
                report.keep(OUTBOX_PENDING, household)
                continue
            records = [
                ErasureRecord(r.LEDGER, household, store, on, now, SYSTEM_RETENTION, basis)
                for store in r.STORES
            ]
            await uow.retention.record(records)
            settled = r.last_movement(ledger, outside)
            await uow.audit.record(
                subjects=[household],
                detail={"retention": "erased", "class": r.LEDGER, "settled_on": str(settled)},
            )
            report.records += len(records)
            report.erase(r.LEDGER, household)
    return report
