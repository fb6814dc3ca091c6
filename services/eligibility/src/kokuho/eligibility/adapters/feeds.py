"""What eligibility's public events say to the department feeds it owns (transfers 5, 10, 13 of
the registry; ``kokuho.events.runtime.feeds``, ADR 0089): a person's NHI household and
qualification period. Each feed keeps only the items its registry row allows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import asyncpg

from kokuho.events.contracts import EventContract
from kokuho.events.contracts import eligibility as e
from kokuho.events.runtime.feeds import Facts


def _acquired(event: Any) -> Sequence[Facts]:
    assert isinstance(event, e.QualificationAcquired)
    return [
        Facts(
            event.addressee_number,
            {
                "nhi_household_number": event.nhi_household_number,
                "acquisition_date": event.acquisition_date,
                "loss_date": None,
            },
        )
    ]


def _lost(event: Any) -> Sequence[Facts]:
    assert isinstance(event, e.QualificationLost)
    return [
        Facts(
            event.addressee_number,
            {"nhi_household_number": event.nhi_household_number, "loss_date": event.loss_date},
        )
    ]


def _corrected(event: Any) -> Sequence[Facts]:
    assert isinstance(event, e.QualificationCorrected)
    return [
        Facts(
            event.addressee_number,
            {
                "nhi_household_number": event.nhi_household_number,
                "acquisition_date": event.acquisition_date,
                "loss_date": event.loss_date,
            },
        )
    ]


def _split(event: Any) -> Sequence[Facts]:
    assert isinstance(event, e.HouseholdSplit)
    return [
        Facts(m.addressee_number, {"nhi_household_number": event.new_household_number})
        for m in event.members
    ]


def _merged(event: Any) -> Sequence[Facts]:
    assert isinstance(event, e.HouseholdMerged)
    return [
        Facts(m.addressee_number, {"nhi_household_number": event.into_household_number})
        for m in event.members
    ]


_BY_TYPE: dict[str, Callable[[Any], Sequence[Facts]]] = {
    e.QualificationAcquired.event_type: _acquired,
    e.QualificationLost.event_type: _lost,
    e.QualificationCorrected.event_type: _corrected,
    e.HouseholdSplit.event_type: _split,
    e.HouseholdMerged.event_type: _merged,
}


def eligibility_facts(event: EventContract) -> Sequence[Facts]:
    """The facts of one published event (none for the events no feed cares about)."""
    project = _BY_TYPE.get(event.event_type)
    return project(event) if project is not None else ()


async def insured_now(conn: asyncpg.Connection, after: str, limit: int) -> list[Facts]:
    """The facts of people insured now (an open qualification), by addressee number after
    ``after``: what a feed's initial load states for each (``feeds-initial-load``)."""
    rows = await conn.fetch(
        "SELECT addressee_number, nhi_household_number, acquisition_date, loss_date"
        " FROM qualification_periods WHERE open AND addressee_number > $1"
        " ORDER BY addressee_number LIMIT $2",
        after,
        limit,
    )
    return [
        Facts(
            r["addressee_number"],
            {
                "nhi_household_number": r["nhi_household_number"],
                "acquisition_date": r["acquisition_date"],
                "loss_date": r["loss_date"],
            },
        )
        for r in rows
    ]
