"""The retention pieces every service shares (ADR 0100): the period fails closed on a missing
figure, ends on the anniversary (February 29 to March 1), the report counts and lists, and the
command refuses unknown arguments and runs the job for Japan's day."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from kokuho.platform.retention import (
    JAPAN,
    WITHIN_RETENTION,
    RetentionPeriod,
    RetentionReport,
    add_years,
    load_period,
    run_retention_command,
)

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
