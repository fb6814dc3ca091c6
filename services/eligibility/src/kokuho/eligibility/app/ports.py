"""What the use cases need from the outside: the unit of work (one transaction: the event store,
small repositories, the audit trail) and the service's own ports (legal figures, clock).

``adapters/unit_of_work.py`` implements ``EligibilityUnitPort`` on PostgreSQL and
``adapters/memory.py`` in memory; both pass ``tests/integration/test_unit_contract.py``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Protocol
from uuid import UUID

from kokuho.eligibility.app.register_ports import RegisterPort
from kokuho.eligibility.domain.erasure import ErasureRequest
from kokuho.eligibility.domain.rules import QualificationRules
from kokuho.events.contracts import EventContract
from kokuho.events.contracts import eligibility as ce
from kokuho.events.contracts.eligibility import PersonalDetailsRecorded
from kokuho.events.contracts.linkage_gateway import FederationDifferenceConfirmed
from kokuho.events.ports import EventStore
from kokuho.platform.erasure_records import ErasureRecord
from kokuho.platform.unit_of_work import UnitOfWorkPort

JST = timezone(timedelta(hours=9), "JST")  # Japan has no daylight saving time


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Eligibility:
    """The service's own ports: the legal figures (parameter files) and the clock."""

    rules: QualificationRules
    clock: Callable[[], datetime] = field(default=utc_now)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.now().astimezone(JST).date()


@dataclass(frozen=True)
class Topics:
    """Where the unit publishes (settings.events_topic; tests point them at their own)."""

    events: str = ce.EVENTS_TOPIC
    personal_details: str = ce.PERSONAL_DETAILS_TOPIC


class PayloadsPort(Protocol):
    """Forgettable payloads: a pending change's request, a rejection's reason."""

    async def put(self, subject: str, kind: str, data: dict[str, Any]) -> UUID: ...

    async def get(self, payload_id: UUID) -> dict[str, Any] | None: ...

    async def forget(self, payload_id: UUID, reason: str) -> None:
        """Erase one payload (a decided change's request is no longer needed)."""
        ...

    async def erase_subject(self, subject: str, reason: str) -> int: ...


class NumbersPort(Protocol):
    async def next_household_number(self) -> str: ...

    async def next_insured_number(self) -> str: ...


class PersonsPort(Protocol):
    """Personal details (基本5情報) and the compacted personal-details topic."""

    async def details(self, addressee_number: str) -> PersonalDetailsRecorded | None: ...

    async def record(self, record: PersonalDetailsRecorded) -> None:
        """Store the latest details and queue them for the compacted topic."""
        ...

    async def erase(self, addressee_number: str, reason: str) -> bool:
        """Delete the details (and facility places, payloads) and publish a tombstone; False
        when none were held."""
        ...


class QualificationsPort(Protocol):
    """Lookups in the qualification periods read model."""

    async def active_household_of(self, addressee_number: str) -> str | None: ...

    async def summary(self, addressee_number: str) -> tuple[bool, date | None]:
        """(holds an open qualification, the latest loss date)."""
        ...

    async def latest_period(self, addressee_number: str) -> tuple[str, str, str | None] | None:
        """(household, acquisition reason, loss reason) of the person's latest period."""
        ...

    async def headed_household(self, addressee_number: str) -> str | None:
        """The household the person heads (a deemed householder too) while it has insured
        members, else None."""
        ...

    async def needing_copayment_rate(self, on: date) -> list[tuple[str, str]]:
        """(addressee, household) of active members aged 70-74 on ``on`` whose rate period
        does not cover it (candidates; the rules decide)."""
        ...

    async def turning_75(self, until: date) -> list[tuple[str, str, date]]:
        """(addressee, household, birth date) of active members whose 75th birthday is on or
        before ``until``."""
        ...


class ErasuresPort(Protocol):
    """Erasure requests awaiting a second supervisor, and the record of decided ones."""

    async def pending(self, addressee_number: str) -> ErasureRequest | None:
        """The person's pending request (locked for the rest of the transaction)."""
        ...

    async def save(self, request: ErasureRequest) -> None: ...

    async def held(self) -> list[str]:
        """Addressee numbers whose personal details are still held."""
        ...

    async def record(self, records: list[ErasureRecord]) -> None:
        """Write erasure records (C-96); one already written is kept as it was (listed by
        ``kokuho.platform.erasure_routes``)."""
        ...


class RecordsPort(Protocol):
    """Items that stay in eligibility beside the events."""

    async def special_case_place(
        self, addressee_number: str, kind: str, name: str | None, address: str | None
    ) -> None: ...

    async def certificate_details(self, certificate_id: UUID, details: dict[str, Any]) -> None:
        """A certificate record's own items (category, disease name: never in an event)."""
        ...

    async def federation_review(
        self, event_id: UUID, event: FederationDifferenceConfirmed, change_id: UUID | None
    ) -> None: ...

    async def seeded(self, name: str, *, lock: bool = False) -> int | None:
        """Households of the demo seed ``name`` (None: not seeded); ``lock`` serialises
        seeders for the rest of the transaction."""
        ...

    async def record_seed(self, name: str, households: int) -> None: ...


class ReadModelsPort(Protocol):
    async def project(self, events: Sequence[EventContract]) -> None:
        """Update the read models with newly appended public or private events."""
        ...


class EligibilityUnitPort(UnitOfWorkPort, Protocol):
    """One transaction of the eligibility service, entered by the use case itself."""

    @property
    def topics(self) -> Topics: ...

    @property
    def events(self) -> EventStore: ...

    @property
    def payloads(self) -> PayloadsPort: ...

    @property
    def numbers(self) -> NumbersPort: ...

    @property
    def persons(self) -> PersonsPort: ...

    @property
    def qualifications(self) -> QualificationsPort: ...

    @property
    def records(self) -> RecordsPort: ...

    @property
    def erasures(self) -> ErasuresPort: ...

    @property
    def read_models(self) -> ReadModelsPort: ...

    @property
    def register(self) -> RegisterPort:
        """The resident-register intake's records and lists (ADR 0015)."""
        ...


#: A fresh unit on the service's pool (jobs, commands: each person one transaction).
Units = Callable[[], EligibilityUnitPort]


class ViewsPort(Protocol):
    """The API's reads of the read models (no event replay on the read path)."""

    async def person(self, addressee_number: str) -> dict[str, Any] | None: ...

    async def search_persons(
        self, name_kana: str | None, limit: int, after: str | None
    ) -> list[dict[str, Any]]: ...

    async def household(self, number: str, as_of: date | None) -> dict[str, Any] | None: ...

    async def household_history(self, number: str) -> list[dict[str, Any]]: ...

    async def change(self, change_id: UUID) -> dict[str, Any] | None: ...

    async def pending_changes(self, limit: int, after: str | None) -> list[dict[str, Any]]: ...

    async def certificate(self, certificate_id: UUID) -> dict[str, Any] | None: ...

    async def federation_reviews(self, limit: int, after: str | None) -> list[dict[str, Any]]: ...


class ReadUnitPort(UnitOfWorkPort, Protocol):
    """A unit the reads run in (the PostgreSQL unit and its in-memory twin)."""

    @property
    def views(self) -> ViewsPort: ...
