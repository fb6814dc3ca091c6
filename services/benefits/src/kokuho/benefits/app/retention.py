"""The benefits retention job (C-95, C-96; ADR 0100): erase every benefit whose 5 years from
the date it was received are over (``domain/retention``): its stream with its published outbox
rows and its read models (the decision or application with its payee account, the payments,
a released withholding). One benefit per transaction, the rule checked again inside it; each
erasure recorded per store and audited; a report of what was erased and what was kept and
why. The candidates are the streams whose latest payment or decision (undecided: last event)
is at least the period old. A re-run finds nothing new: an erased benefit's stream is gone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Protocol

from kokuho.benefits.domain import retention as r
from kokuho.platform.erasure_records import ErasureRecord
from kokuho.platform.retention import (
    OUTBOX_PENDING,
    SYSTEM_RETENTION,
    RetentionPeriod,
    RetentionReport,
)
from kokuho.platform.unit_of_work import UnitOfWorkPort


class RetentionRecords(Protocol):
    async def streams(self, on_or_before: date) -> list[str]:
        """The benefit streams whose latest payment or decision day (undecided: whose last
        event's day) is on or before the day: the only candidates, in order."""
        ...

    async def benefit(self, stream: str) -> tuple[r.Benefit, str] | None:
        """The benefit of the stream, locked for the rest of the transaction, and the
        household it belongs to (the audit's subject)."""
        ...

    async def erase(self, benefit: r.Benefit) -> bool:
        """Erase it; False (nothing erased) while an event of it waits in the outbox."""
        ...

    async def claim_months(self, ended_on_or_before: date) -> list[tuple[str, date]]:
        """(household, treatment month) of the claims held whose month ended by the day."""
        ...

    async def decision_held(self, household: str, month: date) -> bool:
        """Whether the household's 高額療養費 decision of the month is still held."""
        ...

    async def erase_claims(self, household: str, month: date) -> None:
        """The household's claims of the month with their adjustments."""
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
    basis = f"C-95: {period.years} years from the date the benefit was received ({period.source})"
    async with units() as uow:
        streams = await uow.retention.streams(period.latest_start(on))
    for stream in streams:
        async with units() as uow:
            found = await uow.retention.benefit(stream)
            if found is None:
                continue
            benefit, household = found
            reason = r.keep_reason(benefit, on, period)
            if reason is not None:
                report.keep(reason, stream)
                continue
            if dry_run:
                report.erase(benefit.data_class, stream)
                continue
            if not await uow.retention.erase(benefit):
                report.keep(OUTBOX_PENDING, stream)
                continue
            _, stores = r.CLASSES[benefit.data_class]
            subject = f"{household}/{stream}"
            records = [
                ErasureRecord(benefit.data_class, subject, s, on, now, SYSTEM_RETENTION, basis)
                for s in stores
            ]
            await uow.retention.record(records)
            await uow.audit.record(
                subjects=[household],
                detail={
                    "retention": "erased",
                    "class": benefit.data_class,
                    "stream": stream,
                    "benefit_date": str(benefit.benefit_date),
                },
            )
            report.records += len(records)
            report.erase(benefit.data_class, stream)
    await _claims(units, period, report, now=now, basis=basis)
    return report


async def _claims(
    units: Callable[[], RetentionUnit],
    period: RetentionPeriod,
    report: RetentionReport,
    *,
    now: datetime,
    basis: str,
) -> None:
    """After the decisions (a month's claims wait for its decision to go first)."""
    on = report.as_of
    async with units() as uow:
        months = await uow.retention.claim_months(period.latest_start(on))
    for household, month in months:
        subject = f"{household}/{month:%Y-%m}"
        async with units() as uow:
            held = await uow.retention.decision_held(household, month)
            reason = r.claims_keep_reason(month, held, on, period)
            if reason is not None:
                report.keep(reason, subject)
                continue
            report.erase(r.CLAIMS, subject)
            if report.dry_run:
                continue
            await uow.retention.erase_claims(household, month)
            records = [
                ErasureRecord(r.CLAIMS, subject, s, on, now, SYSTEM_RETENTION, basis)
                for s in r.CLAIM_STORES
            ]
            await uow.retention.record(records)
            await uow.audit.record(
                subjects=[household],
                detail={"retention": "erased", "class": r.CLAIMS, "treatment_month": str(month)},
            )
            report.records += len(records)


def audited_as(records: list[ErasureRecord]) -> tuple[list[str], dict[str, Any]]:
    """An auditor's read of erasure records names the households as subjects and the
    benefits in the detail (a record's subject is ``<household>/<stream or month>``)."""
    households = {rec.subject.split("/", 1)[0] for rec in records}
    streams = {rec.subject.split("/", 1)[-1] for rec in records}
    return sorted(households), {"benefits": sorted(streams)}
