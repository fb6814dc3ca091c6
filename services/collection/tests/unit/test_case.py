"""decide/evolve of a case at their boundaries: opened today (allowed), tomorrow (refused),
twice (refused); evolve builds the state the events describe."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from kokuho.collection.domain.case import (
    Case,
    CaseOpened,
    OpenCase,
    decide,
    evolve,
    replay,
)
from kokuho.collection.domain.errors import (
    CaseAlreadyOpened,
    CaseNotFound,
    CaseOpenedInTheFuture,
)

TODAY = date(2026, 12, 1)


def open_on(day: date) -> OpenCase:
    return OpenCase(uuid4(), "9910000001", day, "U-CLERK", TODAY)


@pytest.mark.parametrize("day", [TODAY, TODAY - timedelta(days=1), date(2000, 1, 1)])
def test_a_case_opens_today_or_earlier(day: date) -> None:
    command = open_on(day)
    assert decide(None, command) == [CaseOpened(command.case_id, "9910000001", day, "U-CLERK")]


def test_a_case_is_not_opened_tomorrow() -> None:
    with pytest.raises(CaseOpenedInTheFuture, match="after today"):
        decide(None, open_on(TODAY + timedelta(days=1)))


def test_an_open_case_is_not_opened_again() -> None:
    command = open_on(TODAY)
    state = replay(decide(None, command))
    with pytest.raises(CaseAlreadyOpened):
        decide(state, command)


def test_evolve_builds_the_case_from_its_event() -> None:
    command = open_on(TODAY)
    [event] = decide(None, command)
    assert evolve(None, event) == Case(command.case_id, "9910000001", TODAY, "U-CLERK")
    assert replay([]) is None


def test_an_unknown_command_or_event_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        decide(None, object())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        evolve(None, object())  # type: ignore[arg-type]


def test_errors_map_to_their_status_and_problem_type() -> None:
    assert (CaseAlreadyOpened.status, CaseAlreadyOpened.problem_slug()) == (
        409,
        "case-already-opened",
    )
    assert (CaseOpenedInTheFuture.status, CaseOpenedInTheFuture.problem_slug()) == (
        422,
        "case-opened-in-the-future",
    )
    assert (CaseNotFound.status, CaseNotFound.problem_slug()) == (404, "case-not-found")
