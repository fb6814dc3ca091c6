"""The four-eyes change (C-11): a change entered by one clerk takes effect only when a
different clerk confirms it against the form. One stream per change id."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from kokuho.eligibility.domain import errors as e


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


def decide_change(
    state: Change, command: EnterChange | ConfirmChange | RejectChange
) -> list[ChangeEvent]:
    if isinstance(command, EnterChange):
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
    if state.status != "pending":
        raise e.ChangeNotPending(state.change_id, state.status)
    if command.user_id == state.entered_by:
        raise e.SelfConfirmationRefused(state.change_id, command.user_id)
    if isinstance(command, ConfirmChange):
        return [ChangeConfirmed(state.change_id, command.user_id, command.at)]
    if not command.reason.strip():
        raise e.CorrectionReasonMissing()
    return [ChangeRejected(state.change_id, command.user_id, command.at, command.reason)]


def evolve_change(state: Change, event: ChangeEvent) -> Change:
    match event:
        case ChangeEntered():
            return replace(
                state,
                status="pending",
                kind=event.kind,
                nhi_household_number=event.nhi_household_number,
                subjects=event.subjects,
                entered_by=event.entered_by,
                ex_officio_reason=event.ex_officio_reason,
            )
        case ChangeConfirmed():
            return replace(state, status="confirmed", confirmed_by=event.confirmed_by)
        case ChangeRejected():
            return replace(state, status="rejected")
    return state  # pragma: no cover
