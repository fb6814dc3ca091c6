"""The in-memory twin of ``BenefitsUnit``, for unit tests.

It passes the same contract tests (``tests/unit/test_unit_of_work_contract.py``).
"""

from __future__ import annotations

from kokuho.benefits.adapters.combined_care_store import InMemoryCombinedCare
from kokuho.benefits.adapters.lump_sum_store import InMemoryLumpSums
from kokuho.benefits.adapters.medical_expense_store import InMemoryMedicalExpenses
from kokuho.benefits.adapters.memory_high_cost import (
    InMemoryCarryOvers,
    InMemoryClaims,
    InMemoryHighCostDecisions,
    InMemoryMonthlyRuns,
    InMemoryPayees,
)
from kokuho.benefits.adapters.repayment_store import InMemoryRepayments
from kokuho.benefits.adapters.special_care_store import InMemorySpecialCare
from kokuho.benefits.adapters.unit_of_work import SOURCE
from kokuho.benefits.adapters.withholding_store import InMemoryWithholdings
from kokuho.benefits.domain.copayment_rate import CopaymentRate
from kokuho.events.contracts import benefits as contracts
from kokuho.events.testing.fakes import InMemoryEventStore
from kokuho.platform.unit_of_work import InMemoryUnitOfWork


class InMemoryCopaymentRates:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], CopaymentRate] = {}

    async def put(self, rate: CopaymentRate) -> None:
        self.rows[(rate.nhi_household_number, rate.income_year)] = rate

    async def get(self, nhi_household_number: str, income_year: int) -> CopaymentRate | None:
        return self.rows.get((nhi_household_number, income_year))


class InMemoryBenefitsUnit(InMemoryUnitOfWork):
    def __init__(self, topic: str = contracts.EVENTS_TOPIC) -> None:
        super().__init__()
        self.topic = topic
        self.events = InMemoryEventStore(source=SOURCE)
        self.copayment_rates = InMemoryCopaymentRates()
        self.claims = InMemoryClaims()
        self.carry_overs = InMemoryCarryOvers()
        self.payees = InMemoryPayees()
        self.high_cost = InMemoryHighCostDecisions()
        self.monthly_runs = InMemoryMonthlyRuns()
        self.lump_sums = InMemoryLumpSums()
        self.withholdings = InMemoryWithholdings()
        self.medical_expenses = InMemoryMedicalExpenses()
        self.repayments = InMemoryRepayments()
        self.special_care = InMemorySpecialCare()
        self.combined_care = InMemoryCombinedCare()
