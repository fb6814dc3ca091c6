"""The retention job (C-95, C-96): erase the personal details of every person whose retention
period is over, record each erasure, and report what was erased and who was kept and why.

Each person is one transaction of its own unit, with the rule checked inside it, so a person
who moved in again meanwhile is kept, and a re-run erases nothing new (an erased person has no
details left, so is no longer a candidate). Events stay: they hold identifiers and dates, the
details live apart from them (ADR 0013, ADR 0096)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kokuho.eligibility.app.jobs import seconds_until_next_run
from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort, Units
from kokuho.eligibility.domain import retention
from kokuho.eligibility.domain.erasure import Standing

log = logging.getLogger(__name__)

SYSTEM_RETENTION = "system:retention"
BASIS = "C-95 retention over: 5 years after the last loss (retention.years_after_loss)"


@dataclass
class RetentionReport:
    as_of: date
    dry_run: bool
    #: Subjects erased (or, in a dry run, that would be) per data class.
    erased: dict[str, list[str]] = field(default_factory=dict)
    #: Subjects kept, per reason (still insured, heading a household, within retention...).
    kept: dict[str, list[str]] = field(default_factory=dict)
    records: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "dry_run": self.dry_run,
            "erased": {k: len(v) for k, v in sorted(self.erased.items())},
            "records_written": self.records,
            "kept": {k: len(v) for k, v in sorted(self.kept.items())},
            "kept_subjects": {k: sorted(v) for k, v in sorted(self.kept.items())},
        }


async def apply_retention(units: Units, ports: Eligibility, *, dry_run: bool) -> RetentionReport:
    """Today's run (never a date ahead: an early erasure cannot be undone)."""
    today = ports.today()
    report = RetentionReport(today, dry_run)
    # First pass, one read transaction: whose retention is over (the report's kept too).
    due: list[str] = []
    async with units() as uow:
        for subject in await uow.erasures.held():
            reason = retention.keep_reason(await _standing(uow, subject), today, ports.rules)
            if reason is None:
                due.append(subject)
            else:
                report.kept.setdefault(reason, []).append(subject)
    # Then each due person in a transaction of its own, the rule checked again inside it
    # (the person may have moved in again since the first pass).
    for subject in due:
        async with units() as uow:
            reason = retention.keep_reason(await _standing(uow, subject), today, ports.rules)
            if reason is not None:
                report.kept.setdefault(reason, []).append(subject)
                continue
            report.erased.setdefault(retention.PERSONAL_DETAILS, []).append(subject)
            if dry_run:
                continue
            await uow.persons.erase(subject, f"{BASIS} ({SYSTEM_RETENTION})")
            records = retention.records_of(subject, today, ports.now(), SYSTEM_RETENTION, BASIS)
            await uow.erasures.record(records)
            report.records += len(records)
    return report


async def _standing(uow: EligibilityUnitPort, subject: str) -> Standing:
    insured, last_loss = await uow.qualifications.summary(subject)
    return Standing(insured, last_loss, await uow.qualifications.headed_household(subject))


async def run_daily(units: Units, ports: Eligibility, hour_jst: int, stop: asyncio.Event) -> None:
    """Inside ``serve``: at start and every day at ``hour_jst``; a re-run erases nothing new."""
    while not stop.is_set():
        try:
            report = await apply_retention(units, ports, dry_run=False)
            log.info("retention run", extra={"erased": report.as_dict()["erased"]})
        except Exception:
            log.exception("retention run failed; trying again at the next run")
        wait = seconds_until_next_run(ports.now(), hour_jst)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)
