"""The delinquency retention job (C-95, C-96; ADR 0100): erase every household's case whose
period is over (``domain/retention``), its event stream with its published outbox rows and
its read models, one household per transaction with the rule checked again inside it; record
each erasure per store, audit it, and report what was erased and what was kept and why. The
candidates are the cases closed at least the period ago (the rest cannot be due). A re-run
finds nothing new: an erased case is no longer a candidate."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from kokuho.delinquency.domain import retention as r
from kokuho.delinquency.domain.model import Case
from kokuho.platform import retention as job
from kokuho.platform.unit_of_work import UnitOfWorkPort


class RetentionRecords(job.ErasureRecorder, Protocol):
    async def closed(self, on_or_before: date) -> list[str]:
        """The households whose case closed on or before the day (the only candidates)."""
        ...

    async def case_for_erasure(self, household: str) -> Case | None:
        """The case, locked for the rest of the transaction."""
        ...

    async def erase(self, household: str) -> bool: ...


class RetentionUnit(UnitOfWorkPort, Protocol):
    @property
    def retention(self) -> RetentionRecords: ...


class _Cases(job.RetentionSteps[RetentionUnit, str, Case]):
    """The job's pieces for closed cases (``kokuho.platform.retention.erase_expired``)."""

    async def candidates(self, uow: RetentionUnit, latest_start: date) -> list[str]:
        return await uow.retention.closed(latest_start)

    async def load(self, uow: RetentionUnit, candidate: str) -> Case | None:
        return await uow.retention.case_for_erasure(candidate)

    def keep_reason(self, found: Case, on: date, period: job.RetentionPeriod) -> str | None:
        return r.keep_reason(found, on, period)

    def erasure(self, candidate: str, found: Case) -> job.Erasure:
        detail = {"retention": "erased", "class": r.CASE, "closed_on": str(found.closed_on)}
        return job.Erasure(r.CASE, candidate, r.STORES, [candidate], detail)

    async def erase(self, uow: RetentionUnit, candidate: str, found: Case) -> bool:
        return await uow.retention.erase(candidate)


apply_retention = job.RetentionJob[RetentionUnit](
    "C-95: until fully paid, then {years} years ({source})", _Cases()
)
