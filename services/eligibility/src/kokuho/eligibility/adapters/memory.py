"""An in-memory unit of work for unit tests of the handlers (the fake of ``app.ports.Unit``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from kokuho.eligibility.domain.rules import QualificationRules, anniversary
from kokuho.events.contracts import Envelope, EventContract, parse_data
from kokuho.events.contracts import eligibility as ce
from kokuho.events.contracts.linkage_gateway import FederationDifferenceConfirmed
from kokuho.events.runtime.store import append
from kokuho.events.testing.fakes import InMemoryEventStore

SOURCE = "/kokuho/eligibility"


class InMemoryUnit:
    """Everything kept in dicts; ``store.outbox`` shows what would go to Kafka."""

    def __init__(self, rules: QualificationRules) -> None:
        self.rules = rules
        self.store = InMemoryEventStore(source=SOURCE)
        self.payloads: dict[UUID, dict[str, Any] | None] = {}
        self.persons: dict[str, ce.PersonalDetailsRecorded] = {}
        self.open: dict[str, tuple[str, date]] = {}  # addressee -> (household, birth date)
        self.places: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        self.last_loss: dict[str, date] = {}
        self.certificate_details: dict[UUID, dict[str, Any]] = {}
        self.periods: dict[str, tuple[str, str, str | None]] = {}
        self.reviews: dict[UUID, tuple[FederationDifferenceConfirmed, UUID | None]] = {}
        self.copayment_until: dict[str, date] = {}
        self._households = 2_000_000_000
        self._insured = 30_000_000

    async def load(self, stream_id: str) -> list[EventContract]:
        return [parse_data(r.event_type, r.envelope.data) for r in await self.store.load(stream_id)]

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[EventContract],
        *,
        publish: bool,
        partition_key: str,
    ) -> None:
        await append(
            self.store,
            stream_id,
            expected_version,
            events,
            topic=ce.EVENTS_TOPIC if publish else None,
            partition_key=partition_key,
        )

    async def put_payload(self, subject: str, kind: str, data: dict[str, Any]) -> UUID:
        payload_id = uuid4()
        self.payloads[payload_id] = data
        return payload_id

    async def get_payload(self, payload_id: UUID) -> dict[str, Any] | None:
        return self.payloads.get(payload_id)

    async def next_household_number(self) -> str:
        self._households += 1
        return f"{self._households:010d}"

    async def next_insured_number(self) -> str:
        self._insured += 1
        return f"{self._insured:08d}"

    async def active_household_of(self, addressee_number: str) -> str | None:
        found = self.open.get(addressee_number)
        return found[0] if found else None

    async def personal_details(self, addressee_number: str) -> ce.PersonalDetailsRecorded | None:
        return self.persons.get(addressee_number)

    async def record_personal_details(self, record: ce.PersonalDetailsRecorded) -> None:
        self.persons[record.addressee_number] = record
        envelope = Envelope(
            id=uuid4(),
            source=SOURCE,
            type=record.event_type,
            time="2026-01-01T00:00:00+09:00",  # type: ignore[arg-type]
            subject=record.addressee_number,
            data=record.model_dump(mode="json"),
            partitionkey=record.addressee_number,
        )
        await self.store.put_latest(ce.PERSONAL_DETAILS_TOPIC, record.addressee_number, envelope)

    async def project(self, events: Sequence[EventContract]) -> None:
        for x in events:
            if isinstance(x, ce.QualificationAcquired):
                self.open[x.addressee_number] = (x.nhi_household_number, x.birth_date)
                self.periods[x.addressee_number] = (
                    x.nhi_household_number,
                    x.acquisition_reason,
                    None,
                )
            elif isinstance(x, ce.CopaymentRateDetermined):
                self.copayment_until[x.addressee_number] = x.valid_until
            elif isinstance(x, ce.QualificationLost):
                self.open.pop(x.addressee_number, None)
                self.last_loss[x.addressee_number] = x.loss_date
                household, reason, _ = self.periods[x.addressee_number]
                self.periods[x.addressee_number] = (household, reason, x.loss_reason)
            elif isinstance(x, (ce.HouseholdSplit, ce.HouseholdMerged)):
                target = (
                    x.new_household_number
                    if isinstance(x, ce.HouseholdSplit)
                    else x.into_household_number
                )
                for m in x.members:
                    _, birth = self.open[m.addressee_number]
                    self.open[m.addressee_number] = (target, birth)

    async def record_special_case_place(
        self, addressee_number: str, kind: str, name: str | None, address: str | None
    ) -> None:
        self.places[(addressee_number, kind)] = (name, address)

    async def qualification_summary(self, addressee_number: str) -> tuple[bool, date | None]:
        return addressee_number in self.open, self.last_loss.get(addressee_number)

    async def forget_payload(self, payload_id: UUID, reason: str) -> None:
        if payload_id in self.payloads:
            self.payloads[payload_id] = None

    async def erase_person(self, addressee_number: str, reason: str) -> bool:
        found = self.persons.pop(addressee_number, None)
        await self.store.put_latest(ce.PERSONAL_DETAILS_TOPIC, addressee_number, None)
        return found is not None

    async def record_certificate_details(
        self, certificate_id: UUID, details: dict[str, Any]
    ) -> None:
        self.certificate_details[certificate_id] = details

    async def latest_period(self, addressee_number: str) -> tuple[str, str, str | None] | None:
        return self.periods.get(addressee_number)

    async def record_federation_review(
        self, event_id: UUID, event: FederationDifferenceConfirmed, change_id: UUID | None
    ) -> None:
        self.reviews[event_id] = (event, change_id)

    async def persons_needing_copayment_rate(self, on: date) -> list[tuple[str, str]]:
        from kokuho.eligibility.domain.rules import age_on

        return sorted(
            (a, h)
            for a, (h, b) in self.open.items()
            if 70 <= age_on(b, on, self.rules) < 75
            and (self.copayment_until.get(a) is None or self.copayment_until[a] < on)
        )

    async def persons_turning_75(self, until: date) -> list[tuple[str, str, date]]:
        return sorted(
            (a, h, b)
            for a, (h, b) in self.open.items()
            if anniversary(b, self.rules.late_elderly_age, self.rules) <= until
        )
