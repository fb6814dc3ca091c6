"""What the use cases of benefits need.

A unit of work with the event store, the co-payment rate read model and the audit trail
(``adapters/unit_of_work.py`` on PostgreSQL, ``adapters/memory.py`` in memory; the same contract
tests run against both), and the service's own ports (parameters).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

from kokuho.benefits.domain.copayment_rate import CopaymentRate
from kokuho.benefits.domain.high_cost.limits import LimitSchedule
from kokuho.benefits.domain.income_category import IncomeLines
from kokuho.events.ports import EventStore
from kokuho.platform.unit_of_work import AuditTrailPort


class CopaymentRates(Protocol):
    """The decisions in force, per household and income year."""

    async def put(self, rate: CopaymentRate) -> None:
        """Store the decision in force (replacing the one it supersedes)."""
        ...

    async def get(self, nhi_household_number: str, income_year: int) -> CopaymentRate | None: ...


class BenefitsUnitPort(Protocol):
    """One transaction: enter it with ``async with uow:``; it commits when the block ends."""

    @property
    def events(self) -> EventStore: ...

    @property
    def copayment_rates(self) -> CopaymentRates: ...

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
    schedule and the 所得区分 lines read from the parameter files."""

    limits: LimitSchedule
    income_lines: IncomeLines
