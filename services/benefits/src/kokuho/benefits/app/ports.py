"""What the use cases of benefits need.

A unit of work with the event store, the cases and the audit trail. ``adapters/unit_of_work.py``
(PostgreSQL) and ``adapters/memory.py`` (in memory) provide it; the same contract tests run
against both.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from kokuho.benefits.domain.case import Case
from kokuho.benefits.domain.high_cost.limits import LimitSchedule
from kokuho.events.ports import EventStore
from kokuho.platform.unit_of_work import AuditTrailPort


class Cases(Protocol):
    """The cases read model."""

    async def add(self, case: Case) -> None:
        """Store a new case (``CaseAlreadyOpened`` when its id is taken)."""
        ...

    async def get(self, case_id: UUID) -> Case | None: ...


class BenefitsUnitPort(Protocol):
    """One transaction: enter it with ``async with uow:``; it commits when the block ends."""

    @property
    def events(self) -> EventStore: ...

    @property
    def cases(self) -> Cases: ...

    @property
    def audit(self) -> AuditTrailPort: ...

    @property
    def topic(self) -> str:
        """The public topic this service's events go to."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


@dataclass(frozen=True)
class Benefits:
    """The service's own ports, built once by ``bootstrap.build``: the 高額療養費 limit
    schedule read from the parameter files."""

    limits: LimitSchedule
