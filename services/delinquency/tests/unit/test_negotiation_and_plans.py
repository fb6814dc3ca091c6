"""Negotiation records, promises and plans at their boundaries: a promise is broken the day
after its date, not on it; a plan instalment short on its date breaks the plan the day after and
returns the case to its stage; a plan renews prescription."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.delinquency.domain import events as ev
from kokuho.delinquency.domain.decide import decide
from kokuho.delinquency.domain.errors import (
    CaseNotOpen,
    PlanAlreadyActive,
    PlanInvalid,
    PromiseInThePast,
)
from kokuho.delinquency.domain.model import Instalment
from kokuho.delinquency.domain.negotiation import PromiseTerms, RecordNegotiation
from kokuho.delinquency.domain.plans import AgreePlan
from kokuho.delinquency.domain.review import Review

from .rules import RULES, dunned, opened, run
from .test_case_life import pay

TODAY = date(2026, 8, 3)
PROMISED = date(2026, 8, 20)


def talk(promise: PromiseTerms | None = None, on: date = TODAY) -> RecordNegotiation:
    return RecordNegotiation(
        "r1", "U-1", "G1", "収納対策課", "self", "phone", "promise", "本人と電話", on, promise, on
    )


def promised(amount: int = 10_000) -> object:
    return talk(PromiseTerms("pr1", "payment", PROMISED, amount))


def test_a_negotiation_needs_an_open_case_and_moves_it_to_negotiation() -> None:
    with pytest.raises(CaseNotOpen):
        decide(dunned(), talk())
    case = run(opened(), talk())
    assert (case.stage, case.negotiations) == ("negotiation", 1)


def test_a_promise_for_an_earlier_day_is_refused() -> None:
    with pytest.raises(PromiseInThePast):
        decide(opened(), talk(PromiseTerms("pr1", "payment", date(2026, 8, 2), 1)))


def test_a_promise_unpaid_is_kept_open_on_its_date_and_broken_the_day_after() -> None:
    case = run(opened(), promised())
    assert decide(case, Review(PROMISED, RULES)) == []
    after = decide(case, Review(date(2026, 8, 21), RULES))
    assert after[:2] == [
        ev.PromiseBroken("pr1", date(2026, 8, 21)),
        ev.TaskRaised(
            "promise:pr1",
            "promise_broken",
            "payment of 10000 yen promised for 2026-08-20 not received",
            date(2026, 8, 21),
        ),
    ]


def test_a_promise_paid_on_its_date_is_kept_and_a_day_late_is_not() -> None:
    kept = run(opened(), promised(), pay("p1", 10_000, PROMISED))
    assert kept.promises[0].status == "kept"
    short = run(opened(), promised(), pay("p1", 9_999, PROMISED))
    assert short.promises[0].status == "pending"
    late = run(opened(), promised(), pay("p1", 10_000, date(2026, 8, 21)))
    assert late.promises[0].status == "pending"
    assert run(late, Review(date(2026, 8, 21), RULES)).promises[0].status == "broken"


def plan(*instalments: tuple[date, int], on: date = TODAY) -> AgreePlan:
    return AgreePlan("pl1", tuple(Instalment(d, a) for d, a in instalments), "U-1", True, on, on)


TWO = ((date(2026, 8, 31), 15_000), (date(2026, 9, 30), 15_000))


def test_a_plan_is_checked_and_only_one_is_active() -> None:
    case = opened()
    for bad in (
        plan(),
        plan((date(2026, 8, 2), 100)),
        plan((date(2026, 9, 1), 100), (date(2026, 9, 1), 100)),
        plan((date(2026, 9, 1), 0)),
        plan((date(2026, 9, 1), 30_001)),
    ):
        with pytest.raises(PlanInvalid):
            decide(case, bad)
    case = run(case, plan(*TWO))
    with pytest.raises(PlanAlreadyActive):
        decide(case, plan(*TWO))


def test_agreeing_a_plan_renews_prescription_and_sets_the_stage() -> None:
    case = run(opened(), talk(), plan(*TWO))
    assert case.stage == "plan"
    assert case.arrears[0].renewals[-1] == TODAY
    assert case.active_plan is not None
    assert case.active_plan.previous_stage == "negotiation"


def test_a_plan_short_on_its_date_breaks_the_day_after_and_reopens_at_its_stage() -> None:
    case = run(opened(), talk(), plan(*TWO), pay("p1", 14_999, date(2026, 8, 31)))
    assert decide(case, Review(date(2026, 8, 31), RULES)) == []
    events = decide(case, Review(date(2026, 9, 1), RULES))
    assert events[:2] == [
        ev.PlanBroken("pl1", date(2026, 8, 31), date(2026, 9, 1)),
        ev.StageChanged("negotiation", date(2026, 9, 1)),
    ]
    assert run(case, Review(date(2026, 9, 1), RULES)).stage == "negotiation"


def test_a_plan_paid_on_time_holds_and_completes_with_the_case() -> None:
    case = run(opened(), plan(*TWO), pay("p1", 15_000, date(2026, 8, 31)))
    assert run(case, Review(date(2026, 9, 30), RULES)).active_plan is not None
    case = run(case, pay("p2", 15_000, date(2026, 9, 30)))
    assert case.plans[0].status == "completed"
    assert case.status == "closed"
