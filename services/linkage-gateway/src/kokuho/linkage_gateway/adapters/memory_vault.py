"""In-memory vault for unit tests of the handlers (same behaviour as ``PostgresVault``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from kokuho.linkage_gateway.app.ports import SealedNumber
from kokuho.linkage_gateway.domain.vault import (
    Binding,
    NumberBound,
    NumberBoundToAnotherPerson,
    SecondNumberForPerson,
    VaultEvent,
)


class InMemoryVault:
    def __init__(self) -> None:
        self.bindings: dict[str, Binding] = {}
        self.sealed: dict[str, SealedNumber] = {}
        self.subjects: dict[str, set[str]] = {}
        self.published: list[VaultEvent] = []
        self._seq = 0

    async def binding_of(self, addressee_number: str) -> Binding | None:
        return self.bindings.get(addressee_number)

    async def holder_of(self, number_index: str) -> Binding | None:
        return next((b for b in self.bindings.values() if b.number_index == number_index), None)

    async def next_integrated_addressee_number(self) -> str:
        self._seq += 1
        return f"{self._seq:016d}"

    async def record(
        self, events: Sequence[VaultEvent], sealed: SealedNumber | None = None
    ) -> None:
        for event in events:
            if isinstance(event, NumberBound):
                if event.addressee_number in self.bindings:
                    raise SecondNumberForPerson(event.addressee_number)
                if await self.holder_of(event.number_index):
                    raise NumberBoundToAnotherPerson(event.addressee_number)
                assert sealed is not None
                self.bindings[event.addressee_number] = Binding(
                    event.addressee_number,
                    event.integrated_addressee_number,
                    event.number_index,
                    event.at,
                )
                self.sealed[event.addressee_number] = sealed
            else:
                b = self.bindings[event.addressee_number]
                self.bindings[event.addressee_number] = replace(b, deceased=True)
            self.published.append(event)

    async def sealed_of(self, addressee_number: str) -> SealedNumber | None:
        return self.sealed.get(addressee_number)

    async def subject_affairs(self, addressee_number: str) -> set[str]:
        return set(self.subjects.get(addressee_number, set()))

    async def add_subject(self, addressee_number: str, affair: str) -> None:
        self.subjects.setdefault(addressee_number, set()).add(affair)
