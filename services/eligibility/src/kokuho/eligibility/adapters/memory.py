"""The in-memory twin of ``EligibilityUnit`` for unit tests of the use cases: the same
repositories, read models (``memory_tables.py``) and views (``memory_views.py``) kept in
dicts, passing the same contract tests as the PostgreSQL ones
(``tests/integration/test_unit_contract.py``). ``events.outbox`` shows what would go to Kafka."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from kokuho.eligibility.adapters.erasures import MemoryErasures
from kokuho.eligibility.adapters.memory_tables import (
    PERSON_COLUMNS,
    MemoryProjection,
    MemoryTables,
    Row,
)
from kokuho.eligibility.adapters.memory_views import MemoryViews
from kokuho.eligibility.adapters.register_store import MemoryRegister
from kokuho.eligibility.adapters.repositories import SOURCE, personal_details_envelope
from kokuho.eligibility.app.ports import Topics
from kokuho.events.contracts import eligibility as ce
from kokuho.events.contracts.linkage_gateway import FederationDifferenceConfirmed
from kokuho.events.testing.fakes import InMemoryEventStore
from kokuho.platform.unit_of_work import InMemoryUnitOfWork


def years_before(day: date, years: int) -> date:
    """``day - interval 'N years'`` as PostgreSQL computes it (29 February -> 28 February)."""
    year = day.year - years
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


class MemoryPayloads:
    def __init__(self) -> None:
        self.data: dict[UUID, dict[str, Any] | None] = {}
        self.subjects: dict[UUID, str] = {}

    async def put(self, subject: str, kind: str, data: dict[str, Any]) -> UUID:
        payload_id = uuid4()
        self.data[payload_id] = data
        self.subjects[payload_id] = subject
        return payload_id

    async def get(self, payload_id: UUID) -> dict[str, Any] | None:
        return self.data.get(payload_id)

    async def forget(self, payload_id: UUID, reason: str) -> None:
        if payload_id in self.data:
            self.data[payload_id] = None

    async def erase_subject(self, subject: str, reason: str) -> int:
        erased = [
            p for p, s in self.subjects.items() if s == subject and self.data.get(p) is not None
        ]
        for payload_id in erased:
            self.data[payload_id] = None
        return len(erased)


class MemoryNumbers:
    def __init__(self) -> None:
        self._households = 2_000_000_000
        self._insured = 30_000_000

    async def next_household_number(self) -> str:
        self._households += 1
        return f"{self._households:010d}"

    async def next_insured_number(self) -> str:
        self._insured += 1
        return f"{self._insured:08d}"


class MemoryRecords:
    def __init__(self, tables: MemoryTables) -> None:
        self.t = tables
        self.seeds: dict[str, int] = {}

    async def special_case_place(
        self, addressee_number: str, kind: str, name: str | None, address: str | None
    ) -> None:
        for case in self.t.special_cases:
            if (case["addressee_number"], case["kind"]) == (addressee_number, kind) and case[
                "end_date"
            ] is None:
                case.update(facility_name=name, facility_address=address)

    async def certificate_details(self, certificate_id: UUID, details: dict[str, Any]) -> None:
        row = self.t.certificates.get(certificate_id)
        if row is not None:
            row.update(details)

    async def federation_review(
        self, event_id: UUID, event: FederationDifferenceConfirmed, change_id: UUID | None
    ) -> None:
        self.t.reviews.setdefault(
            event_id,
            {
                "event_id": event_id,
                **event.model_dump(
                    include={
                        "addressee_number",
                        "insured_number",
                        "kind",
                        "federation_acquisition_date",
                        "federation_loss_date",
                        "file_date",
                        "confirmed_by",
                    }
                ),
                "change_id": change_id,
                "received_at": datetime.now(UTC),
            },
        )

    async def seeded(self, name: str, *, lock: bool = False) -> int | None:
        return self.seeds.get(name)

    async def record_seed(self, name: str, households: int) -> None:
        self.seeds[name] = households


class MemoryPersons:
    def __init__(
        self,
        tables: MemoryTables,
        store: InMemoryEventStore,
        payloads: MemoryPayloads,
        topics: Topics,
    ) -> None:
        self.t = tables
        self._store = store
        self._payloads = payloads
        self._topics = topics

    @property
    def held(self) -> dict[str, ce.PersonalDetailsRecorded]:
        return {n: ce.PersonalDetailsRecorded(**row) for n, row in self.t.persons.items()}

    async def details(self, addressee_number: str) -> ce.PersonalDetailsRecorded | None:
        row = self.t.persons.get(addressee_number)
        return ce.PersonalDetailsRecorded(**row) if row is not None else None

    async def record(self, record: ce.PersonalDetailsRecorded) -> None:
        self.t.persons[record.addressee_number] = {c: getattr(record, c) for c in PERSON_COLUMNS}
        envelope = personal_details_envelope(record, datetime.now(UTC))
        await self._store.put_latest(
            self._topics.personal_details, record.addressee_number, envelope
        )

    async def erase(self, addressee_number: str, reason: str) -> bool:
        found = self.t.persons.pop(addressee_number, None)
        for case in self.t.special_cases:
            if case["addressee_number"] == addressee_number:
                case.update(facility_name=None, facility_address=None)
        await self._payloads.erase_subject(addressee_number, reason)
        await self._store.put_latest(self._topics.personal_details, addressee_number, None)
        return found is not None


class MemoryQualifications:
    def __init__(self, tables: MemoryTables) -> None:
        self.t = tables

    def _own(self, addressee_number: str) -> list[Row]:
        return [p for p in self.t.periods if p["addressee_number"] == addressee_number]

    async def active_household_of(self, addressee_number: str) -> str | None:
        found = self.t.open_period(addressee_number)
        return found["nhi_household_number"] if found else None

    async def summary(self, addressee_number: str) -> tuple[bool, date | None]:
        own = self._own(addressee_number)
        losses = [p["loss_date"] for p in own if p["loss_date"] is not None]
        return any(p["open"] for p in own), max(losses) if losses else None

    async def latest_period(self, addressee_number: str) -> tuple[str, str, str | None] | None:
        own = self._own(addressee_number)
        if not own:
            return None
        latest = self.t.open_period(addressee_number) or own[-1]
        return latest["nhi_household_number"], latest["acquisition_reason"], latest["loss_reason"]

    async def headed_household(self, addressee_number: str) -> str | None:
        for number, household in sorted(self.t.households.items()):
            if household["householder_addressee_number"] == addressee_number and any(
                p["open"] and p["nhi_household_number"] == number for p in self.t.periods
            ):
                return number
        return None

    def _open_by_household(self) -> list[Row]:
        """Open periods in the order the jobs take them (household, addressee)."""
        rows = [p for p in self.t.periods if p["open"]]
        return sorted(rows, key=lambda p: (p["nhi_household_number"], p["addressee_number"]))

    async def needing_copayment_rate(self, on: date) -> list[tuple[str, str]]:
        return [
            (p["addressee_number"], p["nhi_household_number"])
            for p in self._open_by_household()
            if years_before(on, 75) < p["birth_date"] <= years_before(on, 70)
            and (p["copayment_until"] is None or p["copayment_until"] < on)
        ]

    async def turning_75(self, until: date) -> list[tuple[str, str, date]]:
        return [
            (p["addressee_number"], p["nhi_household_number"], p["birth_date"])
            for p in self._open_by_household()
            if p["birth_date"] <= years_before(until, 75)
        ]


class InMemoryEligibilityUnit(InMemoryUnitOfWork):
    """Implements ``app.ports.EligibilityUnitPort`` and ``ReadUnitPort`` in memory."""

    def __init__(self, topics: Topics | None = None) -> None:
        super().__init__()
        self.topics = topics or Topics()
        self.tables = MemoryTables()
        self.events = InMemoryEventStore(source=SOURCE)
        self.payloads = MemoryPayloads()
        self.numbers = MemoryNumbers()
        self.records = MemoryRecords(self.tables)
        self.erasures = MemoryErasures(self.tables.persons)
        self.persons = MemoryPersons(self.tables, self.events, self.payloads, self.topics)
        self.qualifications = MemoryQualifications(self.tables)
        self.read_models = MemoryProjection(self.tables)
        self.views = MemoryViews(self.tables, self.events)
        self.register = MemoryRegister(
            lambda change_id: self.tables.changes.get(change_id, {}).get("status")
        )
