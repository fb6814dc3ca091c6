"""Household aggregate at its boundaries: the day that is still allowed, the age that is still
eligible, the branch numbers after moves between households, and events that lack a field.
Each test here was written against a mutant of the domain that the other tests let through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

import pytest

from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household import (
    Household,
    decide,
    decide_merge,
    decide_split,
    evolve,
    initial,
)
from kokuho.eligibility.parameters import load_rules

RULES = load_rules()
T = TypeVar("T")
TODAY = date(2026, 11, 26)
HH = "2000000001"
NEW = "2000000002"
HEAD = "1000000001"
SPOUSE = "1000000002"
CHILD = "1000000003"
GRANDCHILD = "1000000004"


def acquire(
    addressee: str = HEAD,
    *,
    reason: str = "moved_in",
    fact: date = date(2025, 4, 1),
    notified: date | None = None,
    birth: date = date(1980, 5, 5),
    relationship: str = "householder",
    today: date = TODAY,
) -> c.AcquireQualification:
    return c.AcquireQualification(
        addressee_number=addressee,
        insured_number="3" + addressee[-7:],
        reason=reason,
        fact_date=fact,
        notification_date=notified or fact,
        birth_date=birth,
        relationship=relationship,
        today=today,
    )


def apply(state: Household, command: c.Command) -> tuple[Household, list[ev.Event]]:
    events = decide(state, command, RULES)
    return replay(state, events), events


def replay(state: Household, events: list[ev.Event]) -> Household:
    for event in events:
        state = evolve(state, event)
    return state


def registered(*acquisitions: c.AcquireQualification, number: str = HH) -> Household:
    acquisitions = acquisitions or (acquire(),)
    head = acquisitions[0].addressee_number
    state, _ = apply(initial(number), c.RegisterHousehold(number, head, acquisitions))
    return state


def family() -> Household:
    return registered(
        acquire(),
        acquire(SPOUSE, relationship="spouse"),
        acquire(CHILD, relationship="child", birth=date(2000, 1, 1)),
        acquire(GRANDCHILD, relationship="grandchild", birth=date(2024, 1, 1)),
    )


def of_type(events: list[ev.Event], kind: type[T]) -> list[T]:
    return [x for x in events if isinstance(x, kind)]


def newborn(addressee: str, relationship: str = "grandchild") -> c.AcquireQualification:
    born = date(2026, 9, 1)
    return acquire(addressee, reason="birth", fact=born, birth=born, relationship=relationship)


# --- branch numbers (枝番) after a split or a merge --------------------------------------------


def test_the_new_household_numbers_the_next_member_after_the_moved_ones() -> None:
    command = c.SplitHousehold(
        NEW, CHILD, (CHILD, GRANDCHILD), date(2026, 6, 1), date(2026, 6, 5), TODAY
    )
    _, target_events = decide_split(family(), initial(NEW), command, RULES)
    target = replay(initial(NEW), target_events)
    assert target.next_branch == 3
    _, events = apply(target, newborn("1000000005"))
    (born,) = of_type(events, ev.QualificationAcquired)
    assert born.branch_number == "03"  # after "01" and "02" of the moved members


def test_merged_members_take_consecutive_branches_after_the_receiving_household() -> None:
    into = family()  # branches 01-04
    absorbed = registered(
        acquire("1000000010"),
        acquire("1000000011", relationship="spouse"),
        acquire("1000000012", relationship="child", birth=date(2010, 1, 1)),
        number=NEW,
    )
    command = c.MergeHousehold(HH, date(2026, 7, 1), date(2026, 7, 2), TODAY)
    _, into_events = decide_merge(absorbed, into, command, RULES)
    (merged,) = of_type(into_events, ev.HouseholdMerged)
    assert [(m.addressee_number, m.branch_number) for m in merged.members] == [
        ("1000000010", "05"),
        ("1000000011", "06"),
        ("1000000012", "07"),
    ]
    grown = replay(into, into_events)
    assert grown.next_branch == 8
    _, events = apply(grown, newborn("1000000013"))
    assert of_type(events, ev.QualificationAcquired)[0].branch_number == "08"


def test_the_household_left_behind_keeps_counting_from_its_own_branches() -> None:
    command = c.SplitHousehold(NEW, CHILD, (CHILD,), date(2026, 6, 1), date(2026, 6, 5), TODAY)
    source_events, _ = decide_split(family(), initial(NEW), command, RULES)
    source = replay(family(), source_events)
    assert CHILD not in source.members
    assert source.next_branch == 5  # a branch number is never given twice in a household


# --- events whose moved members lack a field -----------------------------------------------


def moved(addressee: str, branch: str, **missing: None) -> ev.MemberMoved:
    fields: dict[str, object] = {
        "birth_date": date(2000, 1, 1),
        "acquisition_date": date(2025, 4, 1),
        "acquisition_reason": "moved_in",
    }
    fields.update(missing)
    return ev.MemberMoved(
        addressee,
        "3" + addressee[-7:],
        NEW,
        branch,
        "child",
        **fields,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("lacking", ["birth_date", "acquisition_date", "acquisition_reason"])
def test_a_moved_member_missing_one_of_its_facts_is_not_added(lacking: str) -> None:
    target = replay(initial(NEW), [ev.HouseholdRegistered(NEW, CHILD, False, date(2026, 6, 1))])
    split = ev.HouseholdSplit(
        HH,
        NEW,
        CHILD,
        (moved(CHILD, "01"), moved(GRANDCHILD, "02", **{lacking: None})),
        date(2026, 6, 1),
        date(2026, 6, 5),
        False,
    )
    after = evolve(target, split)
    assert list(after.members) == [CHILD]
    assert after.next_branch == 2


def test_members_leaving_by_merge_are_dropped_from_the_absorbed_household() -> None:
    absorbed = registered(acquire("1000000010"), number=NEW)
    into = family()
    command = c.MergeHousehold(HH, date(2026, 7, 1), date(2026, 7, 2), TODAY)
    absorbed_events, _ = decide_merge(absorbed, into, command, RULES)
    gone = replay(absorbed, absorbed_events)
    assert gone.members == {}
    assert gone.active_members == []


# --- the age limit of 非自発的失業者 -------------------------------------------------------------


SEPARATION = date(2026, 3, 30)
MAX_AGE = RULES.unemployment_max_age_at_separation


@pytest.mark.parametrize(
    ("birth", "eligible"),
    [
        (date(SEPARATION.year - MAX_AGE, 3, 30), True),  # the maximum age reached that day
        (date(SEPARATION.year - MAX_AGE - 1, 3, 31), True),  # one day short of max + 1
        (date(SEPARATION.year - MAX_AGE - 1, 3, 30), False),  # max + 1 that day
    ],
)
def test_involuntary_unemployment_up_to_the_maximum_age(birth: date, eligible: bool) -> None:
    state = registered(acquire(birth=birth))
    command = c.RecordInvoluntaryUnemployment(HEAD, SEPARATION, "11", TODAY)
    if eligible:
        _, events = apply(state, command)
        (recorded,) = of_type(events, ev.InvoluntaryUnemploymentRecorded)
        assert recorded.separation_date == SEPARATION
    else:
        with pytest.raises(e.UnemploymentNotEligible):
            apply(state, command)


# --- a change dated today is not in the future ---------------------------------------------


def with_student(state: Household) -> Household:
    start = c.StartSpecialCase(CHILD, "student", None, date(2025, 5, 1), date(2025, 5, 1), TODAY)
    return apply(state, start)[0]


DatedCommand = Callable[[date], c.Command]

DATED: dict[str, tuple[DatedCommand, Callable[[Household], Household]]] = {
    "acquisition notified today": (
        lambda d: acquire(
            "1000000009", fact=d - timedelta(3), notified=d, relationship="child", today=TODAY
        ),
        lambda s: s,
    ),
    "move out notified in advance today": (
        lambda d: c.LoseQualification(CHILD, "moved_out", d + timedelta(5), d, TODAY),
        lambda s: s,
    ),
    "death notified today": (
        lambda d: c.LoseQualification(CHILD, "death", d - timedelta(2), d, TODAY),
        lambda s: s,
    ),
    "householder changed, notified today": (
        lambda d: c.ChangeHouseholder(SPOUSE, d - timedelta(1), d, TODAY, "spouse"),
        lambda s: s,
    ),
    "relationship changed today": (
        lambda d: c.ChangeRelationship(CHILD, "grandchild", d, TODAY),
        lambda s: s,
    ),
    "details changed, notified today": (
        lambda d: c.ChangePersonalDetails(CHILD, ("name",), d - timedelta(1), d, TODAY),
        lambda s: s,
    ),
    "special case notified today": (
        lambda d: c.StartSpecialCase(CHILD, "student", None, d - timedelta(1), d, TODAY),
        lambda s: s,
    ),
    "special case ended today": (
        lambda d: c.EndSpecialCase(CHILD, "student", d, TODAY),
        with_student,
    ),
    "separated today": (
        lambda d: c.RecordInvoluntaryUnemployment(CHILD, d, "11", TODAY),
        lambda s: s,
    ),
    "retiree since today": (
        lambda d: c.RecordRetireeStatus(CHILD, "retiree_dependant", d, TODAY),
        lambda s: s,
    ),
    "former dependant since today": (
        lambda d: c.ChangeFormerDependantStatus(CHILD, True, d, TODAY),
        lambda s: s,
    ),
}


@pytest.mark.parametrize("case", sorted(DATED))
def test_a_change_dated_today_is_accepted_and_tomorrow_is_refused(case: str) -> None:
    command, prepare = DATED[case]
    state = prepare(family())
    events = decide(state, command(TODAY), RULES)
    assert events
    with pytest.raises(e.DateInFuture):
        decide(state, command(TODAY + timedelta(1)), RULES)


@pytest.mark.parametrize("on", [TODAY, TODAY + timedelta(1)])
def test_a_split_or_merge_notified_today_is_accepted_and_tomorrow_refused(on: date) -> None:
    split = c.SplitHousehold(NEW, CHILD, (CHILD,), on - timedelta(3), on, TODAY)
    merge = c.MergeHousehold(HH, on - timedelta(3), on, TODAY)
    absorbed = registered(acquire("1000000010"), number=NEW)
    if on == TODAY:
        assert decide_split(family(), initial(NEW), split, RULES)[0]
        assert decide_merge(absorbed, family(), merge, RULES)[0]
        return
    with pytest.raises(e.DateInFuture):
        decide_split(family(), initial(NEW), split, RULES)
    with pytest.raises(e.DateInFuture):
        decide_merge(absorbed, family(), merge, RULES)


def test_a_notification_on_the_day_of_the_fact_is_not_before_it() -> None:
    state = family()
    _, events = apply(
        state, c.ChangePersonalDetails(CHILD, ("name",), date(2026, 6, 1), date(2026, 6, 1), TODAY)
    )
    assert of_type(events, ev.PersonalDetailsChanged)
    with pytest.raises(e.NotificationBeforeFact):
        apply(
            state,
            c.ChangePersonalDetails(CHILD, ("name",), date(2026, 6, 1), date(2026, 5, 31), TODAY),
        )


# --- periods of one day: valid_until equal to valid_from -----------------------------------


@pytest.mark.parametrize("kind", ["limit_certificate", "specified_disease_certificate"])
def test_a_certificate_record_may_be_valid_for_one_day(kind: str) -> None:
    state = registered(acquire(fact=date(2024, 4, 1)))
    issued_on = date(2024, 8, 1)
    _, events = apply(state, c.IssueCertificate("r1", kind, HEAD, issued_on, None, issued_on))
    (issued,) = of_type(events, ev.CertificateIssued)
    assert (issued.valid_from, issued.valid_until) == (issued_on, issued_on)
    with pytest.raises(e.PeriodEndsBeforeStart):
        apply(
            state, c.IssueCertificate("r2", kind, HEAD, issued_on, None, issued_on - timedelta(1))
        )


def test_status_periods_of_one_day_are_accepted() -> None:
    state = family()
    day = date(2025, 6, 1)
    _, events = apply(state, c.RecordRetireeStatus(CHILD, "retiree_dependant", day, TODAY, day))
    (retiree,) = of_type(events, ev.RetireeStatusRecorded)
    assert (retiree.since, retiree.until) == (day, day)
    _, events = apply(state, c.ChangeFormerDependantStatus(CHILD, True, day, TODAY, day))
    (former,) = of_type(events, ev.FormerDependantStatusChanged)
    assert (former.since, former.until) == (day, day)
