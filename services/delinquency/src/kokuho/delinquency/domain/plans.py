"""分納 (DLQ-135-173): agreed instalments, monitored against collection's payments by
``review``. Agreeing a plan acknowledges the debt (承認, 民法152条): each arrear's prescription
is renewed. A broken plan returns the case to the stage it had before the plan."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from kokuho.delinquency.domain import events as ev
from kokuho.delinquency.domain.errors import DateInTheFuture, PlanAlreadyActive, PlanInvalid
from kokuho.delinquency.domain.model import Case, Instalment
from kokuho.delinquency.domain.negotiation import require_open


@dataclass(frozen=True)
class AgreePlan:
    plan_id: str
    instalments: tuple[Instalment, ...]
    officer: str
    pledge_received: bool
    agreed_on: date
    today: date


def _check(case: Case, c: AgreePlan) -> None:
    if c.agreed_on > c.today:
        raise DateInTheFuture(f"agreed on {c.agreed_on}, after today {c.today}")
    if not c.instalments:
        raise PlanInvalid("a plan has at least one instalment")
    days = [i.due_on for i in c.instalments]
    if days[0] < c.agreed_on or any(b <= a for a, b in itertools.pairwise(days)):
        raise PlanInvalid("instalment dates run forward from the day the plan is agreed")
    if any(i.amount <= 0 for i in c.instalments):
        raise PlanInvalid("every instalment is a positive amount")
    owed = case.outstanding + sum(a.late_charge for a in case.arrears)
    total = sum(i.amount for i in c.instalments)
    if total > owed:
        raise PlanInvalid(f"the plan's {total} yen exceed the {owed} yen owed")


def _agree(case: Case, c: AgreePlan) -> list[ev.Event]:
    require_open(case, "an instalment plan")
    if case.active_plan is not None:
        raise PlanAlreadyActive(f"plan {case.active_plan.plan_id} is active")
    _check(case, c)
    previous = case.stage or "reminder"
    out: list[ev.Event] = [
        ev.PlanAgreed(c.plan_id, c.instalments, c.officer, c.pledge_received, previous, c.agreed_on)
    ]
    out += [
        ev.PrescriptionRenewed(a.fiscal_year, a.period, "plan", c.agreed_on)
        for a in case.arrears
        if a.outstanding > 0
    ]
    if previous != "plan":
        out.append(ev.StageChanged("plan", c.agreed_on))
    return out


DECIDERS: dict[type[Any], Any] = {AgreePlan: _agree}
