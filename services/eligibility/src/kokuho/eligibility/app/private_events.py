"""Events kept inside eligibility (never published): the four-eyes change's lifecycle.

The entered request itself (with names and addresses) is a forgettable payload referenced by
``payload_id``, so erasure never rewrites the event store (architecture section 5)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from kokuho.events.contracts import EventContract


class ChangeEntered(EventContract):
    event_type = "jp.kokuho.eligibility.change_entered.v1"

    change_id: UUID
    kind: str
    nhi_household_number: str
    subjects: list[str]
    entered_by: str
    entered_at: datetime
    payload_id: UUID
    ex_officio: bool = False
    identity_method: str | None = None
    by_proxy: bool | None = None


class ChangeConfirmed(EventContract):
    event_type = "jp.kokuho.eligibility.change_confirmed.v1"

    change_id: UUID
    confirmed_by: str
    confirmed_at: datetime


class ChangeRejected(EventContract):
    event_type = "jp.kokuho.eligibility.change_rejected.v1"

    change_id: UUID
    rejected_by: str
    rejected_at: datetime
    reason_payload_id: UUID
