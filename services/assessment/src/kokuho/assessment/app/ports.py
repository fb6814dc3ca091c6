"""What the handlers need from storage (implemented on PostgreSQL in ``adapters`` and in memory
for unit tests)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from kokuho.assessment.domain.income_file import IncomeRecord
from kokuho.assessment.domain.reduction_exemption import ReductionExemption
from kokuho.assessment.domain.special_collection import Pension


@dataclass(frozen=True)
class MemberRow:
    addressee_number: str
    birth_date: date
    insured: bool = True
    specified_same_household: bool = False
    acquisition_date: date | None = None
    loss_date: date | None = None
    former_dependant_since: date | None = None
    involuntary_separation_date: date | None = None
    childbirth_date: date | None = None
    childbirth_multiple: bool = False


@dataclass(frozen=True)
class HouseholdRow:
    nhi_household_number: str
    householder_addressee_number: str
    deemed_householder: bool = False
    specified_household_since: date | None = None
    members: tuple[MemberRow, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class StoredAssessment:
    nhi_household_number: str
    fiscal_year: int
    revision: int
    assessment_id: UUID
    annual_amount: int
    statutory_reduction: int
    reduction_exemption_amount: int
    components: list[dict[str, Any]]
    explanation: dict[str, Any] | None  # None: regenerate it from ``inputs``
    cause: str
    assessed_by: str
    instalments: list[dict[str, Any]] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)
    parameters_digest: str = ""
    #: 特別徴収 or 普通徴収: {"method", "reasons", "deductions"}; {} before this was stored
    collection: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PensionRecord:
    """The householder's pension for a fiscal year (NHI-A-24..26) and the 2月 deduction of the
    previous year that sets 仮徴収."""

    pension: Pension
    previous_february: int = 0


@dataclass(frozen=True)
class ImportReceipt:
    import_id: UUID
    file_name: str
    received_by: str
    lines: int
    valid_lines: int
    rejected: list[dict[str, Any]]
    status: str
    applied_lines: int


class AssessmentStore(Protocol):
    async def load_household(self, nhi_household_number: str) -> HouseholdRow | None: ...

    async def incomes(
        self, addressee_numbers: Sequence[str], income_year: int
    ) -> dict[str, IncomeRecord]: ...

    async def income_source(self, addressee_number: str, income_year: int) -> str | None: ...

    async def write_incomes(
        self,
        records: Sequence[IncomeRecord],
        *,
        source: str,
        import_id: UUID | None,
        channel: str | None,
        actor: str,
    ) -> None: ...

    async def record_import(self, receipt: ImportReceipt) -> None: ...

    async def pension(self, addressee_number: str, fiscal_year: int) -> PensionRecord | None: ...

    async def write_pension(
        self, addressee_number: str, fiscal_year: int, record: PensionRecord, *, actor: str
    ) -> None: ...

    async def requested_method(self, nhi_household_number: str, fiscal_year: int) -> str | None:
        """The householder's requested method (普通徴収 by 口座振替, or back to 特別徴収)."""
        ...

    async def write_method_request(
        self, nhi_household_number: str, fiscal_year: int, method: str, reason: str, *, actor: str
    ) -> None: ...

    async def load_assessment(
        self, nhi_household_number: str, fiscal_year: int
    ) -> StoredAssessment | None: ...

    async def save_assessment(self, assessment: StoredAssessment) -> None: ...

    async def assessed_households_of(
        self, addressee_numbers: Sequence[str], fiscal_year: int
    ) -> list[str]: ...

    async def assessed_years(self, nhi_household_number: str, from_year: int) -> list[int]: ...

    async def annually_run_years(self, from_year: int) -> list[int]:
        """Fiscal years from ``from_year`` whose annual run (本算定) has finished."""
        ...

    async def load_reduction_exemption(self, application_id: UUID) -> ReductionExemption | None: ...

    async def save_reduction_exemption(self, application: ReductionExemption) -> None: ...

    async def approved_reduction_ratios(
        self, nhi_household_number: str, fiscal_year: int
    ) -> list[int]: ...
