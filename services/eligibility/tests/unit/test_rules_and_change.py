"""Date arithmetic (property-based), the parameter file, and the four-eyes change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain.change import (
    Change,
    ConfirmChange,
    EnterChange,
    RejectChange,
    decide_change,
    evolve_change,
)
from kokuho.eligibility.domain.rules import (
    acquisition_date,
    age_on,
    anniversary,
    is_late,
    loss_date,
    turning_75_loss_date,
)
from kokuho.eligibility.parameters import load_raw, load_rules

RULES = load_rules()
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))


def test_every_parameter_cites_a_source_and_a_confidence() -> None:
    raw = load_raw()
    sections = [raw["notification"], raw["turning_75"], raw["birthdays"], raw["card"]]
    sections += list(raw["acquisition"].values()) + list(raw["loss"].values())
    for section in sections:
        assert section["source"]
        assert section["confidence"] in {"confirmed", "unconfirmed"}
    assert raw["turning_75"]["confidence"] == "unconfirmed"  # rules.md 5.3 marks a conflict


def test_every_reason_but_other_has_a_rule() -> None:
    from kokuho.eligibility.domain.household import ACQUISITION_REASONS, LOSS_REASONS

    assert set(RULES.acquisition_offset_days) == ACQUISITION_REASONS - {"other"}
    assert set(RULES.loss_offset_days) == LOSS_REASONS - {"other", "turned_75"}


@given(births, st.integers(min_value=0, max_value=100))
def test_anniversary_is_in_the_right_year_and_never_before_the_birth_day(
    b: date, years: int
) -> None:
    day = anniversary(b, years, RULES)
    assert day.year == b.year + years
    if (b.month, b.day) == (2, 29) and day.month == 3:
        assert day.day == 1
    else:
        assert (day.month, day.day) == (b.month, b.day)


@given(births, st.integers(min_value=1, max_value=100))
def test_age_turns_exactly_on_the_anniversary(b: date, years: int) -> None:
    day = anniversary(b, years, RULES)
    assert age_on(b, day, RULES) == years
    assert age_on(b, day - timedelta(days=1), RULES) == years - 1


@given(births)
def test_turning_75_loss_date_is_the_75th_birthday(b: date) -> None:
    loss = turning_75_loss_date(b, RULES)
    assert age_on(b, loss, RULES) == 75
    assert age_on(b, loss - timedelta(days=1), RULES) == 74


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)), st.integers(0, 60))
def test_late_means_more_than_14_days(fact: date, delay: int) -> None:
    assert is_late(fact, fact + timedelta(days=delay), RULES) is (delay > 14)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)))
def test_day_after_rules_cross_month_ends(fact: date) -> None:
    assert acquisition_date("left_employee_insurance", fact, RULES) == fact + timedelta(days=1)
    assert loss_date("moved_out", fact, RULES) == fact + timedelta(days=1)
    assert loss_date("public_assistance_started", fact, RULES) == fact


def test_29_february_birthday_in_common_and_leap_years() -> None:
    born = date(1952, 2, 29)
    assert anniversary(born, 75, RULES) == date(2027, 3, 1)
    assert anniversary(born, 72, RULES) == date(2024, 2, 29)
    assert age_on(born, date(2027, 2, 28), RULES) == 74
    assert age_on(born, date(2027, 3, 1), RULES) == 75


def entered(user: str = "clerk-a") -> Change:
    state = Change("chg-1")
    for event in decide_change(
        state, EnterChange("chg-1", "acquire", "2000000001", ("1000000001",), user, NOW)
    ):
        state = evolve_change(state, event)
    return state


def test_the_entering_clerk_cannot_confirm() -> None:
    with pytest.raises(e.SelfConfirmationRefused) as raised:
        decide_change(entered("clerk-a"), ConfirmChange("clerk-a", NOW))
    assert raised.value.user_id == "clerk-a"


def test_another_clerk_confirms_once() -> None:
    state = entered("clerk-a")
    (confirmed,) = decide_change(state, ConfirmChange("clerk-b", NOW))
    state = evolve_change(state, confirmed)
    assert state.status == "confirmed"
    assert state.confirmed_by == "clerk-b"
    with pytest.raises(e.ChangeNotPending):
        decide_change(state, ConfirmChange("clerk-c", NOW))
    with pytest.raises(e.ChangeNotPending):
        decide_change(state, EnterChange("chg-1", "acquire", "2000000001", (), "clerk-a", NOW))


def test_rejection_needs_a_reason_and_ends_the_change() -> None:
    state = entered()
    with pytest.raises(e.CorrectionReasonMissing):
        decide_change(state, RejectChange("clerk-b", NOW, " "))
    (rejected,) = decide_change(state, RejectChange("clerk-b", NOW, "form does not match"))
    state = evolve_change(state, rejected)
    with pytest.raises(e.ChangeNotPending):
        decide_change(state, ConfirmChange("clerk-b", NOW))


def test_the_daily_job_waits_for_the_next_run_in_japan_time() -> None:
    from kokuho.eligibility.app.jobs import seconds_until_next_run

    # 15:30 UTC is 00:30 JST: the 01:00 JST run is 30 minutes away
    assert seconds_until_next_run(datetime(2026, 11, 26, 15, 30, tzinfo=UTC), 1) == 1800
    # 16:00 UTC is 01:00 JST exactly: the next run is a day later
    assert seconds_until_next_run(datetime(2026, 11, 26, 16, 0, tzinfo=UTC), 1) == 86400
