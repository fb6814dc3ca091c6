"""The daily review of a case: what the passing of time decides (pure; one function per rule,
each seeing the case as the earlier ones left it).

- open / reopen: an arrear still owed after its dunning notice's 指定期限 (the case opens the
  day after the deadline; step ⑱); a closed case reopens on a new arrear, at ``reminder``;
- promises: a payment promise not kept by its date is broken the day after, with a task;
- plans: an instalment short on the day after its date breaks the plan, the case returns to the
  stage it had before the plan, with a task;
- prescription: a lapsed arrear is written off (``prescription``), never dropped;
- 執行停止: after its period (3 years) the arrears are written off (``suspension_period``);
- 特別療養費: flagged and benefits withheld (``special_care``);
- close: an open case with nothing owed is closed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from kokuho.delinquency.domain import events as ev
from kokuho.delinquency.domain import special_care
from kokuho.delinquency.domain.evolve import replay
from kokuho.delinquency.domain.model import Case
from kokuho.delinquency.domain.parameters import Rules
from kokuho.delinquency.domain.prescription import ONE_DAY, lapsed, period_end


@dataclass(frozen=True)
class Review:
    today: date
    rules: Rules


def _open(case: Case, today: date, rules: Rules) -> list[ev.Event]:
    if case.status not in ("watching", "closed"):
        return []
    overdue = [a for a in case.arrears if a.outstanding > 0 and a.designated_deadline < today]
    if not overdue:
        return []
    if case.status == "closed":
        return [ev.CaseReopened("reminder", today)]
    first = min(a.designated_deadline for a in overdue) + ONE_DAY
    return [ev.CaseOpened("reminder", first)]


def _promises(case: Case, today: date, rules: Rules) -> list[ev.Event]:
    out: list[ev.Event] = []
    for p in case.promises:
        if p.status != "pending" or p.kind != "payment" or today <= p.promised_on:
            continue
        day = p.promised_on + ONE_DAY
        out.append(ev.PromiseBroken(p.promise_id, day))
        reason = f"payment of {p.amount} yen promised for {p.promised_on} not received"
        out.append(ev.TaskRaised(f"promise:{p.promise_id}", "promise_broken", reason, day))
    return out


def _plans(case: Case, today: date, rules: Rules) -> list[ev.Event]:
    plan = case.active_plan
    if plan is None:
        return []
    for i in plan.instalments:
        if i.due_on >= today:
            break
        if case.paid_between(plan.agreed_on, i.due_on) < plan.due_by(i.due_on):
            day = i.due_on + ONE_DAY
            reason = f"plan {plan.plan_id}: {plan.due_by(i.due_on)} yen due by {i.due_on}"
            return [
                ev.PlanBroken(plan.plan_id, i.due_on, day),
                ev.StageChanged(plan.previous_stage, day),
                ev.TaskRaised(f"plan:{plan.plan_id}", "plan_broken", reason, day),
            ]
    return []


def _prescription(case: Case, today: date, rules: Rules) -> list[ev.Event]:
    out: list[ev.Event] = []
    for a in case.arrears:
        day = lapsed(case, a, today, rules.prescription_years)
        if day is not None:
            out.append(
                ev.ArrearWrittenOff(a.fiscal_year, a.period, a.outstanding, "prescription", day)
            )
    return out


def _suspension(case: Case, today: date, rules: Rules) -> list[ev.Event]:
    """地方税法15条の7第4項の例: 執行停止 lasting 3 years extinguishes the arrears it covers."""
    for r in case.reliefs:
        if r.kind != "enforcement_suspension" or not r.in_force(today):
            continue
        ends = period_end(r.starts_on, 12 * rules.suspension_extinction_years) + ONE_DAY
        if ends <= today:
            return [
                ev.ArrearWrittenOff(
                    a.fiscal_year, a.period, a.outstanding, "suspension_period", ends
                )
                for a in case.arrears
                if a.outstanding > 0
            ]
    return []


def _close(case: Case, today: date, rules: Rules) -> list[ev.Event]:
    return closing(case, today)


def closing(case: Case, on: date) -> list[ev.Event]:
    """An open case with nothing owed closes; what the arrears set in motion ends with it."""
    if case.status != "open" or case.outstanding > 0:
        return []
    reason = "written_off" if any(a.written_off for a in case.arrears) else "paid"
    out: list[ev.Event] = [ev.CaseClosed(reason, on)]
    if case.special_care.flagged_on is not None:
        out.append(ev.SpecialCareCleared(reason, on))
    if case.special_care.withheld_on is not None:
        out.append(ev.BenefitsReleased(reason, on))
    return out


Rule = Callable[[Case, date, Rules], list[ev.Event]]
RULES: tuple[Rule, ...] = (
    _open,
    _prescription,
    _suspension,
    _promises,
    _plans,
    special_care.review,
    _close,
)


def review(case: Case, command: Review) -> list[ev.Event]:
    out: list[ev.Event] = []
    for rule in RULES:
        events = rule(case, command.today, command.rules)
        case = replay(case.household, events, case)
        out.extend(events)
    return out


DECIDERS: dict[type[Any], Any] = {Review: review}
