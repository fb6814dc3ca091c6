"""Property: whatever sequence of acquisitions and losses a counter enters, the household never
holds a person twice, never loses what it does not hold, and never ends a period before it
starts; every refusal is a named domain error."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household import (
    ACQUISITION_REASONS,
    LOSS_REASONS,
    decide,
    evolve,
    initial,
)
from kokuho.eligibility.parameters import load_rules

RULES = load_rules()
TODAY = date(2026, 11, 26)
PEOPLE = ["1000000001", "1000000002", "1000000003"]
START = date(2020, 1, 1)

operation = st.tuples(
    st.sampled_from(["acquire", "lose"]),
    st.sampled_from(PEOPLE[1:]),
    st.sampled_from(sorted(ACQUISITION_REASONS - {"other", "birth"})),
    st.sampled_from(sorted(LOSS_REASONS - {"other", "turned_75"})),
    st.integers(min_value=0, max_value=2500),  # fact: days after START
    st.integers(min_value=0, max_value=40),  # notification delay
)


@settings(max_examples=150, deadline=None)
@given(st.lists(operation, max_size=25))
def test_sequences_keep_the_household_consistent(
    ops: list[tuple[str, str, str, str, int, int]],
) -> None:
    head = c.AcquireQualification(
        PEOPLE[0], "30000001", "moved_in", START, START, date(1980, 1, 1), "householder", TODAY
    )
    state = initial("2000000001")
    for event in decide(state, c.RegisterHousehold("2000000001", PEOPLE[0], (head,)), RULES):
        state = evolve(state, event)
    for kind, who, acquire_reason, loss_reason, offset, delay in ops:
        fact = START + timedelta(days=offset)
        notified = min(fact + timedelta(days=delay), TODAY)
        command: c.Command
        if kind == "acquire":
            command = c.AcquireQualification(
                who, "30000009", acquire_reason, fact, notified, date(1990, 1, 1), "child", TODAY
            )
        else:
            command = c.LoseQualification(who, loss_reason, fact, notified, TODAY)
        before = state.members.get(who)
        try:
            events = decide(state, command, RULES)
        except e.EligibilityRuleBroken:
            continue
        for event in events:
            state = evolve(state, event)
        after = state.members[who]
        if kind == "acquire":
            assert before is None or not before.active
            assert after.active
        else:
            assert before is not None
            assert before.active
            assert not after.active
            assert after.loss_date is not None
            assert after.loss_date >= after.acquisition_date
        assert any(isinstance(x, ev.HouseholdCompositionChanged) for x in events)
    for member in state.members.values():
        if member.loss_date is not None:
            assert member.loss_date >= member.acquisition_date
    assert len({m.branch_number for m in state.members.values()}) == len(state.members)
