"""Reminders: who is on the call list (not a stopped, planned or relieved case), stop and restart
with a reason, a letter refused while stopped and billing what is owed."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.delinquency.domain import events as ev
from kokuho.delinquency.domain.decide import decide
from kokuho.delinquency.domain.errors import CaseNotOpen, DateInTheFuture, RemindersStopped
from kokuho.delinquency.domain.model import Instalment
from kokuho.delinquency.domain.plans import AgreePlan
from kokuho.delinquency.domain.reminders import (
    CallItem,
    IssueReminder,
    RestartReminders,
    StopReminders,
    call_list,
)
from kokuho.delinquency.domain.review import Review

from .rules import DUE, RULES, dunned, opened, run

ON = date(2026, 8, 3)


def test_the_call_list_holds_open_cases_still_at_reminder_or_negotiation() -> None:
    case = opened()
    stopped = run(opened(), StopReminders("入院中", "U-1", ON, ON))
    planned = run(opened(), AgreePlan("p", (Instalment(date(2026, 9, 1), 1),), "U-1", True, ON, ON))
    watching = dunned()
    assert call_list([case, stopped, planned, watching], ON) == [
        CallItem(case.household, 30_000, 0, 1, DUE, "reminder")
    ]


def test_reminders_stop_and_restart_with_a_reason() -> None:
    case = run(opened(), StopReminders("入院中", "U-1", ON, ON))
    assert (case.reminders_stopped_on, case.reminder_stop_reason) == (ON, "入院中")
    assert decide(case, StopReminders("again", "U-1", ON, ON)) == []
    with pytest.raises(RemindersStopped):
        decide(case, IssueReminder("l1", date(2026, 8, 13), "U-1", ON))
    case = run(case, RestartReminders("退院", "U-1", ON, ON))
    assert case.reminders_stopped_on is None
    with pytest.raises(DateInTheFuture):
        decide(case, StopReminders("x", "U-1", date(2026, 8, 4), ON))
    with pytest.raises(CaseNotOpen):
        decide(dunned(), StopReminders("x", "U-1", ON, ON))


def test_a_letter_bills_what_is_owed_by_a_later_day() -> None:
    case = opened()
    assert decide(case, IssueReminder("l1", date(2026, 8, 13), "U-1", ON)) == [
        ev.ReminderIssued("l1", 30_000, 0, date(2026, 8, 13), "U-1", ON)
    ]
    with pytest.raises(DateInTheFuture):
        decide(case, IssueReminder("l1", ON, "U-1", ON))
    assert run(case, Review(ON, RULES)).status == "open"
