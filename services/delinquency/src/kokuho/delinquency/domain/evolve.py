"""``evolve(case, event)``: one event applied to the case, through a table keyed by type."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from kokuho.delinquency.domain import events as ev
from kokuho.delinquency.domain.model import (
    Arrear,
    Case,
    Letter,
    Part,
    Payment,
    Plan,
    Promise,
    Relief,
    Seizure,
    SpecialCare,
    Task,
    put,
    replace,
)


def _arrear(case: Case, fiscal_year: int, period: int, **changes: Any) -> Case:
    found = case.arrear(fiscal_year, period)
    assert found is not None, f"no arrear {fiscal_year}/{period}"
    arrears = tuple(replace(a, **changes) if a is found else a for a in case.arrears)
    return replace(case, arrears=arrears)


def _dunned(case: Case, e: ev.ArrearDunned) -> Case:
    arrear = Arrear(
        e.fiscal_year,
        e.period,
        e.due_date,
        e.outstanding,
        e.designated_deadline,
        renewals=(e.designated_deadline,),  # 督促 renews from its 指定期限 (地方自治法236条4項)
    )
    kept = tuple(a for a in case.arrears if a.key != arrear.key)
    status = "watching" if case.status == "untracked" else case.status
    return replace(case, arrears=(*kept, arrear), status=status)


def _recharged(case: Case, e: ev.ArrearRecharged) -> Case:
    a = case.arrear(e.fiscal_year, e.period)
    assert a is not None
    return _arrear(case, e.fiscal_year, e.period, principal=max(a.principal + e.change, 0))


def _shift(case: Case, parts: Iterable[Part], sign: int, attr: str) -> Case:
    for p in parts:
        a = case.arrear(p.fiscal_year, p.period)
        if a is not None:
            case = _arrear(
                case, p.fiscal_year, p.period, **{attr: getattr(a, attr) + sign * p.amount}
            )
    return case


def _payment(case: Case, e: ev.PaymentNoted) -> Case:
    case = _shift(case, e.applied, 1, "paid")
    case = _shift(case, e.late_charge_applied, -1, "late_charge")
    for p in e.applied:  # a part payment acknowledges the rest (承認, 民法152条)
        a = case.arrear(p.fiscal_year, p.period)
        if a is not None and a.outstanding > 0:
            case = _arrear(case, a.fiscal_year, a.period, renewals=(*a.renewals, e.on))
    total = sum(p.amount for p in (*e.applied, *e.late_charge_applied))
    return replace(case, payments=(*case.payments, Payment(e.payment_id, e.applied, total, e.on)))


def _withdrawn(case: Case, e: ev.PaymentWithdrawn) -> Case:
    found = next((p for p in case.payments if p.payment_id == e.payment_id), None)
    if found is None:
        return case
    case = _shift(case, e.parts or found.applied, -1, "paid")
    return replace(case, payments=tuple(p for p in case.payments if p is not found))


def _late(case: Case, e: ev.LateChargeNoted) -> Case:
    a = case.arrear(e.fiscal_year, e.period)
    assert a is not None
    return _arrear(case, e.fiscal_year, e.period, late_charge=a.late_charge + e.amount)


def _renewed(case: Case, e: ev.PrescriptionRenewed) -> Case:
    a = case.arrear(e.fiscal_year, e.period)
    assert a is not None
    return _arrear(case, e.fiscal_year, e.period, renewals=(*a.renewals, e.on))


def _written_off(case: Case, e: ev.ArrearWrittenOff) -> Case:
    a = case.arrear(e.fiscal_year, e.period)
    assert a is not None
    return _arrear(
        case,
        e.fiscal_year,
        e.period,
        written_off=a.written_off + e.amount,
        write_off_ground=e.ground,
    )


def _promise(case: Case, promise_id: str, **changes: Any) -> Case:
    promises = tuple(
        replace(p, **changes) if p.promise_id == promise_id else p for p in case.promises
    )
    return replace(case, promises=promises)


def _plan(case: Case, plan_id: str, **changes: Any) -> Case:
    plans = tuple(replace(p, **changes) if p.plan_id == plan_id else p for p in case.plans)
    return replace(case, plans=plans)


def _relief(case: Case, relief_id: str, **changes: Any) -> Case:
    found = case.relief(relief_id)
    assert found is not None
    return replace(
        case, reliefs=put(case.reliefs, relief_id, replace(found, **changes), "relief_id")
    )


def _decided(case: Case, e: ev.ReliefDecided) -> Case:
    status = "approved" if e.approved else "rejected"
    return _relief(case, e.relief_id, status=status, decided_by=e.decided_by, decided_on=e.on)


def _seizure(case: Case, seizure_id: str, **changes: Any) -> Case:
    found = case.seizure(seizure_id)
    assert found is not None
    return replace(
        case, seizures=put(case.seizures, seizure_id, replace(found, **changes), "seizure_id")
    )


def _proceeds(case: Case, e: ev.ProceedsCollected) -> Case:
    found = case.seizure(e.seizure_id)
    assert found is not None
    return _seizure(case, e.seizure_id, proceeds=found.proceeds + e.amount)


def _care(case: Case, **changes: Any) -> Case:
    return replace(case, special_care=replace(case.special_care, **changes))


def _task_done(case: Case, e: ev.TaskDone) -> Case:
    tasks = tuple(replace(t, done=True) if t.task_id == e.task_id else t for t in case.tasks)
    return replace(case, tasks=tasks)


def _assigned(case: Case, e: ev.CaseAssigned) -> Case:
    return replace(
        case,
        officer=e.officer,
        officer_group=e.group,
        officer_division=e.division,
        ward=e.ward if e.ward is not None else case.ward,
    )


Evolver = Callable[[Case, Any], Case]

EVOLVERS: dict[type[Any], Evolver] = {
    ev.ArrearDunned: _dunned,
    ev.ArrearRecharged: _recharged,
    ev.PaymentNoted: _payment,
    ev.PaymentWithdrawn: _withdrawn,
    ev.LateChargeNoted: _late,
    ev.CaseOpened: lambda c, e: replace(
        c, status="open", stage=e.stage, opened_on=e.on, closed_on=None
    ),
    ev.CaseReopened: lambda c, e: replace(c, status="open", stage=e.stage, closed_on=None),
    ev.CaseClosed: lambda c, e: replace(c, status="closed", closed_on=e.on),
    ev.CaseAssigned: _assigned,
    ev.StageChanged: lambda c, e: replace(c, stage=e.stage),
    ev.TaskRaised: lambda c, e: replace(
        c, tasks=(*c.tasks, Task(e.task_id, e.kind, e.on, e.reason))
    ),
    ev.TaskDone: _task_done,
    ev.NegotiationRecorded: lambda c, e: replace(c, negotiations=c.negotiations + 1),
    ev.PromiseMade: lambda c, e: replace(
        c,
        promises=(
            *c.promises,
            Promise(e.promise_id, e.kind, e.promised_on, e.amount, e.on, e.officer),
        ),
    ),
    ev.PromiseKept: lambda c, e: _promise(c, e.promise_id, status="kept"),
    ev.PromiseBroken: lambda c, e: _promise(c, e.promise_id, status="broken"),
    ev.PlanAgreed: lambda c, e: replace(
        c,
        plans=(
            *c.plans,
            Plan(e.plan_id, e.on, e.instalments, e.officer, e.pledge_received, e.previous_stage),
        ),
    ),
    ev.PlanBroken: lambda c, e: _plan(c, e.plan_id, status="broken"),
    ev.PlanCompleted: lambda c, e: _plan(c, e.plan_id, status="completed"),
    ev.PrescriptionRenewed: _renewed,
    ev.ArrearWrittenOff: _written_off,
    ev.ReliefRequested: lambda c, e: replace(
        c,
        reliefs=(
            *c.reliefs,
            Relief(
                e.relief_id,
                e.kind,
                e.ground,
                e.starts_on,
                e.ends_on,
                e.amount,
                e.security_amount,
                e.requested_by,
            ),
        ),
    ),
    ev.ReliefDecided: _decided,
    ev.ReliefEnded: lambda c, e: _relief(c, e.relief_id, status="ended", ended_on=e.on),
    ev.InvestigationStarted: lambda c, e: replace(
        c, investigations=(*c.investigations, e.investigation_id)
    ),
    ev.InvestigationAnswered: lambda c, e: c,
    ev.PropertySeized: lambda c, e: replace(
        c, seizures=(*c.seizures, Seizure(e.seizure_id, e.kind, e.on, e.amount))
    ),
    ev.SeizureReleased: lambda c, e: _seizure(c, e.seizure_id, status="released", released_on=e.on),
    ev.DistributionDemanded: lambda c, e: c,
    ev.ProceedsCollected: _proceeds,
    ev.AdvanceNoticeSent: lambda c, e: _care(c, advance_notice_on=e.on),
    ev.SpecialReasonRecorded: lambda c, e: _care(c, special_reason=e.reason),
    ev.SpecialCareFlagged: lambda c, e: _care(c, flagged_on=e.on),
    ev.SpecialCareCleared: lambda c, e: _care(c, flagged_on=None),
    ev.BenefitsWithheld: lambda c, e: _care(c, withheld_on=e.on),
    ev.BenefitsReleased: lambda c, e: _care(c, withheld_on=None),
    ev.RemindersStopped: lambda c, e: replace(
        c, reminders_stopped_on=e.on, reminder_stop_reason=e.reason
    ),
    ev.RemindersRestarted: lambda c, e: replace(
        c, reminders_stopped_on=None, reminder_stop_reason=None
    ),
    ev.ReminderIssued: lambda c, e: replace(
        c,
        letters=(
            *c.letters,
            Letter(e.letter_id, e.billed_unpaid, e.billed_late_charge, e.pay_by, e.on),
        ),
    ),
}


def evolve(case: Case, event: Any) -> Case:
    try:
        evolver = EVOLVERS[type(event)]
    except KeyError:
        raise TypeError(f"no rule applies {type(event).__name__}") from None
    return evolver(case, event)


def replay(household: str, events: Iterable[Any], case: Case | None = None) -> Case:
    state = case if case is not None else Case(household)
    for event in events:
        state = evolve(state, event)
    return state


__all__ = ["EVOLVERS", "SpecialCare", "evolve", "replay"]
