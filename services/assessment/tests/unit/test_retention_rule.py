"""The retention rule of assessment data (C-95; ADR 0096) at its boundary: fiscal year N is
kept through March 31 of N + 1 + years and erasable from April 1; the figure comes from the
versioned parameter file with its source, and a missing figure fails closed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kokuho.assessment.domain.retention import RetentionRule
from kokuho.assessment.parameters import load_retention


@pytest.mark.parametrize(
    ("day", "last_expired"),
    [(date(2031, 3, 31), 2024), (date(2031, 4, 1), 2025), (date(2031, 4, 2), 2025)],
    ids=["day-before", "day-itself", "day-after"],
)
def test_fy2025_is_erasable_from_april_2031(day: date, last_expired: int) -> None:
    rule = RetentionRule(5, "test")
    assert rule.last_expired_year(day) == last_expired
    assert rule.erasable_from(2025) == date(2031, 4, 1)


def test_the_packaged_figure_cites_its_source() -> None:
    rule = load_retention()
    assert rule.years == 5
    assert "C-95" in rule.source


def test_a_directory_without_the_figure_fails_closed(tmp_path: Path) -> None:
    (tmp_path / "retention.toml").write_text('[retention]\nsource = "x"\n', "utf-8")
    with pytest.raises(ValueError, match="years"):
        load_retention(tmp_path)
    with pytest.raises(ValueError, match="at least 1"):
        RetentionRule(0, "x")
