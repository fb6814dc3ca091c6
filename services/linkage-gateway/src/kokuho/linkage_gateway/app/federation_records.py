"""What the gateway stores of the federation (国保連合会) exchange: the insured changes sent, the
transmission ledger (C-58), the continuation files and their differences (C-20), the 高額療養費
carry-over lists. Reached through the unit of work (``GatewayUnitPort.federation``); PostgreSQL
implements it in ``adapters/postgres_federation.py``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from kokuho.events.contracts.linkage_gateway import (
    FederationDifferenceConfirmed,
    HighCostCarryOverListed,
)
from kokuho.linkage_gateway.domain.federation import (
    CarryOverList,
    ContinuationDifference,
    ContinuationFile,
    InsuredChange,
    OurQualification,
)


@dataclass(frozen=True)
class Transmission:
    id: int
    file_name: str
    sequence: int
    record_count: int
    sha256: str
    sent_by: str
    status: str  # prepared | sent
    prepared_at: datetime
    receipt: str | None
    sent_at: datetime | None


@dataclass(frozen=True)
class StoredDifference:
    id: int
    file_id: int
    file_date: date
    difference: ContinuationDifference
    status: str
    decided_by: str | None


class FederationRecords(Protocol):
    async def add_change(self, change: InsuredChange, source_event_id: UUID | None) -> None: ...

    async def last_change(self, addressee_number: str) -> InsuredChange | None: ...

    async def pending_changes(self) -> list[tuple[int, InsuredChange]]: ...

    async def next_sequence(self) -> int: ...

    async def prepared_transmission(self) -> tuple[Transmission, bytes] | None:
        """The transmission prepared but not yet marked sent (locks the ledger)."""
        ...

    async def record_transmission(
        self,
        transmission: Transmission,
        change_ids: Sequence[int],
        file_format: str,
        content: bytes,
    ) -> Transmission:
        """The ledger entry, status prepared, before the file leaves (C-58)."""
        ...

    async def mark_sent(self, transmission_id: int, receipt: str, at: datetime) -> Transmission: ...

    async def transmissions(
        self, limit: int, *, on_or_after: date | None = None, on_or_before: date | None = None
    ) -> list[Transmission]: ...

    async def our_qualifications(
        self, addressee_numbers: Sequence[str]
    ) -> dict[str, OurQualification]: ...

    async def file_seen(self, sha256: str) -> bool: ...

    async def continuation_received_on(self, file_date: date) -> bool:
        """Whether a continuation file of that day was received (uploaded or fetched)."""
        ...

    async def save_continuation(
        self,
        *,
        file_name: str,
        file: ContinuationFile,
        sha256: str,
        received_by: str,
        at: datetime,
        differences: Sequence[ContinuationDifference],
    ) -> int: ...

    async def open_differences(self, limit: int, after: int) -> list[StoredDifference]: ...

    async def difference(self, difference_id: int) -> StoredDifference | None: ...

    async def decide_difference(
        self, difference_id: int, *, status: str, by: str, at: datetime
    ) -> None: ...

    async def publish(self, event: FederationDifferenceConfirmed) -> None:
        """Put the confirmed difference on the public topic (for eligibility)."""
        ...

    async def save_carry_over(
        self,
        *,
        file_name: str,
        carry_over: CarryOverList,
        sha256: str,
        received_by: str,
        at: datetime,
    ) -> int | None:
        """Record the list; None when the same file was recorded before."""
        ...

    async def publish_carry_over(self, events: Sequence[HighCostCarryOverListed]) -> None: ...
