"""Reminders (催告, step ⑱): the call list for the tax notification centre (who to call, what is
owed), written reminders (催告書 with a payment slip, DLQ-369-377), and their stop and restart
with a reason (催告停止, DLQ-80-82). A stopped case is on no call list and gets no letter."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from kokuho.delinquency.domain import events as ev
from kokuho.delinquency.domain.errors import DateInTheFuture, RemindersStopped
from kokuho.delinquency.domain.model import Case
from kokuho.delinquency.domain.negotiation import require_open

CALLED_STAGES = ("reminder", "negotiation")


@dataclass(frozen=True)
class StopReminders:
    reason: str
    by: str
    on: date
    today: date


@dataclass(frozen=True)
class RestartReminders:
    reason: str
    by: str
    on: date
    today: date


@dataclass(frozen=True)
class IssueReminder:
    letter_id: str
    pay_by: date
    by: str
    today: date


@dataclass(frozen=True)
class CallItem:
    household: str
    outstanding: int
    late_charge: int
    arrears: int
    oldest_due_date: date
    stage: str


def _stop(case: Case, c: StopReminders) -> list[ev.Event]:
    require_open(case, "stopping reminders")
    if c.on > c.today:
        raise DateInTheFuture(f"stopped on {c.on}, after today {c.today}")
    if case.reminders_stopped_on is not None:
        return []
    return [ev.RemindersStopped(c.reason, c.by, c.on)]


def _restart(case: Case, c: RestartReminders) -> list[ev.Event]:
    if c.on > c.today:
        raise DateInTheFuture(f"restarted on {c.on}, after today {c.today}")
    if case.reminders_stopped_on is None:
        return []
    return [ev.RemindersRestarted(c.reason, c.by, c.on)]


def _issue(case: Case, c: IssueReminder) -> list[ev.Event]:
    require_open(case, "a reminder letter")
    if case.reminders_stopped_on is not None:
        raise RemindersStopped(f"reminders stopped since {case.reminders_stopped_on}")
    if c.pay_by <= c.today:
        raise DateInTheFuture(f"pay by {c.pay_by}: a day after today {c.today}")
    late = sum(a.late_charge for a in case.arrears)
    return [ev.ReminderIssued(c.letter_id, case.outstanding, late, c.pay_by, c.by, c.today)]


def call_list(cases: Iterable[Case], today: date) -> list[CallItem]:
    """Open cases at the reminder or negotiation stage, reminders not stopped, no plan or
    relief in force: who the notification centre calls, oldest arrears first."""
    items = []
    for case in cases:
        if case.status != "open" or case.stage not in CALLED_STAGES:
            continue
        if case.reminders_stopped_on is not None or case.active_plan is not None:
            continue
        if case.reliefs_in_force(today) or case.outstanding <= 0:
            continue
        owed = [a for a in case.arrears if a.outstanding > 0]
        late = sum(a.late_charge for a in case.arrears)
        oldest = min(a.due_date for a in owed)
        stage = case.stage or "reminder"
        items.append(CallItem(case.household, case.outstanding, late, len(owed), oldest, stage))
    return sorted(items, key=lambda i: (i.oldest_due_date, i.household))


def default_pay_by(today: date) -> date:
    return today + timedelta(days=10)


DECIDERS: dict[type[Any], Any] = {
    StopReminders: _stop,
    RestartReminders: _restart,
    IssueReminder: _issue,
}
