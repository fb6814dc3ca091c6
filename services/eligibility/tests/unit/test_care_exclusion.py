"""介護保険適用除外 (NHI-Q-33, issue 13): the periods at their boundaries, and the four-eyes
change publishing CareInsuranceExclusionRecorded / CareInsuranceExclusionEnded with the fields
assessment reads (household, member, facility kind and name, start, end)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kokuho.eligibility.adapters.memory import InMemoryEligibilityUnit
from kokuho.eligibility.app import care_exclusion as cx
from kokuho.eligibility.app import requests as rq
from kokuho.eligibility.app.changes import ConfirmChange, EnterChange, confirm_change, enter_change
from kokuho.eligibility.app.ports import Eligibility
from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household import Household, decide, evolve, initial
from kokuho.eligibility.parameters import load_rules
from kokuho.events.contracts import eligibility as ce

RULES = load_rules()
HH, HEAD = "2000000001", "1000000001"
ACQUIRED = date(2026, 4, 1)
TODAY = date(2026, 12, 6)
KIND = "designated_disability_support_facility"


def apply(state: Household, command: c.Command) -> tuple[Household, list[ev.Event]]:
    events = decide(state, command, RULES)
    for event in events:
        state = evolve(state, event)
    return state, events


def insured() -> Household:
    head = c.AcquireQualification(
        HEAD, "30000001", "moved_in", ACQUIRED, ACQUIRED, date(1970, 1, 1), "householder", TODAY
    )
    return apply(initial(HH), c.RegisterHousehold(HH, HEAD, (head,)))[0]


def record(start: date, end: date | None = None) -> c.RecordCareExclusion:
    return c.RecordCareExclusion(HEAD, KIND, "架空支援センター", start, end, TODAY)


def test_from_the_acquisition_day_not_the_day_before() -> None:
    _, events = apply(insured(), record(ACQUIRED))
    assert events == [
        ev.CareInsuranceExclusionRecorded(HH, HEAD, KIND, "架空支援センター", ACQUIRED, None)
    ]
    with pytest.raises(e.CareExclusionBeforeAcquisition):
        apply(insured(), record(date(2026, 3, 31)))


def test_today_is_allowed_tomorrow_is_not() -> None:
    apply(insured(), record(TODAY))
    with pytest.raises(e.DateInFuture):
        apply(insured(), record(date(2026, 12, 7)))
    with pytest.raises(e.DateInFuture):
        apply(insured(), record(ACQUIRED, date(2026, 12, 7)))


def test_an_end_before_the_start_is_refused_the_same_day_is_not() -> None:
    apply(insured(), record(date(2026, 6, 1), date(2026, 6, 1)))
    with pytest.raises(e.PeriodEndsBeforeStart):
        apply(insured(), record(date(2026, 6, 1), date(2026, 5, 31)))


def test_periods_may_not_overlap_even_by_a_day() -> None:
    state, _ = apply(insured(), record(date(2026, 5, 1), date(2026, 7, 31)))
    with pytest.raises(e.CareExclusionOverlaps):
        apply(state, record(date(2026, 7, 31)))
    with pytest.raises(e.CareExclusionOverlaps):
        apply(state, record(date(2026, 4, 1), date(2026, 5, 1)))
    state, _ = apply(state, record(date(2026, 8, 1)))  # the day after: a new period
    with pytest.raises(e.CareExclusionOverlaps):
        apply(state, record(date(2026, 10, 1)))  # the open one runs on


def test_ending_the_open_period() -> None:
    with pytest.raises(e.CareExclusionNotOpen):
        apply(insured(), c.EndCareExclusion(HEAD, date(2026, 9, 30), TODAY))
    state, _ = apply(insured(), record(date(2026, 5, 1)))
    with pytest.raises(e.PeriodEndsBeforeStart):
        apply(state, c.EndCareExclusion(HEAD, date(2026, 4, 30), TODAY))
    state, events = apply(state, c.EndCareExclusion(HEAD, date(2026, 9, 30), TODAY))
    assert events == [
        ev.CareInsuranceExclusionEnded(
            HH, HEAD, KIND, "架空支援センター", date(2026, 5, 1), date(2026, 9, 30)
        )
    ]
    assert state.members[HEAD].care_exclusions[0].end_date == date(2026, 9, 30)
    with pytest.raises(e.CareExclusionNotOpen):
        apply(state, c.EndCareExclusion(HEAD, date(2026, 10, 31), TODAY))
    # the composition is not touched: no HouseholdCompositionChanged
    assert all(not isinstance(x, ev.HouseholdCompositionChanged) for x in events)


async def test_four_eyes_and_the_published_contracts() -> None:
    ports = Eligibility(RULES, clock=lambda: datetime(2026, 12, 6, 1, 0, tzinfo=UTC))
    unit = InMemoryEligibilityUnit()
    member = rq.MemberIn(
        addressee_number=HEAD,
        reason="moved_in",
        fact_date=ACQUIRED,
        notification_date=ACQUIRED,
        relationship="householder",
        details=rq.PersonalDetails(
            name="架空　一郎",
            name_kana="カクウ　イチロウ",
            sex="male",
            birth_date=date(1970, 1, 1),
            address="広島市中区架空町1-1",
        ),
    )
    body = rq.RegisterHouseholdIn(
        householder_addressee_number=HEAD,
        members=[member],
        identity_verification=rq.IdentityVerification(method="mn_card"),
    )
    entered = await enter_change(unit, ports, EnterChange("register_household", body, "clerk-a"))
    await confirm_change(unit, ports, ConfirmChange(entered.change_id, "clerk-b"))
    household = entered.nhi_household_number

    exclusion = cx.CareExclusionIn(
        facility_kind=KIND, facility_name="架空支援センター", start_date=date(2026, 5, 1)
    )
    pending = await enter_change(
        unit, ports, EnterChange("record_care_exclusion", exclusion, "clerk-a", household, HEAD)
    )
    assert pending.status == "pending"
    with pytest.raises(e.SelfConfirmationRefused):
        await confirm_change(unit, ports, ConfirmChange(pending.change_id, "clerk-a"))
    done = await confirm_change(unit, ports, ConfirmChange(pending.change_id, "clerk-b"))
    (recorded,) = done.events
    assert isinstance(recorded, ce.CareInsuranceExclusionRecorded)
    assert recorded.model_dump(
        include={
            "nhi_household_number",
            "addressee_number",
            "facility_kind",
            "facility_name",
            "start_date",
            "end_date",
            "entered_by",
            "confirmed_by",
        }
    ) == {
        "nhi_household_number": household,
        "addressee_number": HEAD,
        "facility_kind": KIND,
        "facility_name": "架空支援センター",
        "start_date": date(2026, 5, 1),
        "end_date": None,
        "entered_by": "clerk-a",
        "confirmed_by": "clerk-b",
    }
    ending = cx.CareExclusionEndIn(end_date=date(2026, 11, 30))
    pending = await enter_change(
        unit, ports, EnterChange("end_care_exclusion", ending, "clerk-b", household, HEAD)
    )
    done = await confirm_change(unit, ports, ConfirmChange(pending.change_id, "clerk-a"))
    (ended,) = done.events
    assert isinstance(ended, ce.CareInsuranceExclusionEnded)
    assert (ended.start_date, ended.end_date) == (date(2026, 5, 1), date(2026, 11, 30))
    assert ended.facility_name == "架空支援センター"
