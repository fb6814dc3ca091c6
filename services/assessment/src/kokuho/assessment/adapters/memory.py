"""The in-memory twins of assessment's repositories and unit of work, for unit tests of the
use cases (no I/O); they pass the same contract tests as the PostgreSQL ones
(``tests/integration/test_store_contract.py``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from uuid import UUID

from kokuho.assessment.app.ports import (
    AnnualRunRecord,
    HouseholdRow,
    ImportReceipt,
    MemberRow,
    PensionRecord,
    StoredAssessment,
)
from kokuho.assessment.domain.income_file import IncomeRecord
from kokuho.assessment.domain.reduction_exemption import ReductionExemption
from kokuho.events.contracts.assessment import EVENTS_TOPIC, income_facts_topic
from kokuho.events.contracts.eligibility import HouseholdCompositionChanged
from kokuho.events.testing.fakes import InMemoryEventStore
from kokuho.platform.unit_of_work import InMemoryUnitOfWork


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

    def _people(self) -> dict[str, set[str]]:
        """Each subject's households (members of every kind and householders)."""
        out: dict[str, set[str]] = {}
        for h in self.households.values():
            out.setdefault(h.householder_addressee_number, set()).add(h.nhi_household_number)
            for m in h.members:
                out.setdefault(m.addressee_number, set()).add(h.nhi_household_number)
        return out

    async def subjects_among(self, addressee_numbers: Sequence[str]) -> set[str]:
        people = self._people()
        return {a for a in addressee_numbers if a in people}

    async def households_of(self, addressee_numbers: Sequence[str]) -> list[str]:
        people = self._people()
        return sorted({h for a in addressee_numbers for h in people.get(a, set())})

    async def subjects_without_income(self, income_year: int, limit: int) -> list[str]:
        people = self._people()
        return sorted(a for a in people if (a, income_year) not in self.income)[:limit]

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

    async def birth_date_of(self, addressee_number: str) -> date | None:
        for number in sorted(self.households):
            for m in self.households[number].members:
                if m.addressee_number == addressee_number:
                    return m.birth_date
        return None


#: birth date of a 特定同一世帯所属者 eligibility has not told assessment about
UNKNOWN_SPECIFIED_BIRTH = date(1900, 1, 1)


class InMemoryHouseholdProjection:
    """Households and members as eligibility publishes them, in the store's ``households``."""

    def __init__(self, store: InMemoryAssessmentStore) -> None:
        self.store = store
        self.rows = store.households

    async def load_household(self, nhi_household_number: str) -> HouseholdRow | None:
        return await self.store.load_household(nhi_household_number)

    async def birth_date_of(self, addressee_number: str) -> date | None:
        return await self.store.birth_date_of(addressee_number)

    def _members(self, number: str) -> dict[str, MemberRow]:
        row = self.rows.get(number)
        return {} if row is None else {m.addressee_number: m for m in row.members}

    def _put(self, number: str, members: dict[str, MemberRow], **changes: object) -> None:
        row = self.rows.get(number)
        if row is None:
            return
        ordered = tuple(members[a] for a in sorted(members))
        self.rows[number] = dataclasses.replace(row, members=ordered, **changes)  # type: ignore[arg-type]

    def _update(self, number: str, addressee: str, **changes: object) -> None:
        members = self._members(number)
        if addressee in members:
            members[addressee] = dataclasses.replace(members[addressee], **changes)  # type: ignore[arg-type]
            self._put(number, members)

    async def household(
        self, number: str, householder: str, deemed: bool, *, householder_changed: bool
    ) -> None:
        row = self.rows.get(number)
        if row is None:
            self.rows[number] = HouseholdRow(number, householder, deemed)
            return
        # 特定世帯 ends when the householder changes (rules.md 2.4)
        ends = householder_changed and row.householder_addressee_number != householder
        since = None if ends else row.specified_household_since
        self.rows[number] = dataclasses.replace(
            row,
            householder_addressee_number=householder,
            deemed_householder=deemed,
            specified_household_since=since,
        )

    async def household_if_new(self, number: str, householder: str) -> None:
        self.rows.setdefault(number, HouseholdRow(number, householder))

    def _acquire(
        self,
        members: dict[str, MemberRow],
        addressee: str,
        birth_date: date,
        acquisition_date: date,
        former: date | None,
        *,
        keep_former: bool,
    ) -> None:
        found = members.get(addressee) or MemberRow(addressee, birth_date)
        kept = found.former_dependant_since
        members[addressee] = dataclasses.replace(
            found,
            birth_date=birth_date,
            acquisition_date=acquisition_date,
            loss_date=None,
            insured=True,
            specified_same_household=False,
            former_dependant_since=(kept or former) if keep_former else (former or kept),
        )

    async def member_acquired(
        self,
        number: str,
        addressee: str,
        birth_date: date,
        acquisition_date: date,
        former_dependant_since: date | None,
    ) -> None:
        members = self._members(number)
        self._acquire(
            members,
            addressee,
            birth_date,
            acquisition_date,
            former_dependant_since,
            keep_former=False,
        )
        self._put(number, members)

    async def member_lost(
        self, number: str, addressee: str, loss_date: date, remains_in_household: bool
    ) -> None:
        self._update(number, addressee, loss_date=loss_date)

    async def qualification_corrected(
        self, number: str, addressee: str, acquisition_date: date, loss_date: date | None
    ) -> None:
        self._update(number, addressee, acquisition_date=acquisition_date, loss_date=loss_date)

    async def composition(self, event: HouseholdCompositionChanged) -> None:
        number = event.nhi_household_number
        await self.household(
            number,
            event.householder_addressee_number,
            event.deemed_householder,
            householder_changed=True,
        )
        members = self._members(number)
        for new in event.members:
            former = new.acquisition_date if new.former_dependant else None
            self._acquire(
                members,
                new.addressee_number,
                new.birth_date,
                new.acquisition_date,
                former,
                keep_former=True,
            )
        # insured members no longer listed left the household on the effective date
        listed = {e.addressee_number for e in event.members}
        for a, row in list(members.items()):
            if row.insured and row.loss_date is None and a not in listed:
                members[a] = dataclasses.replace(row, loss_date=event.effective_date)
        self._put(number, members)

    async def former_dependant(self, number: str, addressee: str, since: date | None) -> None:
        self._update(number, addressee, former_dependant_since=since)

    async def care_exclusion(
        self, number: str, addressee: str, start: date, end: date | None, facility_kind: str
    ) -> None:
        found = self._members(number).get(addressee)
        if found is None:
            return
        periods = {s: e for s, e in found.care_exclusions}
        periods[start] = end
        self._update(number, addressee, care_exclusions=tuple(sorted(periods.items())))

    async def households_after(self, after: str, size: int) -> list[HouseholdRow]:
        numbers = sorted(n for n in self.rows if n > after)[:size]
        return [self.rows[n] for n in numbers]

    async def separation(self, number: str, addressee: str, separation_date: date) -> None:
        self._update(number, addressee, involuntary_separation_date=separation_date)

    async def specified_member(
        self, number: str, addressee: str, since: date, until: date | None
    ) -> None:
        members = self._members(number)
        row = self.rows.get(number)
        if row is None:
            return
        if until is None:
            found = members.get(addressee)
            members[addressee] = (
                dataclasses.replace(found, specified_same_household=True)
                if found
                else MemberRow(
                    addressee, UNKNOWN_SPECIFIED_BIRTH, insured=False, specified_same_household=True
                )
            )
            started = row.specified_household_since or since
            self._put(number, members, specified_household_since=started)
            return
        found = members.get(addressee)
        if found is not None and found.specified_same_household and not found.insured:
            del members[addressee]
        elif found is not None:
            members[addressee] = dataclasses.replace(found, specified_same_household=False)
        self._put(number, members)

    async def birth_date_corrected(self, number: str, addressee: str, birth_date: date) -> None:
        self._update(number, addressee, birth_date=birth_date)


class InMemoryAnnualRuns:
    def __init__(self) -> None:
        self.runs: list[AnnualRunRecord] = []

    async def latest(self, fiscal_year: int) -> AnnualRunRecord | None:
        found = [r for r in self.runs if r.fiscal_year == fiscal_year]
        return max(found, key=lambda r: r.started_at) if found else None


class InMemoryAssessmentUnit(InMemoryUnitOfWork):
    """The unit of work of the use-case tests: the fake event store and projection, and the
    fake store holding incomes, pensions, assessments and 減免 (one state, one repository per
    port, as on PostgreSQL)."""

    def __init__(
        self,
        store: InMemoryAssessmentStore | None = None,
        events: InMemoryEventStore | None = None,
        *,
        topic: str = EVENTS_TOPIC,
    ) -> None:
        super().__init__()
        self.store = store or InMemoryAssessmentStore()
        self.events = events or InMemoryEventStore(source="/kokuho/assessment")
        self.households = InMemoryHouseholdProjection(self.store)
        self.incomes = self.pensions = self.assessments = self.reductions = self.store
        self.annual_runs = InMemoryAnnualRuns()
        self.topic = topic
        self.facts_topic = income_facts_topic(topic)
