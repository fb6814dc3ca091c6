"""What the use cases of benefits need.

A unit of work with the event store, the co-payment rate read model and the audit trail
(``adapters/unit_of_work.py`` on PostgreSQL, ``adapters/memory.py`` in memory; the same contract
tests run against both), and the service's own ports (parameters).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from kokuho.benefits.domain.claims import Claim, ClaimsFile
from kokuho.benefits.domain.combined_care import CombinedCare, CombinedLimits
from kokuho.benefits.domain.copayment_rate import CopaymentRate
from kokuho.benefits.domain.high_cost.limits import LimitSchedule
from kokuho.benefits.domain.high_cost_decision import HighCostDecision, PaymentOrdered
from kokuho.benefits.domain.income_category import IncomeLines
from kokuho.benefits.domain.income_facts import ZeroIncomeRule
from kokuho.benefits.domain.ltc_file import LtcFile, LtcSelfPay
from kokuho.benefits.domain.lump_sum import AmountSchedule, LumpSum
from kokuho.benefits.domain.medical_expense import MedicalExpense, Rates
from kokuho.benefits.domain.repayment import Repayment
from kokuho.benefits.domain.special_care import SpecialCarePeriod
from kokuho.benefits.domain.withholding import WithheldPayment, Withholding
from kokuho.benefits.parameters import (
    load_combined_limits,
    load_lump_sums,
    load_medical_expense_rates,
    load_zero_income,
)
from kokuho.events.ports import EventStore
from kokuho.platform.unit_of_work import AuditTrailPort


class CopaymentRates(Protocol):
    """The decisions in force, per household and income year."""

    async def put(self, rate: CopaymentRate) -> None:
        """Store the decision in force (replacing the one it supersedes)."""
        ...

    async def get(self, nhi_household_number: str, income_year: int) -> CopaymentRate | None: ...


@dataclass(frozen=True)
class CarryOver:
    """One household on the federation's carry-over list for a treatment month (S2)."""

    nhi_household_number: str
    target_month: date
    kind: str  # candidate | confirmed
    householder_addressee_number: str
    previous_insurer_number: str
    high_cost_months: int
    last_high_cost_month: date
    file_date: date


@dataclass(frozen=True)
class PayeeAccount:
    """The household's application (申請): the payee and the account benefits are paid to.
    Stored in benefits' database only, never on a topic."""

    nhi_household_number: str
    payee_addressee_number: str
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    holder_kana: str
    applied_on: date
    applied_by: str


@dataclass(frozen=True)
class ClaimImport:
    import_id: UUID
    file_name: str
    sha256: str
    file: ClaimsFile
    received_by: str


class Claims(Protocol):
    async def file_seen(self, sha256: str) -> bool: ...

    async def known(self, claim_numbers: Sequence[str]) -> set[str]:
        """Which of these claim numbers were received before."""
        ...

    async def save_import(self, received: ClaimImport) -> None:
        """The file's claims, and its adjustments recorded against their claims (whose
        amounts become the adjusted ones), with the import itself."""
        ...

    async def of_household(
        self, nhi_household_number: str, treatment_month: date
    ) -> list[Claim]: ...

    async def adjustments_of(self, claim_number: str) -> list[dict[str, object]]: ...

    async def of_person_from(self, addressee_number: str, from_month: date) -> list[Claim]:
        """The person's claims of treatment months from ``from_month`` (返納金 detection)."""
        ...


class CarryOvers(Protocol):
    async def put(self, carry_over: CarryOver) -> None: ...

    async def get(self, nhi_household_number: str, target_month: date) -> list[CarryOver]: ...


class Payees(Protocol):
    async def put(self, payee: PayeeAccount) -> None: ...

    async def get(self, nhi_household_number: str) -> PayeeAccount | None: ...


class HighCostDecisions(Protocol):
    async def get(
        self, nhi_household_number: str, treatment_month: date
    ) -> HighCostDecision | None: ...

    async def unpaid(self, nhi_household_number: str) -> list[HighCostDecision]:
        """The household's decisions with a benefit not yet (fully) paid, oldest first."""
        ...

    async def put(self, decision: HighCostDecision) -> None: ...

    async def add_payment(self, payment: PaymentOrdered) -> None: ...

    async def payments_of(self, nhi_household_number: str) -> list[PaymentOrdered]: ...


@dataclass(frozen=True)
class MonthlyRunStatus:
    run_id: UUID
    treatment_month: date
    status: str
    payment_date: date
    started_by: str
    checkpoint: str
    counts: Mapping[str, int]
    held: tuple[Mapping[str, str], ...]


class MonthlyRuns(Protocol):
    async def request(
        self, run_id: UUID, treatment_month: date, payment_date: date, actor: str
    ) -> MonthlyRunStatus:
        """Record a run to do (or return the month's open one)."""
        ...

    async def latest(self, treatment_month: date) -> MonthlyRunStatus | None: ...


class LumpSums(Protocol):
    async def add(self, state: LumpSum, account: PayeeAccount) -> None: ...

    async def by_stream(self, stream_id: str) -> LumpSum | None: ...

    async def get(self, application_id: UUID) -> LumpSum | None: ...

    async def update(self, state: LumpSum) -> None: ...


class SpecialCarePeriods(Protocol):
    """特別療養費 flag periods per household (from delinquency)."""

    async def flag(self, nhi_household_number: str, flagged_on: date) -> None: ...

    async def clear(self, nhi_household_number: str, cleared_on: date) -> None: ...

    async def periods(self, nhi_household_number: str) -> list[SpecialCarePeriod]: ...


class CombinedCareStore(Protocol):
    """高額介護合算療養費: the LTC insurer's self-pays and the applications."""

    async def ltc_file_seen(self, sha256: str) -> bool: ...

    async def save_ltc_file(
        self, import_id: UUID, file_name: str, sha256: str, file: LtcFile, received_by: str
    ) -> None: ...

    async def ltc_self_pays(
        self, nhi_household_number: str, base_date: date
    ) -> list[LtcSelfPay]: ...

    async def add(self, state: CombinedCare, account: PayeeAccount) -> None: ...

    async def applied(self, nhi_household_number: str, year: int) -> bool: ...

    async def get(self, application_id: UUID) -> CombinedCare | None: ...

    async def update(self, state: CombinedCare) -> None: ...


class Repayments(Protocol):
    async def by_stream(self, stream_id: str) -> Repayment | None: ...

    async def get(self, repayment_id: UUID) -> Repayment | None: ...

    async def put(self, state: Repayment) -> None: ...

    async def open_cases(self, limit: int) -> list[Repayment]: ...


class MedicalExpenses(Protocol):
    async def add(self, state: MedicalExpense, account: PayeeAccount) -> None: ...

    async def get(self, application_id: UUID) -> MedicalExpense | None: ...

    async def update(self, state: MedicalExpense) -> None: ...


class Withholdings(Protocol):
    """給付の一時差止 periods (from delinquency) and the payments withheld under them."""

    async def withhold(self, w: Withholding) -> None: ...

    async def release(self, nhi_household_number: str, released_on: date) -> None:
        """End the household's open period on ``released_on``."""
        ...

    async def periods(self, nhi_household_number: str) -> list[Withholding]: ...

    async def add_payment(self, payment: WithheldPayment) -> None:
        """Record (or replace, for the same decision stream) a payment withheld."""
        ...

    async def pending(self, nhi_household_number: str | None = None) -> list[WithheldPayment]:
        """Payments withheld and not yet ordered (of one household, or all)."""
        ...

    async def ordered(self, stream_id: str, payment_id: UUID, released_on: date) -> None: ...


class BenefitsUnitPort(Protocol):
    """One transaction: enter it with ``async with uow:``; it commits when the block ends."""

    @property
    def events(self) -> EventStore: ...

    @property
    def copayment_rates(self) -> CopaymentRates: ...

    @property
    def claims(self) -> Claims: ...

    @property
    def carry_overs(self) -> CarryOvers: ...

    @property
    def payees(self) -> Payees: ...

    @property
    def high_cost(self) -> HighCostDecisions: ...

    @property
    def monthly_runs(self) -> MonthlyRuns: ...

    @property
    def lump_sums(self) -> LumpSums: ...

    @property
    def medical_expenses(self) -> MedicalExpenses: ...

    @property
    def repayments(self) -> Repayments: ...

    @property
    def special_care(self) -> SpecialCarePeriods: ...

    @property
    def combined_care(self) -> CombinedCareStore: ...

    @property
    def withholdings(self) -> Withholdings: ...

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
    #: 葬祭費 and 出産育児一時金 by period (parameters/lump-sums.toml)
    lump_sums: AmountSchedule = field(default_factory=load_lump_sums)
    #: 療養費 default rates and rounding (parameters/medical-expenses.toml)
    medical_expense_rates: Rates = field(default_factory=load_medical_expense_rates)
    #: the 低所得Ⅰ zero-income test's deductions (parameters/zero-income.toml)
    zero_income: ZeroIncomeRule = field(default_factory=load_zero_income)
    #: 高額介護合算療養費 limits (parameters/combined-care-2018-08.toml)
    combined_limits: CombinedLimits = field(default_factory=load_combined_limits)
