"""介護保険適用除外 (ADR 0038): a member 40–64 living in an excluded facility pays no 介護分 from
the month containing the start to the month before the month containing the end (the day of
leaving), prorated by month; boundaries on the first and last day of a month."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.assessment.domain.household import Household, Income, Person
from kokuho.assessment.domain.parameters import Component, PremiumParameters
from kokuho.assessment.domain.premium import assess


def care_months(
    params: PremiumParameters, exclusions: tuple[tuple[date, date | None], ...]
) -> tuple[int, int]:
    """(months of 介護分 liability for member B, the household's 介護分)."""
    a = Person("A", date(1950, 6, 1), Income(salary_revenue=3_000_000, salary_income=2_020_000))
    b = Person("B", date(1975, 6, 1), care_exclusions=exclusions)
    result = assess(Household("N", "A", (a, b)), params)
    care = result.component(Component.LONG_TERM_CARE)
    if care is None:
        return 0, 0
    months = sum(
        len(s.months)
        for s in care.segments
        if any(line.addressee_number == "B" for line in s.lines if line.levy == "per_capita_levy")
    )
    return months, care.amount


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2025, 7, 1), None, 3),  # April–June levied
        (date(2025, 6, 30), None, 2),  # the start's month is excluded: April–May
        (date(2025, 4, 1), None, 0),  # the whole year
        (date(2025, 3, 31), None, 0),  # from before the year
        (date(2026, 3, 31), None, 11),  # only March excluded
        (date(2024, 4, 1), date(2025, 10, 1), 6),  # leaving on Oct 1: October–March levied
        (date(2024, 4, 1), date(2025, 9, 30), 7),  # leaving on Sep 30: September–March
        (date(2024, 4, 1), date(2025, 4, 1), 12),  # left on the first day of the year
        (date(2025, 6, 15), date(2025, 8, 20), 10),  # June and July excluded
    ],
)
def test_excluded_months(
    fy2025: PremiumParameters, start: date, end: date | None, months: int
) -> None:
    assert care_months(fy2025, ((start, end),))[0] == months


def test_the_household_pays_less_in_proportion(fy2025: PremiumParameters) -> None:
    _, full = care_months(fy2025, ())
    _, none = care_months(fy2025, ((date(2025, 4, 1), None),))
    _, part = care_months(fy2025, ((date(2025, 10, 1), None),))
    assert none == 0  # A is 74: the only 40–64 member is B
    assert 0 < part < full
    # six months of twelve, cut to the city's prorated unit
    assert part == full * 6 // 12 // 100 * 100


def test_two_periods(fy2025: PremiumParameters) -> None:
    periods = ((date(2025, 5, 1), date(2025, 7, 1)), (date(2025, 11, 1), date(2026, 1, 5)))
    assert care_months(fy2025, periods)[0] == 12 - 2 - 2


def test_other_components_are_untouched(fy2025: PremiumParameters) -> None:
    a = Person("A", date(1950, 6, 1))
    b = Person("B", date(1975, 6, 1), care_exclusions=((date(2025, 4, 1), None),))
    plain = assess(Household("N", "A", (a, Person("B", date(1975, 6, 1)))), fy2025)
    excluded = assess(Household("N", "A", (a, b)), fy2025)
    for component in (Component.MEDICAL, Component.ELDERLY_SUPPORT):
        assert excluded.component(component) == plain.component(component)
