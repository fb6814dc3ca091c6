"""A case (案件), opened for a person on a day: the aggregate of collection.

``decide(state, command)`` returns the events a command causes, or raises the rule it breaks;
``evolve(state, event)`` applies one event. Both dispatch through tables keyed by type. Replace
the case with the service's own aggregates; keep this shape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from kokuho.collection.domain.errors import CaseAlreadyOpened, CaseOpenedInTheFuture


@dataclass(frozen=True)
class Case:
    case_id: UUID
    addressee_number: str
    opened_on: date
    opened_by: str


# --- commands -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenCase:
    case_id: UUID
    addressee_number: str
    opened_on: date
    opened_by: str
    today: date


Command = OpenCase


# --- events ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseOpened:
    case_id: UUID
    addressee_number: str
    opened_on: date
    opened_by: str


Event = CaseOpened


# --- decide ---------------------------------------------------------------------------------


def _open(state: Case | None, command: OpenCase) -> list[Event]:
    if state is not None:
        raise CaseAlreadyOpened(f"case {command.case_id} is already open")
    if command.opened_on > command.today:
        raise CaseOpenedInTheFuture(
            f"case {command.case_id}: opened on {command.opened_on}, after today {command.today}"
        )
    return [
        CaseOpened(command.case_id, command.addressee_number, command.opened_on, command.opened_by)
    ]


DECIDERS: dict[type[Any], Callable[[Case | None, Any], list[Event]]] = {OpenCase: _open}


def decide(state: Case | None, command: Command) -> list[Event]:
    try:
        decider = DECIDERS[type(command)]
    except KeyError:
        raise TypeError(f"no rule decides {type(command).__name__}") from None
    return decider(state, command)


# --- evolve ---------------------------------------------------------------------------------


def _opened(state: Case | None, event: CaseOpened) -> Case:
    return Case(event.case_id, event.addressee_number, event.opened_on, event.opened_by)


EVOLVERS: dict[type[Any], Callable[[Case | None, Any], Case]] = {CaseOpened: _opened}


def evolve(state: Case | None, event: Event) -> Case:
    try:
        evolver = EVOLVERS[type(event)]
    except KeyError:
        raise TypeError(f"no rule applies {type(event).__name__}") from None
    return evolver(state, event)


def replay(events: Sequence[Event], state: Case | None = None) -> Case | None:
    for event in events:
        state = evolve(state, event)
    return state
