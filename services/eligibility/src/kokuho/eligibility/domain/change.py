"""The four-eyes change (C-11): a change entered by one clerk takes effect only when a
different clerk confirms it against the form. One stream per change id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from kokuho.eligibility.domain import errors as e
from kokuho.platform.staff import same_person


@dataclass(frozen=True)
class ChangeEntered:
    change_id: str
    kind: str
    nhi_household_number: str
    subjects: tuple[str, ...]
    entered_by: str
    entered_at: datetime
    ex_officio_reason: str | None = None


@dataclass(frozen=True)
class ChangeConfirmed:
    change_id: str
    confirmed_by: str
    confirmed_at: datetime


@dataclass(frozen=True)
class ChangeRejected:
    change_id: str
    rejected_by: str
    rejected_at: datetime
    reason: str


ChangeEvent = ChangeEntered | ChangeConfirmed | ChangeRejected


@dataclass(frozen=True)
class EnterChange:
    change_id: str
    kind: str
    nhi_household_number: str
    subjects: tuple[str, ...]
    user_id: str
    at: datetime
    ex_officio_reason: str | None = None


@dataclass(frozen=True)
class ConfirmChange:
    user_id: str
    at: datetime


@dataclass(frozen=True)
class RejectChange:
    user_id: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class Change:
    change_id: str
    status: str = "new"  # new -> pending -> confirmed | rejected
    kind: str = ""
    nhi_household_number: str = ""
    subjects: tuple[str, ...] = ()
    entered_by: str = ""
    confirmed_by: str | None = None
    ex_officio_reason: str | None = None


ChangeCommand = EnterChange | ConfirmChange | RejectChange


def decide_change(state: Change, command: ChangeCommand) -> list[ChangeEvent]:
    decider: Callable[[Change, Any], list[ChangeEvent]] = _DECIDERS[type(command)]
    return decider(state, command)


def _enter(state: Change, command: EnterChange) -> list[ChangeEvent]:
    if state.status != "new":
        raise e.ChangeNotPending(state.change_id, state.status)
    return [
        ChangeEntered(
            command.change_id,
            command.kind,
            command.nhi_household_number,
            command.subjects,
            command.user_id,
            command.at,
            command.ex_officio_reason,
        )
    ]


def _check_second_clerk(state: Change, user_id: str) -> None:
    """Only a pending change is decided, and by another person than the one who entered it."""
    if state.status != "pending":
        raise e.ChangeNotPending(state.change_id, state.status)
    if same_person(user_id, state.entered_by):
        raise e.SelfConfirmationRefused(state.change_id, user_id)


def _confirm(state: Change, command: ConfirmChange) -> list[ChangeEvent]:
    _check_second_clerk(state, command.user_id)
    return [ChangeConfirmed(state.change_id, command.user_id, command.at)]


def _reject(state: Change, command: RejectChange) -> list[ChangeEvent]:
    _check_second_clerk(state, command.user_id)
    if not command.reason.strip():
        raise e.CorrectionReasonMissing()
    return [ChangeRejected(state.change_id, command.user_id, command.at, command.reason)]


_DECIDERS: dict[type[ChangeCommand], Callable[[Change, Any], list[ChangeEvent]]] = {
    EnterChange: _enter,
    ConfirmChange: _confirm,
    RejectChange: _reject,
}


def evolve_change(state: Change, event: ChangeEvent) -> Change:
    evolver = _EVOLVERS.get(type(event))
    return state if evolver is None else evolver(state, event)


def _entered(state: Change, event: ChangeEntered) -> Change:
    return replace(
        state,
        status="pending",
        kind=event.kind,
        nhi_household_number=event.nhi_household_number,
        subjects=event.subjects,
        entered_by=event.entered_by,
        ex_officio_reason=event.ex_officio_reason,
    )


def _confirmed(state: Change, event: ChangeConfirmed) -> Change:
    return replace(state, status="confirmed", confirmed_by=event.confirmed_by)


def _rejected(state: Change, event: ChangeRejected) -> Change:
    return replace(state, status="rejected")


_EVOLVERS: dict[type[ChangeEvent], Callable[[Change, Any], Change]] = {
    ChangeEntered: _entered,
    ChangeConfirmed: _confirmed,
    ChangeRejected: _rejected,
}
