"""The vault in memory, for unit tests of the use cases: the same behaviour as ``PostgresVault``
(both pass tests/integration/test_vault_contract.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from kokuho.events.contracts.linkage_gateway import IndividualNumberBound
from kokuho.linkage_gateway.app.records import Confirmation, SealedNumber
from kokuho.linkage_gateway.domain.vault import (
    Binding,
    NumberBound,
    NumberBoundToAnotherPerson,
    PersonDied,
    SecondNumberForPerson,
    VaultEvent,
)


class InMemoryVault:
    def __init__(self) -> None:
        self.bindings: dict[str, Binding] = {}
        self.sealed: dict[str, SealedNumber] = {}
        self.subjects: dict[str, set[str]] = {}
        self.confirmations: list[Confirmation] = []
        #: what PostgresVault appends to the event store and the outbox
        self.published: list[IndividualNumberBound] = []
        self._seq = 0

    async def binding_of(self, addressee_number: str) -> Binding | None:
        return self.bindings.get(addressee_number)

    async def holder_of(self, number_indexes: Sequence[str]) -> Binding | None:
        return next((b for b in self.bindings.values() if b.number_index in number_indexes), None)

    async def next_integrated_addressee_number(self) -> str:
        self._seq += 1
        return f"{self._seq:016d}"

    async def record(
        self, events: Sequence[VaultEvent], sealed: SealedNumber | None = None
    ) -> None:
        for event in events:
            if isinstance(event, NumberBound):
                if sealed is None:
                    raise ValueError("a binding needs its sealed number")
                if event.addressee_number in self.bindings:
                    raise SecondNumberForPerson(event.addressee_number)
                if await self.holder_of([event.number_index]):
                    raise NumberBoundToAnotherPerson(event.addressee_number)
                self.bindings[event.addressee_number] = Binding(
                    event.addressee_number,
                    event.integrated_addressee_number,
                    event.number_index,
                    event.at,
                )
                self.sealed[event.addressee_number] = sealed
                self.published.append(
                    IndividualNumberBound(
                        addressee_number=event.addressee_number, bound_at=event.at
                    )
                )
            elif isinstance(event, PersonDied) and event.addressee_number in self.bindings:
                b = self.bindings[event.addressee_number]
                self.bindings[event.addressee_number] = replace(b, deceased=True)

    async def sealed_of(self, addressee_number: str) -> SealedNumber | None:
        return self.sealed.get(addressee_number)

    async def subject_affairs(self, addressee_number: str) -> set[str]:
        return set(self.subjects.get(addressee_number, set()))

    async def add_subject(self, addressee_number: str, affair: str) -> None:
        self.subjects.setdefault(addressee_number, set()).add(affair)

    async def report_for_confirmation(self, addressee_number: str, rule: str, by: str) -> None:
        self.confirmations.append(
            Confirmation(len(self.confirmations) + 1, addressee_number, rule, datetime.now(UTC), by)
        )

    async def open_confirmations(self, limit: int, after: int) -> list[Confirmation]:
        return [c for c in self.confirmations if c.id > after][:limit]

    async def addressees_of_integrated(self, integrated: Sequence[str]) -> list[str]:
        wanted = set(integrated)
        return sorted(
            b.addressee_number
            for b in self.bindings.values()
            if b.integrated_addressee_number in wanted
        )
