"""The in-memory twin of ``DelinquencyUnit``, for unit tests.

It passes the same contract tests (``tests/unit/test_unit_of_work_contract.py``).
"""

from __future__ import annotations

from datetime import date

from kokuho.delinquency.adapters.unit_of_work import SOURCE
from kokuho.delinquency.domain.model import Case
from kokuho.events.contracts import delinquency as contracts
from kokuho.events.testing.fakes import InMemoryEventStore
from kokuho.platform.unit_of_work import InMemoryUnitOfWork


def _reviewed(case: Case) -> bool:
    return case.status in ("watching", "open") or (case.status == "closed" and case.outstanding > 0)


class InMemoryCaseViews:
    def __init__(self) -> None:
        self.rows: dict[str, Case] = {}

    async def put(self, case: Case) -> None:
        self.rows[case.household] = case

    async def get(self, household: str) -> Case | None:
        return self.rows.get(household)

    async def page(
        self,
        *,
        status: str | None,
        stage: str | None,
        officer: str | None,
        after: str | None,
        limit: int,
    ) -> list[Case]:
        return [
            c
            for h, c in sorted(self.rows.items())
            if c.status != "untracked"
            and status in (None, c.status)
            and stage in (None, c.stage)
            and officer in (None, c.officer)
            and (after is None or h > after)
        ][:limit]

    async def to_review(self) -> list[str]:
        return [h for h, c in sorted(self.rows.items()) if _reviewed(c)]

    async def all(self) -> list[Case]:
        return [c for _, c in sorted(self.rows.items())]


class InMemoryChargeDates:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, int, int], date] = {}

    async def put(self, household: str, fiscal_year: int, period: int, due_date: date) -> None:
        self.rows[(household, fiscal_year, period)] = due_date

    async def due_date(self, household: str, fiscal_year: int, period: int) -> date | None:
        return self.rows.get((household, fiscal_year, period))


class InMemoryDelinquencyUnit(InMemoryUnitOfWork):
    def __init__(self, topic: str = contracts.EVENTS_TOPIC) -> None:
        super().__init__()
        self.topic = topic
        self.events = InMemoryEventStore(source=SOURCE)
        self.cases = InMemoryCaseViews()
        self.charges = InMemoryChargeDates()
