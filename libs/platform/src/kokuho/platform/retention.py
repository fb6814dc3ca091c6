"""What every service's retention job shares (C-95, C-96; ADRs 0096, 0100): the period read
from the service's versioned parameter file (failing closed), the anniversary it ends on, the
JSON report, the purge of an event stream whose life is over, the job's loop over its
candidates (``erase_expired``: the service gives its pieces, its rule stays in its domain) and
the command line ``python -m kokuho.<service> retention [--dry-run]``.

No I/O library is imported here (a domain module may use the period and the report); the
purge takes the service's asyncpg connection, the loop the service's unit of work."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from kokuho.platform.erasure_records import ErasureRecord

#: Who erases when the job does (the audit trail's user and each erasure record's ``erased_by``).
SYSTEM_RETENTION = "system:retention"
OPERATION = "erase after retention (C-95, C-96)"
#: A subject kept because an event of its streams still waits in the outbox (the relay reads
#: the event from the store): the next run erases it.
OUTBOX_PENDING = "events_not_yet_published"
#: A subject whose period has not ended yet: counted in the report, not listed (most are).
WITHIN_RETENTION = "within_retention"

JAPAN = timezone(timedelta(hours=9))
#: How sure the figure is (the project's marks); an unconfirmed one is configuration.
CONFIDENCES = ("confirmed", "secondary", "unconfirmed")


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; from February 29 to a year without it, March 1 (the
    period ends on February 28, the month's last day: 民法143条)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


@dataclass(frozen=True)
class RetentionPeriod:
    """``years`` after the day the period starts from (the service says which day that is)."""

    years: int
    source: str
    confidence: str

    def __post_init__(self) -> None:
        if self.years < 1:
            raise ValueError("retention years must be at least 1")

    def erasable_from(self, start: date) -> date:
        """Kept through the day before the anniversary, erasable on the anniversary itself."""
        return add_years(start, self.years)

    def latest_start(self, today: date) -> date:
        """The latest start whose period is over on ``today`` (``erasable_from(d) <= today``
        exactly for ``d <= latest_start(today)``): the jobs select their candidates with it."""
        try:
            return today.replace(year=today.year - self.years)
        except ValueError:  # February 29: the 28th's period ends today, the 29th's tomorrow
            return date(today.year - self.years, 2, 28)


def load_period(text: str | None, file_name: str, section: str = "retention") -> RetentionPeriod:
    """The period of ``[section]`` in a parameter file's text; a missing file, section or figure
    stops the job (it erases nothing rather than guess a legal figure)."""
    if text is None:
        raise ValueError(f"{file_name}: no retention parameters; the job erases nothing")
    found = tomllib.loads(text).get(section)
    if not isinstance(found, dict):
        raise ValueError(f"{file_name}: no [{section}]; the job erases nothing")
    missing = [k for k in ("years", "source", "confidence") if k not in found]
    if missing:
        raise ValueError(f"{file_name}: [{section}] misses {missing}; the job erases nothing")
    years = found["years"]
    if not isinstance(years, int) or isinstance(years, bool):
        raise ValueError(f"{file_name}: [{section}] years must be a whole number")
    confidence = found["confidence"]
    if confidence not in CONFIDENCES:
        raise ValueError(f"{file_name}: [{section}] confidence must be one of {CONFIDENCES}")
    if confidence == "unconfirmed" and found.get("configuration") is not True:
        raise ValueError(f"{file_name}: an unconfirmed period says configuration = true")
    return RetentionPeriod(years, str(found["source"]), confidence)


def load_period_file(
    package: str, directory: Path | None = None, name: str = "retention.toml"
) -> RetentionPeriod:
    """A service's period file: from ``directory`` when it holds one (the city's confirmed
    figures), else the one packaged in ``package`` (its ``parameters``)."""
    path = None if directory is None else directory / name
    if path is not None and path.is_file():
        text: str | None = path.read_text(encoding="utf-8")
    else:
        packaged = resources.files(package).joinpath(name)
        text = packaged.read_text(encoding="utf-8") if packaged.is_file() else None
    return load_period(text, name)


@dataclass
class RetentionReport:
    """What a run erased (or, dry, would erase) per data class, what it kept per reason, and
    how many erasure records it wrote."""

    as_of: date
    dry_run: bool
    erased: dict[str, list[str]] = field(default_factory=dict)
    kept: dict[str, list[str]] = field(default_factory=dict)
    records: int = 0

    def erase(self, data_class: str, subject: str) -> None:
        self.erased.setdefault(data_class, []).append(subject)

    def keep(self, reason: str, subject: str) -> None:
        self.kept.setdefault(reason, []).append(subject)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "dry_run": self.dry_run,
            "erased": {k: len(v) for k, v in sorted(self.erased.items())},
            "erased_subjects": {k: sorted(v) for k, v in sorted(self.erased.items())},
            "records_written": self.records,
            "kept": {k: len(v) for k, v in sorted(self.kept.items())},
            "kept_subjects": {
                k: sorted(v) for k, v in sorted(self.kept.items()) if k != WITHIN_RETENTION
            },
        }


async def purge_streams(conn: Any, streams: Sequence[str]) -> bool:
    """Delete the events of streams whose life is over, with their published outbox rows
    (ADR 0096: no live stream is rewritten). False, and nothing deleted, while an event of
    them still waits in the outbox. ``conn`` is an asyncpg connection in a transaction.

    A published group row (ADR 0111) holding one of the events goes too, with the other
    events' entries: published rows are a log the relay no longer reads."""
    ids = list(streams)
    waiting = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM outbox o JOIN events e USING (event_id)"
        "  WHERE e.stream_id = ANY($1::text[]) AND o.published_at IS NULL)"
        " OR EXISTS (SELECT 1 FROM outbox o CROSS JOIN unnest(o.event_ids) AS g(event_id)"
        "  JOIN events e ON e.event_id = g.event_id"
        "  WHERE e.stream_id = ANY($1::text[]) AND o.published_at IS NULL)",
        ids,
    )
    if waiting:
        return False
    await conn.execute(
        "WITH gone AS (SELECT array_agg(event_id) AS ids FROM events"
        " WHERE stream_id = ANY($1::text[]))"
        " DELETE FROM outbox USING gone"
        " WHERE outbox.event_id = ANY(gone.ids) OR outbox.event_ids && gone.ids",
        ids,
    )
    await conn.execute("DELETE FROM events WHERE stream_id = ANY($1::text[])", ids)
    return True


class _AuditTrail(Protocol):
    async def record(
        self, *, subjects: Sequence[str], detail: dict[str, Any] | None = None
    ) -> object: ...


class ErasureRecorder(Protocol):
    """Where a service's job writes its erasure records (its ``RetentionRecords`` extend it)."""

    async def record(self, records: list[ErasureRecord]) -> None:
        """C-96 (listed by ``kokuho.platform.erasure_routes``)."""
        ...


class RetentionUnitPort(Protocol):
    """What the loop needs of a service's retention unit of work (entered once per subject):
    its erasure records and its audit trail."""

    @property
    def retention(self) -> ErasureRecorder: ...

    @property
    def audit(self) -> _AuditTrail: ...


@dataclass(frozen=True)
class Erasure:
    """How one subject's erasure is written down: its data class, the subject its erasure
    records name (one per store), and the audit record's subjects and detail."""

    data_class: str
    subject: str
    stores: Sequence[str]
    audited: Sequence[str]
    detail: dict[str, Any]


U = TypeVar("U", bound=RetentionUnitPort)
U_contra = TypeVar("U_contra", bound=RetentionUnitPort, contravariant=True)
K = TypeVar("K")  # a candidate as the service lists it
T = TypeVar("T")  # what the service loads for it, locked


class RetentionSteps(Protocol[U_contra, K, T]):
    """A service's pieces of its job (a class subclassing this); the loop (``erase_expired``)
    is the same for all."""

    async def candidates(self, uow: U_contra, latest_start: date) -> Sequence[K]:
        """The only subjects that may be due: those whose period's start is on or before
        ``latest_start``, in the order the report lists them."""
        ...

    def name(self, candidate: K) -> str:
        """The subject as the report names it."""
        return str(candidate)

    async def load(self, uow: U_contra, candidate: K) -> T | None:
        """What the rule needs, locked for the rest of the transaction; None: gone meanwhile."""
        ...

    def keep_reason(self, found: T, on: date, period: RetentionPeriod) -> str | None:
        """The service's rule (its domain): why the subject is kept, or None when due."""
        ...

    def erasure(self, candidate: K, found: T) -> Erasure: ...

    async def erase(self, uow: U_contra, candidate: K, found: T) -> bool:
        """Erase it; False (nothing erased) while an event of it waits in the outbox."""
        ...


async def erase_expired(
    units: Callable[[], AbstractAsyncContextManager[U]],
    steps: RetentionSteps[U, K, T],
    period: RetentionPeriod,
    report: RetentionReport,
    *,
    basis: str,
    now: datetime,
) -> RetentionReport:
    """The candidates in one unit, then each in a unit (a transaction) of its own: loaded and
    locked, the rule checked again on what is locked, then (unless a dry run) erased, one
    erasure record per store and an audit record, all in that transaction."""
    on = report.as_of
    async with units() as uow:
        candidates = await steps.candidates(uow, period.latest_start(on))
    for candidate in candidates:
        name = steps.name(candidate)
        async with units() as uow:
            found = await steps.load(uow, candidate)
            if found is None:
                continue
            reason = steps.keep_reason(found, on, period)
            if reason is not None:
                report.keep(reason, name)
                continue
            erasure = steps.erasure(candidate, found)
            if report.dry_run:
                report.erase(erasure.data_class, name)
                continue
            if not await steps.erase(uow, candidate, found):
                report.keep(OUTBOX_PENDING, name)
                continue
            records = [
                ErasureRecord(
                    erasure.data_class, erasure.subject, store, on, now, SYSTEM_RETENTION, basis
                )
                for store in erasure.stores
            ]
            await uow.retention.record(records)
            await uow.audit.record(subjects=list(erasure.audited), detail=erasure.detail)
            report.records += len(records)
            report.erase(erasure.data_class, name)
    return report


class RetentionJob(Generic[U]):
    """A service's ``apply_retention(units, period, *, now, on, dry_run)``: its steps run in
    order into one report (a later kind may wait for an earlier one to be erased first)."""

    def __init__(self, basis: str, *steps: RetentionSteps[U, Any, Any]) -> None:
        #: the erasure records' basis; ``{years}`` and ``{source}`` are the period's
        self.basis = basis
        self.steps = steps

    async def __call__(
        self,
        units: Callable[[], AbstractAsyncContextManager[U]],
        period: RetentionPeriod,
        *,
        now: datetime,
        on: date,
        dry_run: bool,
    ) -> RetentionReport:
        report = RetentionReport(on, dry_run)
        basis = self.basis.format(years=period.years, source=period.source)
        for steps in self.steps:
            await erase_expired(units, steps, period, report, basis=basis, now=now)
        return report


#: The job as a command runs it: (now, today in Japan, dry run) -> the report.
Job = Callable[[datetime, date, bool], Awaitable[RetentionReport]]


async def run_retention_command(args: Sequence[str], job: Job) -> int:
    """``retention [--dry-run]``: run the job for today (Japan's day; never a day given by hand:
    an erasure cannot be undone) and print its report as JSON. Exit 2 on unknown arguments."""
    unknown = [a for a in args if a != "--dry-run"]
    if unknown:
        print(f"retention: unknown arguments {unknown}; usage: retention [--dry-run]")
        return 2
    now = datetime.now(UTC)
    report = await job(now, now.astimezone(JAPAN).date(), "--dry-run" in args)
    print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    return 0
