"""The income repository's C-06 and ADR 0045 additions, one contract for the in-memory twin
and PostgreSQL: who is a subject (members and householders known), their households, whom to
ask for again, and format 2's figures written, read back and kept in the history."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from kokuho.assessment.domain.household import Income
from kokuho.assessment.domain.income_file import BenefitFigures, IncomeRecord

from .test_store_contract import CHILD, HEAD, HOUSEHOLD, OTHER, Units, units, with_household

pytestmark = pytest.mark.integration
__all__ = ["units"]  # the fixture, run against both stores

DEEMED_HOUSEHOLD = "7000000002"
DEEMED = "8000000009"


def record(number: str, taxable: int | None) -> IncomeRecord:
    figures = None if taxable is None else BenefitFigures(taxable, 5)
    return IncomeRecord(
        number,
        2025,
        date(1960, 5, 5),
        Income(salary_income=3_000_000, salary_revenue=4_000_000),
        "taxable",
        figures,
    )


async def test_subjects_are_members_and_householders_known(units: Units) -> None:
    await with_household(units)
    async with units() as uow:
        await uow.households.household(DEEMED_HOUSEHOLD, DEEMED, True, householder_changed=False)
    async with units() as uow:
        assert await uow.incomes.subjects_among([HEAD, CHILD, OTHER, DEEMED]) == {
            HEAD,
            CHILD,
            DEEMED,
        }
        assert await uow.incomes.households_of([CHILD, DEEMED, OTHER]) == [
            HOUSEHOLD,
            DEEMED_HOUSEHOLD,
        ]
        assert await uow.incomes.subjects_without_income(2025, 10) == [HEAD, CHILD, DEEMED]


async def test_format_2_figures_round_trip_and_stay_in_the_history(units: Units) -> None:
    await with_household(units)
    async with units() as uow:
        await uow.incomes.write_incomes(
            [record(HEAD, 1_450_000), record(CHILD, None)],
            source="tax_file",
            import_id=uuid.uuid4(),
            channel=None,
            actor="U1",
        )
    async with units() as uow:
        found = await uow.incomes.incomes([HEAD, CHILD], 2025)
        assert found[HEAD].benefit_figures == BenefitFigures(1_450_000, 5)
        assert found[CHILD].benefit_figures is None
        assert await uow.incomes.subjects_without_income(2025, 10) == []
    async with units() as uow:  # a correction of the figure alone is a change (C-24)
        await uow.incomes.write_incomes(
            [record(HEAD, 1_449_999)],
            source="tax_file",
            import_id=uuid.uuid4(),
            channel=None,
            actor="U2",
        )
    async with units() as uow:
        found = await uow.incomes.incomes([HEAD], 2025)
        assert found[HEAD].benefit_figures == BenefitFigures(1_449_999, 5)
        conn = getattr(uow, "conn", None)
        if conn is not None:  # PostgreSQL keeps the replaced row
            rows = await conn.fetch(
                "SELECT taxable_income, replaced_by FROM income_history"
                " WHERE addressee_number = $1",
                HEAD,
            )
            assert [tuple(r) for r in rows] == [(1_450_000, "U2")]
