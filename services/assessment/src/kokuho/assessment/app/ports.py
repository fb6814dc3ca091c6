"""What the use cases need: the unit of work (event store, repositories, audit trail) and the
service's other ports (implemented on PostgreSQL in ``adapters`` and in memory for unit tests).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from kokuho.assessment.domain.income_file import IncomeRecord
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.assessment.domain.rate_simulation import SimulationPart
from kokuho.assessment.domain.reduction_exemption import ReductionExemption
from kokuho.assessment.domain.special_collection import Pension
from kokuho.events.contracts.eligibility import HouseholdCompositionChanged
from kokuho.events.ports import EventStore
from kokuho.platform.unit_of_work import UnitOfWorkPort


class ParametersFor(Protocol):
    """The city's rulebook: the parameters of a fiscal year and its calendar of holidays."""

    def __call__(self, fiscal_year: int) -> PremiumParameters: ...

    def is_holiday(self, day: date) -> bool: ...

    def candidate(
        self, fiscal_year: int, name: str, figures: Mapping[str, Any]
    ) -> PremiumParameters:
        """The year's parameters with some city figures replaced (a rate simulation's or a
        what-if's candidate; nothing stored); refused like a file (ParametersIncomplete)."""
        ...


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
    #: 介護保険適用除外 periods (start, end or None), by start
    care_exclusions: tuple[tuple[date, date | None], ...] = ()


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
    #: the day the notice of this revision was issued (the assessment's day; ADR 0037)
    notice_issued_on: date | None = None


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
    #: valid lines of people who are not subjects, counted and dropped (C-06)
    discarded_non_subjects: int = 0


class Incomes(Protocol):
    """Previous-year income per person and year (NHI-A-28..32), and the import receipts."""

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

    async def subjects_among(self, addressee_numbers: Sequence[str]) -> set[str]:
        """Who of these is a member or householder of a known household (C-06)."""
        ...

    async def households_of(self, addressee_numbers: Sequence[str]) -> list[str]: ...

    async def subjects_without_income(self, income_year: int, limit: int) -> list[str]: ...


class Pensions(Protocol):
    """The householder's pension per fiscal year and the requested collection method."""

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


class Assessments(Protocol):
    """The current assessment of each household and year (the read model of the events)."""

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


class Reductions(Protocol):
    """減免 applications and their decisions."""

    async def load_reduction_exemption(self, application_id: UUID) -> ReductionExemption | None: ...

    async def save_reduction_exemption(self, application: ReductionExemption) -> None: ...

    async def approved_reduction_ratios(
        self, nhi_household_number: str, fiscal_year: int
    ) -> list[int]: ...


class HouseholdProjection(Protocol):
    """Assessment's view of households and members, kept by eligibility's events."""

    async def load_household(self, nhi_household_number: str) -> HouseholdRow | None: ...

    async def households_after(self, after: str, size: int) -> list[HouseholdRow]:
        """Up to ``size`` households numbered after ``after``, in number order (a whole-city
        read in chunks, e.g. the rate simulation)."""
        ...

    async def birth_date_of(self, addressee_number: str) -> date | None:
        """A member's birth date as eligibility published it (None: not a known member)."""
        ...

    async def household(
        self, number: str, householder: str, deemed: bool, *, householder_changed: bool
    ) -> None: ...

    async def household_if_new(self, number: str, householder: str) -> None: ...

    async def member_acquired(
        self,
        number: str,
        addressee: str,
        birth_date: date,
        acquisition_date: date,
        former_dependant_since: date | None,
    ) -> None: ...

    async def member_lost(
        self, number: str, addressee: str, loss_date: date, remains_in_household: bool
    ) -> None: ...

    async def qualification_corrected(
        self, number: str, addressee: str, acquisition_date: date, loss_date: date | None
    ) -> None: ...

    async def composition(self, event: HouseholdCompositionChanged) -> None: ...

    async def former_dependant(self, number: str, addressee: str, since: date | None) -> None: ...

    async def care_exclusion(
        self, number: str, addressee: str, start: date, end: date | None, facility_kind: str
    ) -> None:
        """Record (or close, with ``end``) the 介護保険適用除外 period starting ``start``."""
        ...

    async def separation(self, number: str, addressee: str, separation_date: date) -> None: ...

    async def specified_member(
        self, number: str, addressee: str, since: date, until: date | None
    ) -> None: ...

    async def birth_date_corrected(self, number: str, addressee: str, birth_date: date) -> None: ...


@dataclass(frozen=True)
class AnnualRunRecord:
    """The latest annual run (本算定) of a year: progress while running, then the summary."""

    run_id: UUID
    fiscal_year: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    started_by: str
    households: int
    assessed: int
    unchanged: int
    refused: list[dict[str, str]]
    totals: dict[str, int]
    statutory_reductions: dict[str, int]


class AnnualRuns(Protocol):
    async def latest(self, fiscal_year: int) -> AnnualRunRecord | None: ...


class AssessmentUnitPort(UnitOfWorkPort, Protocol):
    """One transaction over the event store and the small repositories, with the audit trail;
    the service's own topic for what it publishes (``settings.events_topic``)."""

    @property
    def events(self) -> EventStore: ...

    @property
    def households(self) -> HouseholdProjection: ...

    @property
    def incomes(self) -> Incomes: ...

    @property
    def pensions(self) -> Pensions: ...

    @property
    def assessments(self) -> Assessments: ...

    @property
    def reductions(self) -> Reductions: ...

    @property
    def annual_runs(self) -> AnnualRuns: ...

    @property
    def topic(self) -> str: ...

    @property
    def facts_topic(self) -> str:
        """The restricted topic of ``HouseholdIncomeFactsStated`` (ADR 0045)."""
        ...


#: assesses one chunk of a rate simulation (households as read, with their people's incomes)
ChunkAssessor = Callable[[list["HouseholdRow"], dict[str, IncomeRecord]], Awaitable[SimulationPart]]
#: starts the chunk assessors of one simulation for its sets (the current first); they end
#: with the context (worker processes in the service, ADR 0051)
Assessors = Callable[[Sequence[PremiumParameters]], AbstractAsyncContextManager[ChunkAssessor]]


@dataclass(frozen=True)
class Ports:
    """The service's dependencies besides the unit of work (made by ``bootstrap.build``)."""

    rules: ParametersFor
    today: Callable[[], date]
    #: where a rate simulation assesses its chunks
    simulation: Assessors
