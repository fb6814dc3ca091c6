"""The benefits retention job (C-95, C-96; ADR 0100): erase every benefit whose 5 years from
the date it was received are over (``domain/retention``): its stream with its published outbox
rows and its read models (the decision or application with its payee account, the payments,
a released withholding). One benefit per transaction, the rule checked again inside it; each
erasure recorded per store and audited; a report of what was erased and what was kept and
why. The candidates are the streams whose latest payment or decision (undecided: last event)
is at least the period old. A re-run finds nothing new: an erased benefit's stream is gone."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from kokuho.benefits.domain import retention as r
from kokuho.platform import retention as job
from kokuho.platform.erasure_records import ErasureRecord
from kokuho.platform.unit_of_work import UnitOfWorkPort


class RetentionRecords(job.ErasureRecorder, Protocol):
    async def streams(self, on_or_before: date) -> list[str]:
        """The benefit streams whose latest payment or decision day (undecided: whose last
        event's day) is on or before the day: the only candidates, in order."""
        ...

    async def benefit(self, stream: str) -> tuple[r.Benefit, str] | None:
        """The benefit of the stream, locked for the rest of the transaction, and the
        household it belongs to (the audit's subject)."""
        ...

    async def erase(self, benefit: r.Benefit) -> bool: ...

    async def claim_months(self, ended_on_or_before: date) -> list[tuple[str, date]]:
        """(household, treatment month) of the claims held whose month ended by the day."""
        ...

    async def decision_held(self, household: str, month: date) -> bool:
        """Whether the household's 高額療養費 decision of the month is still held."""
        ...

    async def erase_claims(self, household: str, month: date) -> None:
        """The household's claims of the month with their adjustments."""
        ...


class RetentionUnit(UnitOfWorkPort, Protocol):
    @property
    def retention(self) -> RetentionRecords: ...


class _Benefits(job.RetentionSteps[RetentionUnit, str, tuple[r.Benefit, str]]):
    """The job's pieces for benefit streams (``kokuho.platform.retention.erase_expired``)."""

    async def candidates(self, uow: RetentionUnit, latest_start: date) -> list[str]:
        return await uow.retention.streams(latest_start)

    async def load(self, uow: RetentionUnit, candidate: str) -> tuple[r.Benefit, str] | None:
        return await uow.retention.benefit(candidate)

    def keep_reason(
        self, found: tuple[r.Benefit, str], on: date, period: job.RetentionPeriod
    ) -> str | None:
        return r.keep_reason(found[0], on, period)

    def erasure(self, candidate: str, found: tuple[r.Benefit, str]) -> job.Erasure:
        benefit, household = found
        _, stores = r.CLASSES[benefit.data_class]
        detail = {
            "retention": "erased",
            "class": benefit.data_class,
            "stream": candidate,
            "benefit_date": str(benefit.benefit_date),
        }
        return job.Erasure(
            benefit.data_class, f"{household}/{candidate}", stores, [household], detail
        )

    async def erase(self, uow: RetentionUnit, candidate: str, found: tuple[r.Benefit, str]) -> bool:
        return await uow.retention.erase(found[0])


class _ClaimMonths(job.RetentionSteps[RetentionUnit, tuple[str, date], tuple[date, bool]]):
    """A household's claims of a treatment month; after the decisions (a month's claims wait
    for its 高額療養費 decision to go first)."""

    async def candidates(self, uow: RetentionUnit, latest_start: date) -> list[tuple[str, date]]:
        return await uow.retention.claim_months(latest_start)

    def name(self, candidate: tuple[str, date]) -> str:
        household, month = candidate
        return f"{household}/{month:%Y-%m}"

    async def load(self, uow: RetentionUnit, candidate: tuple[str, date]) -> tuple[date, bool]:
        """The month and whether its decision is still held (never None: the claims are
        there)."""
        household, month = candidate
        return month, await uow.retention.decision_held(household, month)

    def keep_reason(
        self, found: tuple[date, bool], on: date, period: job.RetentionPeriod
    ) -> str | None:
        return r.claims_keep_reason(*found, on, period)

    def erasure(self, candidate: tuple[str, date], found: tuple[date, bool]) -> job.Erasure:
        household, month = candidate
        detail = {"retention": "erased", "class": r.CLAIMS, "treatment_month": str(month)}
        return job.Erasure(r.CLAIMS, self.name(candidate), r.CLAIM_STORES, [household], detail)

    async def erase(
        self, uow: RetentionUnit, candidate: tuple[str, date], found: tuple[date, bool]
    ) -> bool:
        await uow.retention.erase_claims(*candidate)
        return True


apply_retention = job.RetentionJob[RetentionUnit](
    "C-95: {years} years from the date the benefit was received ({source})",
    _Benefits(),
    _ClaimMonths(),  # after the decisions: a month's claims wait for its decision to go
)


def audited_as(records: list[ErasureRecord]) -> tuple[list[str], dict[str, Any]]:
    """An auditor's read of erasure records names the households as subjects and the
    benefits in the detail (a record's subject is ``<household>/<stream or month>``)."""
    households = {rec.subject.split("/", 1)[0] for rec in records}
    streams = {rec.subject.split("/", 1)[-1] for rec in records}
    return sorted(households), {"benefits": sorted(streams)}
