"""In-memory :class:`AssessmentStore` for unit tests of the handlers (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from kokuho.assessment.app.ports import (
    HouseholdRow,
    ImportReceipt,
    PensionRecord,
    StoredAssessment,
)
from kokuho.assessment.domain.income_file import IncomeRecord
from kokuho.assessment.domain.reduction_exemption import ReductionExemption


class InMemoryAssessmentStore:
    def __init__(self) -> None:
        self.households: dict[str, HouseholdRow] = {}
        self.income: dict[tuple[str, int], tuple[IncomeRecord, str]] = {}
        self.imports: list[ImportReceipt] = []
        self.assessments: dict[tuple[str, int], StoredAssessment] = {}
        self.applications: dict[UUID, ReductionExemption] = {}
        #: fiscal years whose annual run has finished
        self.annual_runs: set[int] = set()
        self.pensions: dict[tuple[str, int], PensionRecord] = {}
        self.method_requests: dict[tuple[str, int], str] = {}

    async def pension(self, addressee_number: str, fiscal_year: int) -> PensionRecord | None:
        return self.pensions.get((addressee_number, fiscal_year))

    async def write_pension(
        self, addressee_number: str, fiscal_year: int, record: PensionRecord, *, actor: str
    ) -> None:
        self.pensions[(addressee_number, fiscal_year)] = record

    async def requested_method(self, nhi_household_number: str, fiscal_year: int) -> str | None:
        return self.method_requests.get((nhi_household_number, fiscal_year))

    async def write_method_request(
        self, nhi_household_number: str, fiscal_year: int, method: str, reason: str, *, actor: str
    ) -> None:
        self.method_requests[(nhi_household_number, fiscal_year)] = method

    async def load_household(self, nhi_household_number: str) -> HouseholdRow | None:
        return self.households.get(nhi_household_number)

    async def incomes(
        self, addressee_numbers: Sequence[str], income_year: int
    ) -> dict[str, IncomeRecord]:
        return {
            a: self.income[(a, income_year)][0]
            for a in addressee_numbers
            if (a, income_year) in self.income
        }

    async def income_source(self, addressee_number: str, income_year: int) -> str | None:
        found = self.income.get((addressee_number, income_year))
        return None if found is None else found[1]

    async def write_incomes(
        self,
        records: Sequence[IncomeRecord],
        *,
        source: str,
        import_id: UUID | None,
        channel: str | None,
        actor: str,
    ) -> None:
        for r in records:
            self.income[(r.addressee_number, r.income_year)] = (r, source)

    async def record_import(self, receipt: ImportReceipt) -> None:
        self.imports.append(receipt)

    async def load_assessment(
        self, nhi_household_number: str, fiscal_year: int
    ) -> StoredAssessment | None:
        return self.assessments.get((nhi_household_number, fiscal_year))

    async def save_assessment(self, assessment: StoredAssessment) -> None:
        self.assessments[(assessment.nhi_household_number, assessment.fiscal_year)] = assessment

    async def assessed_households_of(
        self, addressee_numbers: Sequence[str], fiscal_year: int
    ) -> list[str]:
        wanted = set(addressee_numbers)
        out = set()
        for number, year in self.assessments:
            row = self.households.get(number)
            if year != fiscal_year or row is None:
                continue
            people = {m.addressee_number for m in row.members} | {row.householder_addressee_number}
            if people & wanted:
                out.add(number)
        return sorted(out)

    async def assessed_years(self, nhi_household_number: str, from_year: int) -> list[int]:
        return sorted(
            y for (n, y) in self.assessments if n == nhi_household_number and y >= from_year
        )

    async def annually_run_years(self, from_year: int) -> list[int]:
        return sorted(y for y in self.annual_runs if y >= from_year)

    async def load_reduction_exemption(self, application_id: UUID) -> ReductionExemption | None:
        return self.applications.get(application_id)

    async def save_reduction_exemption(self, application: ReductionExemption) -> None:
        self.applications[application.application_id] = application

    async def approved_reduction_ratios(
        self, nhi_household_number: str, fiscal_year: int
    ) -> list[int]:
        return [
            a.ratio_percent
            for a in self.applications.values()
            if a.nhi_household_number == nhi_household_number
            and a.fiscal_year == fiscal_year
            and a.status == "approved"
        ]
