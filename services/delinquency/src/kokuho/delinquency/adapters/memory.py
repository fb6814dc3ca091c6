"""The in-memory twin of ``DelinquencyUnit``, for unit tests.

It passes the same contract tests (``tests/unit/test_unit_of_work_contract.py``).
"""

from __future__ import annotations

from uuid import UUID

from kokuho.delinquency.adapters.unit_of_work import SOURCE
from kokuho.delinquency.domain.case import Case
from kokuho.delinquency.domain.errors import CaseAlreadyOpened
from kokuho.events.contracts import delinquency as contracts
from kokuho.events.testing.fakes import InMemoryEventStore
from kokuho.platform.unit_of_work import InMemoryUnitOfWork


class InMemoryCases:
    def __init__(self) -> None:
        self.rows: dict[UUID, Case] = {}

    async def add(self, case: Case) -> None:
        if case.case_id in self.rows:
            raise CaseAlreadyOpened(f"case {case.case_id} is already open")
        self.rows[case.case_id] = case

    async def get(self, case_id: UUID) -> Case | None:
        return self.rows.get(case_id)


class InMemoryDelinquencyUnit(InMemoryUnitOfWork):
    def __init__(self, topic: str = contracts.EVENTS_TOPIC) -> None:
        super().__init__()
        self.topic = topic
        self.events = InMemoryEventStore(source=SOURCE)
        self.cases = InMemoryCases()
