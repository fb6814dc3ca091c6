"""What the resident-register intake needs from the unit of work (``uow.register``): the
record of each change taken in, the work and review lists, and how far the feed was read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol
from uuid import UUID

Outcome = Literal["pending-change", "work-item", "review", "already-so"]
ListName = Literal["work", "review"]


@dataclass(frozen=True)
class IntakeRecord:
    register_change_id: str
    digest: str
    source: str
    kind: str
    addressee_number: str
    fact_date: date
    notified_date: date
    outcome: Outcome
    change_id: UUID | None = None


@dataclass(frozen=True)
class Item:
    """A work-list item (``due_date``) or a review (``reason_code``, ``reason``)."""

    item_id: UUID
    list: ListName
    nhi_household_number: str | None = None
    due_date: date | None = None
    reason_code: str | None = None
    reason: str | None = None
    payload_id: UUID | None = None


class RegisterPort(Protocol):
    async def digest_of(self, register_change_id: str) -> str | None:
        """The digest of the change taken in under this id (None: never taken in)."""
        ...

    async def take(self, record: IntakeRecord, item: Item | None) -> None: ...

    async def pending_change(self, addressee_number: str, kind: str) -> UUID | None:
        """A change of this kind for this person that the register entered and no clerk has
        decided yet (another one is not entered beside it)."""
        ...

    async def intake(self, register_change_id: str) -> dict[str, Any] | None:
        """What became of one change, with the status of its pending change."""
        ...

    async def items(
        self, list_name: str, open_only: bool, limit: int, after: int | None
    ) -> list[dict[str, Any]]: ...

    async def item(self, item_id: UUID, *, lock: bool = False) -> dict[str, Any] | None: ...

    async def close(self, item_id: UUID, resolution: str, by: str, at: datetime) -> None: ...

    async def last_sequence(self, feed: str) -> int: ...

    async def advance(self, feed: str, sequence: int) -> None: ...
