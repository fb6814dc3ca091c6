"""The in-memory twin of ``EligibilityUnit`` for unit tests of the use cases: the same
repositories kept in dicts, passing the same contract tests as the PostgreSQL ones
(``tests/integration/test_unit_contract.py``). ``events.outbox`` shows what would go to Kafka."""

from __future__ import annotations

import calendar
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from kokuho.eligibility.adapters.repositories import SOURCE, personal_details_envelope
from kokuho.eligibility.app.errors import ConcurrentChange
from kokuho.eligibility.app.ports import Topics
from kokuho.events.contracts import EventContract
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


@dataclass
class Period:
    """One row of the qualification periods read model."""

    addressee_number: str
    household: str
    birth_date: date
    acquisition_reason: str
    loss_date: date | None = None
    loss_reason: str | None = None
    open: bool = True
    copayment_until: date | None = None


@dataclass
class MemoryRecords:
    places: dict[tuple[str, str], tuple[str | None, str | None]] = field(default_factory=dict)
    certificates: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    reviews: dict[UUID, tuple[FederationDifferenceConfirmed, UUID | None]] = field(
        default_factory=dict
    )
    seeds: dict[str, int] = field(default_factory=dict)

    async def special_case_place(
        self, addressee_number: str, kind: str, name: str | None, address: str | None
    ) -> None:
        self.places[(addressee_number, kind)] = (name, address)

    async def certificate_details(self, certificate_id: UUID, details: dict[str, Any]) -> None:
        self.certificates[certificate_id] = details

    async def federation_review(
        self, event_id: UUID, event: FederationDifferenceConfirmed, change_id: UUID | None
    ) -> None:
        self.reviews.setdefault(event_id, (event, change_id))

    async def seeded(self, name: str, *, lock: bool = False) -> int | None:
        return self.seeds.get(name)

    async def record_seed(self, name: str, households: int) -> None:
        self.seeds[name] = households


class MemoryPersons:
    def __init__(
        self,
        store: InMemoryEventStore,
        payloads: MemoryPayloads,
        records: MemoryRecords,
        topics: Topics,
    ) -> None:
        self.held: dict[str, ce.PersonalDetailsRecorded] = {}
        self._store = store
        self._payloads = payloads
        self._records = records
        self._topics = topics

    async def details(self, addressee_number: str) -> ce.PersonalDetailsRecorded | None:
        return self.held.get(addressee_number)

    async def record(self, record: ce.PersonalDetailsRecorded) -> None:
        self.held[record.addressee_number] = record
        envelope = personal_details_envelope(record, datetime.now(UTC))
        await self._store.put_latest(
            self._topics.personal_details, record.addressee_number, envelope
        )

    async def erase(self, addressee_number: str, reason: str) -> bool:
        found = self.held.pop(addressee_number, None)
        for key in [k for k in self._records.places if k[0] == addressee_number]:
            self._records.places[key] = (None, None)
        await self._payloads.erase_subject(addressee_number, reason)
        await self._store.put_latest(self._topics.personal_details, addressee_number, None)
        return found is not None


class MemoryQualifications:
    def __init__(self) -> None:
        self.periods: list[Period] = []

    def open_period(self, addressee_number: str, household: str | None = None) -> Period | None:
        for period in self.periods:
            if (
                period.addressee_number == addressee_number
                and period.open
                and (household is None or period.household == household)
            ):
                return period
        return None

    async def active_household_of(self, addressee_number: str) -> str | None:
        found = self.open_period(addressee_number)
        return found.household if found else None

    async def summary(self, addressee_number: str) -> tuple[bool, date | None]:
        own = [p for p in self.periods if p.addressee_number == addressee_number]
        losses = [p.loss_date for p in own if p.loss_date is not None]
        return any(p.open for p in own), max(losses) if losses else None

    async def latest_period(self, addressee_number: str) -> tuple[str, str, str | None] | None:
        own = [p for p in self.periods if p.addressee_number == addressee_number]
        if not own:
            return None
        latest = self.open_period(addressee_number) or own[-1]
        return latest.household, latest.acquisition_reason, latest.loss_reason

    async def needing_copayment_rate(self, on: date) -> list[tuple[str, str]]:
        return sorted(
            (p.addressee_number, p.household)
            for p in self.periods
            if p.open
            and years_before(on, 75) < p.birth_date <= years_before(on, 70)
            and (p.copayment_until is None or p.copayment_until < on)
        )

    async def turning_75(self, until: date) -> list[tuple[str, str, date]]:
        return [
            (p.addressee_number, p.household, p.birth_date)
            for p in sorted(self.periods, key=lambda p: (p.household, p.addressee_number))
            if p.open and p.birth_date <= years_before(until, 75)
        ]


class MemoryReadModels:
    """The projections the in-memory repositories need (qualification periods)."""

    def __init__(self, qualifications: MemoryQualifications) -> None:
        self._q = qualifications
        self._table: dict[type[EventContract], Callable[[Any], Awaitable[None]]] = {
            ce.QualificationAcquired: self._acquired,
            ce.QualificationLost: self._lost,
            ce.QualificationCorrected: self._corrected,
            ce.CopaymentRateDetermined: self._copayment,
            ce.HouseholdSplit: self._moved,
            ce.HouseholdMerged: self._moved,
        }

    async def project(self, events: Sequence[EventContract]) -> None:
        for event in events:
            projection = self._table.get(type(event))
            if projection is not None:
                await projection(event)

    async def _acquired(self, x: ce.QualificationAcquired) -> None:
        if self._q.open_period(x.addressee_number) is not None:
            raise ConcurrentChange("another change to the same person was saved first")
        self._q.periods.append(
            Period(x.addressee_number, x.nhi_household_number, x.birth_date, x.acquisition_reason)
        )

    async def _lost(self, x: ce.QualificationLost) -> None:
        period = self._q.open_period(x.addressee_number, x.nhi_household_number)
        if period is not None:
            period.loss_date, period.loss_reason, period.open = x.loss_date, x.loss_reason, False

    async def _corrected(self, x: ce.QualificationCorrected) -> None:
        own = [
            p
            for p in self._q.periods
            if p.addressee_number == x.addressee_number and p.household == x.nhi_household_number
        ]
        if own:
            latest = own[-1]
            latest.acquisition_reason = x.acquisition_reason
            latest.loss_date, latest.loss_reason = x.loss_date, x.loss_reason
            latest.open = x.loss_date is None

    async def _copayment(self, x: ce.CopaymentRateDetermined) -> None:
        period = self._q.open_period(x.addressee_number, x.nhi_household_number)
        if period is not None:
            period.copayment_until = x.valid_until

    async def _moved(self, x: ce.HouseholdSplit | ce.HouseholdMerged) -> None:
        if isinstance(x, ce.HouseholdSplit):
            source, target, why = x.from_household_number, x.new_household_number, "split"
        else:
            source, target, why = x.absorbed_household_number, x.into_household_number, "merged"
        for m in x.members:
            old = self._q.open_period(m.addressee_number, source)
            if old is None:
                continue
            old.loss_date, old.loss_reason, old.open = (
                x.effective_date,
                f"household_{why}_out",
                False,
            )
            self._q.periods.append(
                Period(
                    m.addressee_number,
                    target,
                    old.birth_date,
                    f"household_{why}_in",
                    copayment_until=old.copayment_until,
                )
            )


class InMemoryEligibilityUnit(InMemoryUnitOfWork):
    """Implements ``app.ports.EligibilityUnitPort`` in memory (no views: reads are tested on
    PostgreSQL)."""

    def __init__(self, topics: Topics | None = None) -> None:
        super().__init__()
        self.topics = topics or Topics()
        self.events = InMemoryEventStore(source=SOURCE)
        self.payloads = MemoryPayloads()
        self.numbers = MemoryNumbers()
        self.records = MemoryRecords()
        self.persons = MemoryPersons(self.events, self.payloads, self.records, self.topics)
        self.qualifications = MemoryQualifications()
        self.read_models = MemoryReadModels(self.qualifications)
