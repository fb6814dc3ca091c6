"""通知書番号 (ADR 0037): 18 digits, unique per household, year and revision, checkable."""

from __future__ import annotations

import pytest

from kokuho.assessment.domain.notices import notice_kind, notice_number
from kokuho.events.contracts.assessment import PremiumAssessed
from kokuho.events.contracts.payment_numbers import check_digit


def test_the_number_is_year_household_revision_and_check_digit() -> None:
    number = notice_number(2026, "9900000001", 1)
    assert number[:17] == "20269900000001001"
    assert int(number[17]) == check_digit(number[:17])
    assert len(number) == 18


def test_every_revision_year_and_household_has_its_own_number() -> None:
    numbers = {
        notice_number(year, household, revision)
        for year in (2024, 2025, 2026)
        for household in ("9900000001", "9900000002")
        for revision in (1, 2, 10, 999)
    }
    assert len(numbers) == 3 * 2 * 4


@pytest.mark.parametrize(
    ("year", "household", "revision"),
    [
        (1999, "9900000001", 1),
        (2101, "9900000001", 1),
        (2026, "9900000001", 0),
        (2026, "9900000001", 1000),
        (2026, "990000001", 1),
        (2026, "99000000AB", 1),
    ],
)
def test_outside_the_format_is_refused(year: int, household: str, revision: int) -> None:
    with pytest.raises(ValueError, match="notice number"):
        notice_number(year, household, revision)


def test_bounds_accepted() -> None:
    assert notice_number(2000, "0000000000", 1).startswith("20000000000000001")
    assert notice_number(2100, "9999999999", 999).startswith("21009999999999999")


def test_kind() -> None:
    assert notice_kind(1) == "payment_notice"
    assert notice_kind(2) == "change_notice"


def test_the_event_field_takes_only_a_notice_number() -> None:
    fields = PremiumAssessed.model_fields
    assert fields["notice_number"].default is None  # additive: old events stay valid
    assert fields["notice_issued_on"].default is None
