"""One contract for assessment's small repositories (households, incomes, pensions,
assessments, 減免, annual runs): the in-memory twins (``adapters.memory``) and the PostgreSQL
ones (``adapters.repositories``, ``adapters.household_projection``), each case run against both,
every step in a unit of work of its own (one transaction on PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date
from uuid import UUID

import asyncpg
import pytest

from kokuho.assessment.adapters.memory import InMemoryAssessmentUnit
from kokuho.assessment.adapters.unit_of_work import AssessmentUnit
from kokuho.assessment.app.ports import (
    AssessmentUnitPort,
    HouseholdRow,
    MemberRow,
    PensionRecord,
    StoredAssessment,
)
from kokuho.assessment.domain.household import Income
from kokuho.assessment.domain.income_file import IncomeRecord
from kokuho.assessment.domain.reduction_exemption import ReductionExemption
from kokuho.assessment.domain.special_collection import Pension
from kokuho.events.contracts.assessment import EVENTS_TOPIC
from kokuho.events.contracts.eligibility import HouseholdCompositionChanged
from kokuho.platform.testing import migrated_database

from ..conftest import MIGRATIONS

pytestmark = pytest.mark.integration

Units = Callable[[], AssessmentUnitPort]
HOUSEHOLD = "7000000001"
HEAD = "8000000001"
CHILD = "8000000002"
OTHER = "8000000003"


@pytest.fixture(params=["memory", "postgres"])
async def units(request: pytest.FixtureRequest, pg_admin_dsn: str) -> AsyncIterator[Units]:
    """A new unit of work over the same data each call (committed when its block ends)."""
    if request.param == "memory":
        shared = InMemoryAssessmentUnit()
        yield lambda: shared
        return
    async with migrated_database(pg_admin_dsn, MIGRATIONS) as dsn:
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
        try:
            yield lambda: AssessmentUnit(lambda: pool, topic=EVENTS_TOPIC)
        finally:
            await pool.close()


async def with_household(units: Units) -> None:
    async with units() as uow:
        await uow.households.household(HOUSEHOLD, HEAD, False, householder_changed=False)
        await uow.households.member_acquired(
            HOUSEHOLD, HEAD, date(1960, 5, 5), date(2025, 4, 1), None
        )
        await uow.households.member_acquired(
            HOUSEHOLD, CHILD, date(2020, 1, 1), date(2025, 4, 1), date(2025, 4, 1)
        )


async def household(units: Units) -> HouseholdRow:
    async with units() as uow:
        row = await uow.households.load_household(HOUSEHOLD)
    assert row is not None
    return row


def member(row: HouseholdRow, addressee: str) -> MemberRow:
    return next(m for m in row.members if m.addressee_number == addressee)


async def test_an_unknown_household_is_none(units: Units) -> None:
    async with units() as uow:
        assert await uow.households.load_household(HOUSEHOLD) is None
        assert await uow.households.birth_date_of(HEAD) is None
        assert await uow.annual_runs.latest(2026) is None
        assert await uow.assessments.annually_run_years(2000) == []


async def test_the_projection_keeps_households_and_members(units: Units) -> None:
    await with_household(units)
    row = await household(units)
    assert (row.householder_addressee_number, row.deemed_householder) == (HEAD, False)
    assert [m.addressee_number for m in row.members] == [HEAD, CHILD]
    assert member(row, HEAD) == MemberRow(HEAD, date(1960, 5, 5), acquisition_date=date(2025, 4, 1))
    assert member(row, CHILD).former_dependant_since == date(2025, 4, 1)
    async with units() as uow:
        assert await uow.households.birth_date_of(CHILD) == date(2020, 1, 1)
        # a later acquisition without the flag keeps the 旧被扶養者 date
        await uow.households.member_acquired(
            HOUSEHOLD, CHILD, date(2020, 1, 2), date(2025, 6, 1), None
        )
        await uow.households.household_if_new(HOUSEHOLD, OTHER)  # known: unchanged
        await uow.households.member_lost(HOUSEHOLD, HEAD, date(2026, 1, 1), False)
        await uow.households.separation(HOUSEHOLD, CHILD, date(2025, 9, 30))
    row = await household(units)
    assert row.householder_addressee_number == HEAD
    child = member(row, CHILD)
    assert (child.birth_date, child.acquisition_date) == (date(2020, 1, 2), date(2025, 6, 1))
    assert child.former_dependant_since == date(2025, 4, 1)
    assert child.involuntary_separation_date == date(2025, 9, 30)
    assert member(row, HEAD).loss_date == date(2026, 1, 1)
    async with units() as uow:
        await uow.households.qualification_corrected(HOUSEHOLD, HEAD, date(2025, 5, 1), None)
        await uow.households.former_dependant(HOUSEHOLD, CHILD, None)
        await uow.households.birth_date_corrected(HOUSEHOLD, HEAD, date(1961, 6, 6))
    row = await household(units)
    head = member(row, HEAD)
    assert (head.acquisition_date, head.loss_date, head.birth_date) == (
        date(2025, 5, 1),
        None,
        date(1961, 6, 6),
    )
    assert member(row, CHILD).former_dependant_since is None


async def test_specified_household_starts_and_ends(units: Units) -> None:
    await with_household(units)
    async with units() as uow:
        await uow.households.specified_member(HOUSEHOLD, OTHER, date(2025, 8, 1), None)
        await uow.households.specified_member(HOUSEHOLD, OTHER, date(2025, 9, 1), None)
    row = await household(units)
    assert row.specified_household_since == date(2025, 8, 1)
    other = member(row, OTHER)
    assert (other.insured, other.specified_same_household) == (False, True)
    assert other.birth_date == date(1900, 1, 1)
    async with units() as uow:
        await uow.households.specified_member(HOUSEHOLD, OTHER, date(2025, 8, 1), date(2026, 1, 1))
        # the same householder again keeps 特定世帯; another one ends it
        await uow.households.household(HOUSEHOLD, HEAD, False, householder_changed=True)
    row = await household(units)
    assert OTHER not in [m.addressee_number for m in row.members]
    assert row.specified_household_since == date(2025, 8, 1)
    async with units() as uow:
        await uow.households.household(HOUSEHOLD, CHILD, True, householder_changed=True)
    row = await household(units)
    assert (row.householder_addressee_number, row.deemed_householder) == (CHILD, True)
    assert row.specified_household_since is None


async def test_a_composition_change_lists_the_members(units: Units) -> None:
    await with_household(units)
    event = HouseholdCompositionChanged.model_validate(
        {
            "change_id": str(uuid.uuid4()),
            "entered_by": "U1",
            "nhi_household_number": HOUSEHOLD,
            "householder_addressee_number": HEAD,
            "deemed_householder": False,
            "effective_date": "2025-10-01",
            "members": [
                {
                    "addressee_number": HEAD,
                    "insured_number": "00000001",
                    "relationship": "householder",
                    "birth_date": "1960-05-05",
                    "acquisition_date": "2025-04-01",
                    "former_dependant": False,
                },
                {
                    "addressee_number": OTHER,
                    "insured_number": "00000003",
                    "relationship": "child",
                    "birth_date": "1990-03-03",
                    "acquisition_date": "2025-10-01",
                    "former_dependant": True,
                },
            ],
        }
    )
    async with units() as uow:
        await uow.households.composition(event)
    row = await household(units)
    assert [m.addressee_number for m in row.members] == [HEAD, CHILD, OTHER]
    assert member(row, CHILD).loss_date == date(2025, 10, 1)  # no longer listed
    assert member(row, HEAD).loss_date is None
    assert member(row, OTHER).former_dependant_since == date(2025, 10, 1)


def income(addressee: str, salary: int) -> IncomeRecord:
    return IncomeRecord(
        addressee,
        2025,
        date(1960, 5, 5),
        Income(salary_revenue=salary + 1_000_000, salary_income=salary),
        "taxable",
    )


async def test_incomes_are_written_and_replaced(units: Units) -> None:
    async with units() as uow:
        await uow.incomes.write_incomes(
            [income(HEAD, 2_000_000), income(CHILD, 0)],
            source="tax_file",
            import_id=uuid.uuid4(),
            channel=None,
            actor="U1",
        )
    async with units() as uow:
        await uow.incomes.write_incomes(
            [income(HEAD, 1_500_000)],
            source="no_income_declaration",
            import_id=None,
            channel="counter",
            actor="U2",
        )
    async with units() as uow:
        found = await uow.incomes.incomes([HEAD, CHILD, OTHER], 2025)
        assert sorted(found) == [HEAD, CHILD]
        assert found[HEAD] == income(HEAD, 1_500_000)
        assert await uow.incomes.income_source(HEAD, 2025) == "no_income_declaration"
        assert await uow.incomes.income_source(CHILD, 2025) == "tax_file"
        assert await uow.incomes.income_source(OTHER, 2025) is None
        assert await uow.incomes.incomes([HEAD], 2024) == {}


async def test_pensions_and_method_requests_are_upserted(units: Units) -> None:
    async with units() as uow:
        assert await uow.pensions.pension(HEAD, 2026) is None
        assert await uow.pensions.requested_method(HOUSEHOLD, 2026) is None
        await uow.pensions.write_pension(
            HEAD, 2026, PensionRecord(Pension(1_800_000, True, 60_000), 10_000), actor="U1"
        )
        await uow.pensions.write_method_request(HOUSEHOLD, 2026, "ordinary", "口座振替", actor="U1")
    async with units() as uow:
        await uow.pensions.write_pension(
            HEAD, 2026, PensionRecord(Pension(2_000_000, True, 70_000), 12_000), actor="U2"
        )
        await uow.pensions.write_method_request(HOUSEHOLD, 2026, "special", "back", actor="U2")
    async with units() as uow:
        assert await uow.pensions.pension(HEAD, 2026) == PensionRecord(
            Pension(2_000_000, True, 70_000), 12_000
        )
        assert await uow.pensions.pension(HEAD, 2025) is None
        assert await uow.pensions.requested_method(HOUSEHOLD, 2026) == "special"


def assessment(number: str, year: int, revision: int, amount: int) -> StoredAssessment:
    return StoredAssessment(
        nhi_household_number=number,
        fiscal_year=year,
        revision=revision,
        assessment_id=uuid.uuid4(),
        annual_amount=amount,
        statutory_reduction=5,
        reduction_exemption_amount=0,
        components=[{"component": "medical", "amount": amount}],
        explanation=None,
        cause="request",
        assessed_by="U1",
        instalments=[{"period": 1, "due_date": "2026-07-31", "amount": amount, "difference": 0}],
        inputs={"household": HOUSEHOLD},
        parameters_digest="d",
        collection={"method": "ordinary", "reasons": [], "deductions": []},
        notice_issued_on=date(2026, 6, 1 + revision),
    )


async def test_care_insurance_exclusions_are_kept_by_start(units: Units) -> None:
    await with_household(units)
    kind = "designated_disability_support_facility"
    async with units() as uow:
        await uow.households.care_exclusion(HOUSEHOLD, HEAD, date(2025, 10, 1), None, kind)
        await uow.households.care_exclusion(
            HOUSEHOLD, HEAD, date(2025, 5, 1), date(2025, 6, 1), kind
        )
    assert member(await household(units), HEAD).care_exclusions == (
        (date(2025, 5, 1), date(2025, 6, 1)),
        (date(2025, 10, 1), None),
    )
    async with units() as uow:  # the end of the open period, by its start
        await uow.households.care_exclusion(
            HOUSEHOLD, HEAD, date(2025, 10, 1), date(2026, 2, 1), kind
        )
        await uow.households.care_exclusion(HOUSEHOLD, OTHER, date(2025, 10, 1), None, kind)
    row = await household(units)
    assert member(row, HEAD).care_exclusions == (
        (date(2025, 5, 1), date(2025, 6, 1)),
        (date(2025, 10, 1), date(2026, 2, 1)),
    )
    assert member(row, CHILD).care_exclusions == ()


async def test_assessments_are_saved_and_found(units: Units) -> None:
    await with_household(units)
    first, second = assessment(HOUSEHOLD, 2026, 1, 300_000), assessment(HOUSEHOLD, 2026, 2, 0)
    async with units() as uow:
        assert await uow.assessments.load_assessment(HOUSEHOLD, 2026) is None
        await uow.assessments.save_assessment(first)
        await uow.assessments.save_assessment(assessment(HOUSEHOLD, 2024, 1, 100_000))
    async with units() as uow:
        assert await uow.assessments.load_assessment(HOUSEHOLD, 2026) == first
        await uow.assessments.save_assessment(second)
    async with units() as uow:
        assert await uow.assessments.load_assessment(HOUSEHOLD, 2026) == second
        assert await uow.assessments.assessed_years(HOUSEHOLD, 2025) == [2026]
        assert await uow.assessments.assessed_years(HOUSEHOLD, 2024) == [2024, 2026]
        assert await uow.assessments.assessed_households_of([CHILD], 2026) == [HOUSEHOLD]
        assert await uow.assessments.assessed_households_of([HEAD, OTHER], 2026) == [HOUSEHOLD]
        assert await uow.assessments.assessed_households_of([OTHER], 2026) == []
        assert await uow.assessments.assessed_households_of([CHILD], 2025) == []


def application(application_id: UUID, ratio: int, status: str = "pending") -> ReductionExemption:
    return ReductionExemption(
        application_id=application_id,
        nhi_household_number=HOUSEHOLD,
        fiscal_year=2026,
        reason_code="disaster",
        reason="flood",
        ratio_percent=ratio,
        entered_by="U-A",
        status=status,
        decided_by=None if status == "pending" else "U-B",
        decision_reason=None if status == "pending" else "seen",
    )


async def test_reduction_exemptions_are_saved_and_decided(units: Units) -> None:
    ids = [uuid.uuid4() for _ in range(3)]
    for i, ratio in zip(ids, (30, 20, 50), strict=True):
        async with units() as uow:
            await uow.reductions.save_reduction_exemption(application(i, ratio))
    async with units() as uow:
        assert await uow.reductions.approved_reduction_ratios(HOUSEHOLD, 2026) == []
        await uow.reductions.save_reduction_exemption(application(ids[0], 30, "approved"))
        await uow.reductions.save_reduction_exemption(application(ids[1], 20, "rejected"))
        await uow.reductions.save_reduction_exemption(application(ids[2], 50, "approved"))
    async with units() as uow:
        assert await uow.reductions.load_reduction_exemption(ids[1]) == application(
            ids[1], 20, "rejected"
        )
        assert await uow.reductions.load_reduction_exemption(uuid.uuid4()) is None
        assert await uow.reductions.approved_reduction_ratios(HOUSEHOLD, 2026) == [30, 50]
        assert await uow.reductions.approved_reduction_ratios(HOUSEHOLD, 2025) == []
