"""The retention pieces every service shares (ADR 0100): the period fails closed on a missing
figure, ends on the anniversary (February 29 to March 1), the report counts and lists, and the
loop erases each due subject in a transaction of its own with its records and audit record,
and the command refuses unknown arguments and runs the job for Japan's day."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from kokuho.platform.erasure_records import ErasureRecord, InMemoryErasureRecords
from kokuho.platform.retention import (
    JAPAN,
    OUTBOX_PENDING,
    SYSTEM_RETENTION,
    WITHIN_RETENTION,
    Erasure,
    RetentionPeriod,
    RetentionReport,
    add_years,
    erase_expired,
    load_period,
    run_retention_command,
)
from kokuho.platform.unit_of_work import InMemoryUnitOfWork, RecordingAudit

GOOD = '[retention]\nyears = 5\nsource = "C-95"\nconfidence = "confirmed"\n'


@pytest.mark.parametrize(
    "today", [date(2031, 10, 1), date(2032, 2, 29), date(2033, 2, 28), date(2033, 3, 1)]
)
def test_latest_start_is_exactly_the_last_day_whose_period_is_over(today: date) -> None:
    period = RetentionPeriod(5, "C-95", "confirmed")
    latest = period.latest_start(today)
    assert period.erasable_from(latest) <= today
    assert period.erasable_from(latest + timedelta(days=1)) > today


def test_period_from_the_file_and_its_anniversary() -> None:
    period = load_period(GOOD, "x.toml")
    assert period == RetentionPeriod(5, "C-95", "confirmed")
    assert period.erasable_from(date(2026, 10, 1)) == date(2031, 10, 1)
    assert add_years(date(2028, 2, 29), 5) == date(2033, 3, 1)
    assert add_years(date(2028, 2, 29), 4) == date(2032, 2, 29)
    configured = GOOD.replace('"confirmed"', '"unconfirmed"') + "configuration = true\n"
    assert load_period(configured, "x.toml").confidence == "unconfirmed"


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "[retention]\nyears = 5\nsource = 'C-95'\n",  # no confidence
        "[retention]\nsource = 'C-95'\nconfidence = 'confirmed'\n",  # no years
        "[retention]\nyears = '5'\nsource = 'C-95'\nconfidence = 'confirmed'\n",
        "[retention]\nyears = 0\nsource = 'C-95'\nconfidence = 'confirmed'\n",
        "[retention]\nyears = 5\nsource = 'C-95'\nconfidence = 'sure'\n",
        "[retention]\nyears = 5\nsource = 'C-95'\nconfidence = 'unconfirmed'\n",
    ],
)
def test_a_missing_or_bad_figure_stops_the_job(text: str | None) -> None:
    with pytest.raises(ValueError, match=r"x\.toml|at least 1"):
        load_period(text, "x.toml")


def test_report_counts_and_lists_all_but_those_within_retention() -> None:
    report = RetentionReport(date(2031, 10, 1), dry_run=False)
    report.erase("c", "2")
    report.erase("c", "1")
    report.keep(WITHIN_RETENTION, "3")
    report.keep("unpaid", "4")
    out = report.as_dict()
    assert out["erased"] == {"c": 2}
    assert out["erased_subjects"] == {"c": ["1", "2"]}
    assert out["kept"] == {"unpaid": 1, WITHIN_RETENTION: 1}
    assert out["kept_subjects"] == {"unpaid": ["4"]}


class _Records(InMemoryErasureRecords):
    async def record(self, records: list[ErasureRecord]) -> None:
        await self.add(records)


class _Unit(InMemoryUnitOfWork):
    def __init__(self, records: _Records) -> None:
        super().__init__()
        self.retention = records


class _Steps:
    """Subjects: "due" is erased, "owing" kept by the rule, "gone" vanished meanwhile,
    "waiting" has an event still in the outbox."""

    def __init__(self) -> None:
        self.asked: list[date] = []
        self.erased: list[str] = []

    async def candidates(self, uow: _Unit, latest_start: date) -> list[str]:
        self.asked.append(latest_start)
        return ["due", "owing", "gone", "waiting"]

    def name(self, candidate: str) -> str:
        return f"n-{candidate}"

    async def load(self, uow: _Unit, candidate: str) -> str | None:
        return None if candidate == "gone" else candidate.upper()

    def keep_reason(self, found: str, on: date, period: RetentionPeriod) -> str | None:
        return "unpaid" if found == "OWING" else None

    def erasure(self, candidate: str, found: str) -> Erasure:
        return Erasure("cls", f"h/{candidate}", ("events", "rows"), ["h"], {"found": found})

    async def erase(self, uow: _Unit, candidate: str, found: str) -> bool:
        if candidate == "waiting":
            return False
        self.erased.append(candidate)
        return True


@pytest.mark.parametrize("dry_run", [True, False])
async def test_the_loop_erases_each_due_subject_in_its_own_transaction(dry_run: bool) -> None:
    on, now = date(2031, 10, 1), datetime(2031, 9, 30, 16, tzinfo=JAPAN)
    period = RetentionPeriod(5, "C-95", "confirmed")
    records, steps = _Records(), _Steps()
    units: list[_Unit] = []

    def unit() -> _Unit:
        units.append(_Unit(records))
        return units[-1]

    report = RetentionReport(on, dry_run)
    assert await erase_expired(unit, steps, period, report, basis="b", now=now) is report
    assert steps.asked == [period.latest_start(on)]
    assert [u.commits for u in units] == [1] * 5  # the candidates', then one per subject
    audited = [rec for u in units for rec in getattr(u.audit, "records", [])]
    assert all(isinstance(u.audit, RecordingAudit) for u in units)
    if dry_run:
        assert report.erased == {"cls": ["n-due", "n-waiting"]}
        assert report.kept == {"unpaid": ["n-owing"]}
        assert (steps.erased, records.erased, audited, report.records) == ([], [], [], 0)
        return
    assert report.erased == {"cls": ["n-due"]}
    assert report.kept == {"unpaid": ["n-owing"], OUTBOX_PENDING: ["n-waiting"]}
    assert steps.erased == ["due"]
    assert records.erased == [
        ErasureRecord("cls", "h/due", store, on, now, SYSTEM_RETENTION, "b")
        for store in ("events", "rows")
    ]
    assert report.records == 2
    assert [(a["subjects"], a["detail"]) for a in audited] == [(["h"], {"found": "DUE"})]


async def test_command(capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[tuple[datetime, date, bool]] = []

    async def job(now: datetime, on: date, dry_run: bool) -> RetentionReport:
        seen.append((now, on, dry_run))
        return RetentionReport(on, dry_run)

    assert await run_retention_command(["--now=2040-01-01"], job) == 2
    assert seen == []
    assert await run_retention_command(["--dry-run"], job) == 0
    ((now, on, dry_run),) = seen
    assert on == now.astimezone(JAPAN).date()
    assert dry_run
    assert json.loads(capsys.readouterr().out.split("\n", 1)[1])["dry_run"] is True
