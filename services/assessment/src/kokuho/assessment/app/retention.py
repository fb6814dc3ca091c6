"""The assessment retention job (C-95, C-96; ADR 0096): erase every household's premium of a
fiscal year whose 5 years are over (the assessment, its explanation and inputs, 減免 and
collection-method records, and the year's event streams), the incomes of the year before it
and the pensions of that year; record each erasure; report what was erased and what is kept.

One transaction per subject; a stream whose events are not yet all published is kept for the
next run (the relay reads them). A re-run finds nothing left to erase."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from kokuho.assessment.domain import retention as r
from kokuho.platform.erasure_records import ErasureRecord
from kokuho.platform.unit_of_work import UnitOfWorkPort

SYSTEM_RETENTION = "system:retention"
OPERATION = "erase after retention (C-95, C-96)"
OUTBOX_PENDING = "events_not_yet_published"


class RetentionRecords(Protocol):
    async def expired(self, data_class: str, through_year: int) -> list[tuple[str, int]]:
        """(subject, year) of the class whose year is ``through_year`` or earlier."""
        ...

    async def erase(self, data_class: str, subject: str, year: int) -> bool:
        """Erase it; False (nothing erased) while an event of it waits in the outbox."""
        ...

    async def kept_by_year(self, after_year: int) -> dict[int, int]:
        """Household premiums still kept, counted per fiscal year."""
        ...

    async def record(self, records: list[ErasureRecord]) -> None:
        """C-96 (listed by ``kokuho.platform.erasure_routes``)."""
        ...


class RetentionUnit(UnitOfWorkPort, Protocol):
    @property
    def retention(self) -> RetentionRecords: ...


def year_of(data_class: str, last_expired: int) -> int:
    """The last expired year of a class: incomes are of the year before the fiscal year."""
    return last_expired - 1 if data_class == r.INCOME else last_expired


@dataclass
class RetentionReport:
    on: date
    dry_run: bool
    last_expired_year: int
    erased: dict[str, list[str]] = field(default_factory=dict)
    kept: dict[str, list[str]] = field(default_factory=dict)
    kept_by_year: dict[int, int] = field(default_factory=dict)
    records: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.on.isoformat(),
            "dry_run": self.dry_run,
            "last_expired_fiscal_year": self.last_expired_year,
            "erased": {k: len(v) for k, v in sorted(self.erased.items())},
            "records_written": self.records,
            "kept": {k: len(v) for k, v in sorted(self.kept.items())},
            "kept_subjects": {k: sorted(v) for k, v in sorted(self.kept.items())},
            "kept_within_retention_by_fiscal_year": {
                str(y): n for y, n in sorted(self.kept_by_year.items())
            },
        }


async def apply_retention(
    units: Callable[[], RetentionUnit],
    rule: r.RetentionRule,
    *,
    now: datetime,
    on: date,
    dry_run: bool,
) -> RetentionReport:
    last = rule.last_expired_year(on)
    report = RetentionReport(on, dry_run, last)
    basis = f"C-95: {rule.years} years after the fiscal year ({rule.source})"
    for data_class in r.STORES:
        async with units() as uow:
            expired = await uow.retention.expired(data_class, year_of(data_class, last))
        for subject, year in expired:
            name = f"{subject}/{year}"
            if dry_run:
                report.erased.setdefault(data_class, []).append(name)
                continue
            async with units() as uow:
                if not await uow.retention.erase(data_class, subject, year):
                    report.kept.setdefault(OUTBOX_PENDING, []).append(name)
                    continue
                records = [
                    ErasureRecord(data_class, name, store, on, now, SYSTEM_RETENTION, basis)
                    for store in r.STORES[data_class]
                ]
                await uow.retention.record(records)
                await uow.audit.record(
                    subjects=[subject] if data_class != r.ASSESSMENT else [],
                    detail={"retention": "erased", "class": data_class, "subject": name},
                )
                report.records += len(records)
                report.erased.setdefault(data_class, []).append(name)
    async with units() as uow:
        report.kept_by_year = await uow.retention.kept_by_year(last)
    return report


def audited_as(records: list[ErasureRecord]) -> tuple[list[str], dict[str, Any]]:
    """An auditor's read of erasure records names the people (incomes, pensions) as subjects
    and the household years (premiums) in the detail."""
    people = {rec.subject.split("/")[0] for rec in records if rec.data_class != r.ASSESSMENT}
    households = {rec.subject for rec in records if rec.data_class == r.ASSESSMENT}
    return sorted(people), {"household_years": sorted(households)}
