"""The collection retention job (C-95, C-96; ADR 0100): erase every household ledger that is
settled and whose period is over (``domain/retention``): its streams with their published
outbox rows, the snapshot and charge rows, its resolved work items with their resolutions, its
notices, its direct-debit registrations and the appropriations of benefit payouts. One
household per transaction, the rule checked again inside it on the locked snapshot; each
erasure recorded per store and audited; a report of what was erased and what was kept and why.
The candidates are the households owing nothing whose last event is at least the period old
(the rest cannot be due). A re-run finds nothing new: an erased household is no longer one."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from kokuho.collection.domain import retention as r
from kokuho.collection.domain.ledger import Ledger
from kokuho.platform import retention as job
from kokuho.platform.unit_of_work import UnitOfWorkPort


class RetentionRecords(job.ErasureRecorder, Protocol):
    async def settled(self, still_since: date) -> list[str]:
        """Households none of whose charges has anything outstanding and whose last event was
        recorded on or before the day (Japan's): the only candidates."""
        ...

    async def for_erasure(self, household: str) -> tuple[Ledger, r.Outside] | None:
        """The ledger, locked for the rest of the transaction, and what lies outside it."""
        ...

    async def erase(self, household: str) -> bool: ...


class RetentionUnit(UnitOfWorkPort, Protocol):
    @property
    def retention(self) -> RetentionRecords: ...


class _Ledgers(job.RetentionSteps[RetentionUnit, str, tuple[Ledger, r.Outside]]):
    """The job's pieces for household ledgers (``kokuho.platform.retention.erase_expired``)."""

    async def candidates(self, uow: RetentionUnit, latest_start: date) -> list[str]:
        return await uow.retention.settled(latest_start)

    async def load(self, uow: RetentionUnit, candidate: str) -> tuple[Ledger, r.Outside] | None:
        return await uow.retention.for_erasure(candidate)

    def keep_reason(
        self, found: tuple[Ledger, r.Outside], on: date, period: job.RetentionPeriod
    ) -> str | None:
        return r.keep_reason(*found, on, period)

    def erasure(self, candidate: str, found: tuple[Ledger, r.Outside]) -> job.Erasure:
        settled = str(r.last_movement(*found))
        detail = {"retention": "erased", "class": r.LEDGER, "settled_on": settled}
        return job.Erasure(r.LEDGER, candidate, r.STORES, [candidate], detail)

    async def erase(
        self, uow: RetentionUnit, candidate: str, found: tuple[Ledger, r.Outside]
    ) -> bool:
        return await uow.retention.erase(candidate)


apply_retention = job.RetentionJob[RetentionUnit](
    "C-95: until fully paid, then {years} years ({source})", _Ledgers()
)
