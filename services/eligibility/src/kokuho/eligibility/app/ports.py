"""What the handlers need from the outside, inside one transaction (a unit of work)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from kokuho.events.contracts import EventContract
from kokuho.events.contracts.eligibility import PersonalDetailsRecorded
from kokuho.events.contracts.linkage_gateway import FederationDifferenceConfirmed


class Unit(Protocol):
    """One transaction: event streams, forgettable payloads, numbers, read models."""

    async def load(self, stream_id: str) -> list[EventContract]: ...

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[EventContract],
        *,
        publish: bool,
        partition_key: str,
    ) -> None:
        """Append; ``publish`` puts the events on the eligibility topic through the outbox.
        Raises the store's concurrency conflict when the stream moved on."""
        ...

    async def put_payload(self, subject: str, kind: str, data: dict[str, Any]) -> UUID: ...

    async def get_payload(self, payload_id: UUID) -> dict[str, Any] | None: ...

    async def next_household_number(self) -> str: ...

    async def next_insured_number(self) -> str: ...

    async def active_household_of(self, addressee_number: str) -> str | None:
        """The household where the person holds an active qualification, if any."""
        ...

    async def personal_details(self, addressee_number: str) -> PersonalDetailsRecorded | None: ...

    async def record_personal_details(self, record: PersonalDetailsRecorded) -> None:
        """Store the latest details and queue them for the compacted topic."""
        ...

    async def project(self, events: Sequence[EventContract]) -> None:
        """Update the read models with newly appended public or private events."""
        ...

    async def record_special_case_place(
        self, addressee_number: str, kind: str, name: str | None, address: str | None
    ) -> None: ...

    async def qualification_summary(self, addressee_number: str) -> tuple[bool, date | None]:
        """(holds an open qualification, the latest loss date)."""
        ...

    async def forget_payload(self, payload_id: UUID, reason: str) -> None:
        """Erase a forgettable payload (a decided change's request is no longer needed)."""
        ...

    async def erase_person(self, addressee_number: str, reason: str) -> bool:
        """Delete the person's details and publish a tombstone; False when none were held."""
        ...

    async def record_certificate_details(
        self, certificate_id: UUID, details: dict[str, Any]
    ) -> None:
        """Items of a certificate record that stay in eligibility (category, disease name)."""
        ...

    async def latest_period(self, addressee_number: str) -> tuple[str, str, str | None] | None:
        """(household, acquisition reason, loss reason) of the person's latest period."""
        ...

    async def record_federation_review(
        self, event_id: UUID, event: FederationDifferenceConfirmed, change_id: UUID | None
    ) -> None: ...

    async def persons_needing_copayment_rate(self, on: date) -> list[tuple[str, str]]:
        """(addressee, household) of active members aged 70-74 on ``on`` whose rate period
        does not cover it (candidates; the rules decide)."""
        ...

    async def persons_turning_75(self, until: date) -> list[tuple[str, str, date]]:
        """(addressee, household, birth date) of active members whose 75th birthday is on or
        before ``until`` (the job's window)."""
        ...
