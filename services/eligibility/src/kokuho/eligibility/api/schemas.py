"""Response bodies."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel

from kokuho.eligibility.app.service import Outcome, describe


class EventOut(BaseModel):
    type: str
    data: dict[str, Any]


class ChangeOut(BaseModel):
    change_id: UUID
    kind: str
    status: str
    nhi_household_number: str
    subjects: list[str]
    entered_by: str
    confirmed_by: str | None
    events: list[EventOut]

    @classmethod
    def of(cls, outcome: Outcome) -> ChangeOut:
        return cls(
            change_id=outcome.change_id,
            kind=outcome.kind,
            status=outcome.status,
            nhi_household_number=outcome.nhi_household_number,
            subjects=list(outcome.subjects),
            entered_by=outcome.entered_by,
            confirmed_by=outcome.confirmed_by,
            events=[EventOut(**x) for x in describe(outcome.events)],
        )


class Page(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None


class JobOut(BaseModel):
    as_of: str
    candidates: int
    processed: int
    failed: list[dict[str, str]]
