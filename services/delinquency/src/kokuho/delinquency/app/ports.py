"""What the use cases of delinquency need.

A unit of work with the event store, the case views, the charge dates copied from collection
and the audit trail. ``adapters/unit_of_work.py`` (PostgreSQL) and ``adapters/memory.py`` (in
memory) provide it; the same contract tests run against both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import TracebackType
from typing import Protocol, Self

from kokuho.delinquency.domain.model import Case, Letter
from kokuho.delinquency.domain.parameters import Rules
from kokuho.events.ports import EventStore
from kokuho.platform.unit_of_work import AuditTrailPort


class CaseViews(Protocol):
    """The read model: each household's case as its events left it."""

    async def put(self, case: Case) -> None: ...

    async def get(self, household: str) -> Case | None: ...

    async def page(
        self,
        *,
        status: str | None,
        stage: str | None,
        officer: str | None,
        after: str | None,
        limit: int,
    ) -> list[Case]:
        """Cases in household order after ``after`` (filters left ``None`` match all)."""
        ...

    async def to_review(self) -> list[str]:
        """Households whose case time may change: watching, open, or closed with arrears."""
        ...

    async def all(self) -> list[Case]: ...


class ChargeDates(Protocol):
    """The 納期限 of each instalment (a copy of collection's charges, NHI-Q-10)."""

    async def put(self, household: str, fiscal_year: int, period: int, due_date: date) -> None: ...

    async def due_date(self, household: str, fiscal_year: int, period: int) -> date | None: ...


class DelinquencyUnitPort(Protocol):
    """One transaction: enter it with ``async with uow:``; it commits when the block ends."""

    @property
    def events(self) -> EventStore: ...

    @property
    def cases(self) -> CaseViews: ...

    @property
    def charges(self) -> ChargeDates: ...

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
class Ports:
    """The service's own dependencies: the rules (parameter files) and today's date."""

    rules: Rules
    today: Callable[[], date]
    render_reminder: Callable[[Case, Letter], bytes]
