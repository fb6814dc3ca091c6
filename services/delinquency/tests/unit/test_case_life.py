"""A case's life at its boundaries: opened the day after the 指定期限 (not on it), closed when
paid, reopened on a new arrear; payments, reversals and collection's lapses."""

from __future__ import annotations

from datetime import date

from kokuho.delinquency.domain import events as ev
from kokuho.delinquency.domain import lifecycle
from kokuho.delinquency.domain.decide import decide
from kokuho.delinquency.domain.model import Case, Part
from kokuho.delinquency.domain.review import Review

from .rules import DEADLINE, DUE, RULES, dunned, opened, run


def pay(payment_id: str, amount: int, on: date, period: int = 1) -> lifecycle.NotePayment:
    return lifecycle.NotePayment(payment_id, (Part(2026, period, amount),), (), "bank", on)


def test_a_case_does_not_open_on_the_deadline_and_opens_the_day_after() -> None:
    case = dunned()
    assert case.status == "watching"
    assert decide(case, Review(DEADLINE, RULES)) == []
    events = decide(case, Review(date(2026, 8, 1), RULES))
    assert events == [ev.CaseOpened("reminder", date(2026, 8, 1))]


def test_an_arrear_paid_before_the_deadline_opens_nothing() -> None:
    case = run(dunned(), pay("p1", 30_000, DEADLINE))
    assert case.outstanding == 0
    assert decide(case, Review(date(2026, 9, 1), RULES)) == []


def test_a_repeated_notice_or_payment_changes_nothing() -> None:
    case = dunned()
    notice = lifecycle.NoteDunning(2026, 1, DUE, 30_000, DEADLINE, "n1", DEADLINE)
    assert decide(case, notice) == []
    case = run(case, pay("p1", 1_000, DEADLINE))
    assert decide(case, pay("p1", 1_000, DEADLINE)) == []


def test_full_payment_closes_the_case_and_a_new_arrear_reopens_it() -> None:
    case = run(opened(), pay("p1", 30_000, date(2026, 8, 10)))
    assert (case.status, case.closed_on) == ("closed", date(2026, 8, 10))
    case = run(
        case,
        lifecycle.NoteDunning(
            2026, 2, date(2026, 7, 31), 20_000, date(2026, 9, 10), "n2", date(2026, 8, 31)
        ),
    )
    assert decide(case, Review(date(2026, 9, 10), RULES)) == []
    assert decide(case, Review(date(2026, 9, 11), RULES)) == [
        ev.CaseReopened("reminder", date(2026, 9, 11))
    ]


def test_a_part_payment_lowers_the_arrear_and_renews_its_prescription() -> None:
    case = run(opened(), pay("p1", 10_000, date(2026, 8, 10)))
    [arrear] = case.arrears
    assert (arrear.outstanding, arrear.renewals) == (20_000, (DEADLINE, date(2026, 8, 10)))
    assert case.status == "open"


def test_a_partly_reversed_payment_owes_again_what_collection_names() -> None:
    reversal = lifecycle.NoteReversal("p1", date(2026, 8, 12), (Part(2026, 1, 10_000),))
    case = run(opened(), pay("p1", 30_000, date(2026, 8, 10)), reversal)
    assert (case.outstanding, case.payments) == (10_000, ())


def test_a_reversed_payment_is_owed_again() -> None:
    case = run(
        opened(),
        pay("p1", 30_000, date(2026, 8, 10)),
        lifecycle.NoteReversal("p1", date(2026, 8, 12)),
    )
    assert case.outstanding == 30_000
    assert run(case, Review(date(2026, 8, 13), RULES)).status == "open"


def test_payments_of_untracked_households_are_not_kept() -> None:
    assert decide(Case("9920000009"), pay("p1", 100, DUE)) == []


def test_collections_lapse_is_written_off_when_the_dates_agree_else_a_task() -> None:
    case = opened()
    lapse_day = date(2028, 8, 1)  # the 指定期限 2026-07-31 renewed; two years from 2026-08-01
    agreed = decide(case, lifecycle.NoteLapse(2026, 1, 30_000, lapse_day, RULES))
    assert agreed[0] == ev.ArrearWrittenOff(2026, 1, 30_000, "prescription", lapse_day)
    assert isinstance(agreed[1], ev.CaseClosed)
    early = decide(case, lifecycle.NoteLapse(2026, 1, 30_000, date(2028, 7, 31), RULES))
    assert [type(e) for e in early] == [ev.TaskRaised]


def test_an_assignment_names_the_officer_and_ward() -> None:
    case = run(
        opened(),
        lifecycle.AssignCase(
            "U-1", "G1", "収納対策課", "中区", "U-SUP", date(2026, 8, 2), date(2026, 8, 2)
        ),
    )
    assert (case.officer, case.officer_group, case.ward) == ("U-1", "G1", "中区")
