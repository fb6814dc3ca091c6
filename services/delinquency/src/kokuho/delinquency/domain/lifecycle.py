"""Facts from collection becoming the case's arrears, and the case's own life: opened when a
dunning notice's 指定期限 passes unpaid (step ⑱), closed when everything is paid or written
off, reopened on a new arrear; assignment to an officer; tasks done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kokuho.delinquency.domain import events as ev
from kokuho.delinquency.domain.errors import DateInTheFuture, TaskNotFound
from kokuho.delinquency.domain.evolve import replay
from kokuho.delinquency.domain.model import Case, Part
from kokuho.delinquency.domain.parameters import Rules
from kokuho.delinquency.domain.prescription import lapses_on, pauses
from kokuho.delinquency.domain.review import closing


@dataclass(frozen=True)
class NoteDunning:
    fiscal_year: int
    period: int
    due_date: date
    outstanding: int
    designated_deadline: date
    notice_id: str
    on: date


@dataclass(frozen=True)
class NoteRecharge:
    fiscal_year: int
    period: int
    change: int
    on: date


@dataclass(frozen=True)
class NotePayment:
    payment_id: str
    applied: tuple[Part, ...]
    late_charge_applied: tuple[Part, ...]
    channel: str
    on: date


@dataclass(frozen=True)
class NoteReversal:
    payment_id: str
    on: date
    parts: tuple[Part, ...] = ()  # the principal owed again, per instalment


@dataclass(frozen=True)
class NoteLateCharge:
    fiscal_year: int
    period: int
    amount: int
    on: date


@dataclass(frozen=True)
class NoteLapse:
    """collection's ChargeLapsed: its own prescription job found the instalment lapsed."""

    fiscal_year: int
    period: int
    amount: int
    on: date
    rules: Rules


@dataclass(frozen=True)
class AssignCase:
    officer: str
    group: str
    division: str
    ward: str | None
    by: str
    on: date
    today: date


@dataclass(frozen=True)
class CompleteTask:
    task_id: str
    by: str
    today: date


def _dunning(case: Case, c: NoteDunning) -> list[ev.Event]:
    if case.arrear(c.fiscal_year, c.period) is not None or c.outstanding <= 0:
        return []  # one notice per instalment: a repeat changes nothing
    return [
        ev.ArrearDunned(
            c.fiscal_year,
            c.period,
            c.due_date,
            c.outstanding,
            c.designated_deadline,
            c.notice_id,
            c.on,
        )
    ]


def _recharge(case: Case, c: NoteRecharge) -> list[ev.Event]:
    if case.arrear(c.fiscal_year, c.period) is None or c.change == 0:
        return []
    return [ev.ArrearRecharged(c.fiscal_year, c.period, c.change, c.on)]


def _payment(case: Case, c: NotePayment) -> list[ev.Event]:
    """A payment lowers the arrears; a promise it meets is kept, a plan it completes is
    complete, and a case it clears is closed."""
    if case.status == "untracked" or any(p.payment_id == c.payment_id for p in case.payments):
        return []
    out: list[ev.Event] = [
        ev.PaymentNoted(c.payment_id, c.applied, c.late_charge_applied, c.channel, c.on)
    ]
    after = replay(case.household, out, case)
    for p in after.promises:
        met = after.paid_between(p.obtained_on, p.promised_on) >= p.amount
        if p.status == "pending" and p.kind == "payment" and c.on <= p.promised_on and met:
            out.append(ev.PromiseKept(p.promise_id, c.on))
    plan = after.active_plan
    if plan is not None and after.paid_between(plan.agreed_on, c.on) >= plan.total:
        out.append(ev.PlanCompleted(plan.plan_id, c.on))
    return out + closing(replay(case.household, out[1:], after), c.on)


def _reversal(case: Case, c: NoteReversal) -> list[ev.Event]:
    if not any(p.payment_id == c.payment_id for p in case.payments):
        return []
    return [ev.PaymentWithdrawn(c.payment_id, c.on, c.parts)]


def _late(case: Case, c: NoteLateCharge) -> list[ev.Event]:
    if case.arrear(c.fiscal_year, c.period) is None or c.amount <= 0:
        return []
    return [ev.LateChargeNoted(c.fiscal_year, c.period, c.amount, c.on)]


def _lapse(case: Case, c: NoteLapse) -> list[ev.Event]:
    """Written off when this service's own date agrees; a renewal collection has not heard
    of (a seizure, a plan) makes it a task for the officer instead (never a silent drop)."""
    a = case.arrear(c.fiscal_year, c.period)
    if a is None or a.outstanding <= 0:
        return []
    ours = lapses_on(a, c.rules.prescription_years, pauses(case))
    if ours <= c.on:
        off = ev.ArrearWrittenOff(a.fiscal_year, a.period, a.outstanding, "prescription", ours)
        return [off, *closing(replay(case.household, [off], case), c.on)]
    reason = (
        f"collection marked {a.fiscal_year}/{a.period} lapsed on {c.on}; renewed here to {ours}"
    )
    return [ev.TaskRaised(f"lapse:{a.fiscal_year}:{a.period}", "lapse_discrepancy", reason, c.on)]


def _assign(case: Case, c: AssignCase) -> list[ev.Event]:
    if c.on > c.today:
        raise DateInTheFuture(f"assigned on {c.on}, after today {c.today}")
    return [ev.CaseAssigned(c.officer, c.group, c.division, c.ward, c.by, c.on)]


def _task(case: Case, c: CompleteTask) -> list[ev.Event]:
    task = next((t for t in case.tasks if t.task_id == c.task_id), None)
    if task is None:
        raise TaskNotFound(f"no task {c.task_id}")
    return [] if task.done else [ev.TaskDone(c.task_id, c.by, c.today)]


DECIDERS: dict[type[Any], Any] = {
    NoteDunning: _dunning,
    NoteRecharge: _recharge,
    NotePayment: _payment,
    NoteReversal: _reversal,
    NoteLateCharge: _late,
    NoteLapse: _lapse,
    AssignCase: _assign,
    CompleteTask: _task,
}
