"""The household's composition (世帯構成): who is insured in it, who heads it, who is a
specified member. A decision that changes it ends with ``HouseholdCompositionChanged``."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household.evolve import evolve
from kokuho.eligibility.domain.household.state import Household


def composition(state: Household, effective_date: date) -> ev.HouseholdCompositionChanged:
    members = tuple(
        ev.HouseholdMember(
            m.addressee_number,
            m.insured_number,
            m.birth_date,
            m.relationship,
            m.acquisition_date,
            m.former_dependant,
        )
        for m in sorted(state.active_members, key=lambda m: m.branch_number)
    )
    return ev.HouseholdCompositionChanged(
        nhi_household_number=state.nhi_household_number,
        effective_date=effective_date,
        householder_addressee_number=state.householder_addressee_number,
        deemed_householder=state.deemed_householder,
        members=members,
        specified_same_household_members=tuple(sorted(state.specified_same_household)),
        dissolved=not members,
    )


def _effective_date_of(event: ev.Event) -> date | None:
    for name in ("effective_date", "acquisition_date", "loss_date", "since"):
        value = getattr(event, name, None)
        if isinstance(value, date):
            return value
    return None


def with_composition(state: Household, events: list[ev.Event]) -> list[ev.Event]:
    """``events``, followed by the new composition when they change it (always for a household
    being registered), dated by the latest effective date among them."""
    after = state
    for event in events:
        after = evolve(after, event)
    before = composition(state, date.min)
    now = composition(after, date.min)
    if state.registered and before == now:
        return events
    dates = [d for d in map(_effective_date_of, events) if d is not None]
    return [*events, replace(now, effective_date=max(dates) if dates else date.min)]
