"""A synthetic population for the demo, the annual-run tests and the benchmark: households,
members and previous-year incomes, written with COPY. Numbers are made up (10-digit addressee
and household numbers starting with 5 and 6); no real person is described."""

from __future__ import annotations

import random
from datetime import date

import asyncpg

from kokuho.assessment.domain.income_file import AMOUNTS


def population(
    households: int, fiscal_year: int, seed: int = 2026, first: int = 0
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]:
    rng = random.Random(seed)  # noqa: S311 (synthetic test data, not secrets)
    heads: list[tuple[object, ...]] = []
    members: list[tuple[object, ...]] = []
    incomes: list[tuple[object, ...]] = []
    for i in range(first, first + households):
        number = f"5{i:09d}"
        size = rng.choice((1, 1, 1, 2, 2, 3, 4))
        people = []
        for k in range(size):
            addressee = f"6{i:07d}{k:02d}"
            age = rng.randint(20, 74) if k == 0 or k == 1 else rng.randint(0, 17)
            birth = date(fiscal_year - age, rng.randint(1, 12), rng.randint(1, 28))
            joins = date(fiscal_year, rng.randint(4, 12), 1) if rng.random() < 0.05 else None
            people.append((addressee, birth, joins))
        heads.append((number, people[0][0], False))
        for addressee, birth, joins in people:
            members.append((number, addressee, birth, joins))
            kind = rng.random()
            salary_revenue = salary_income = pension_revenue = pension_income = other = 0
            if fiscal_year - birth.year < 16:
                pass  # children: no income
            elif kind < 0.45:
                salary_revenue = rng.randint(0, 8_000_000)
                salary_income = max(0, salary_revenue - 550_000 - salary_revenue // 5)
            elif kind < 0.75:
                pension_revenue = rng.randint(0, 3_000_000)
                pension_income = max(0, pension_revenue - 1_100_000)
            elif kind < 0.9:
                other = rng.randint(0, 6_000_000)
            amounts = {
                "salary_revenue": salary_revenue,
                "salary_income": salary_income,
                "pension_revenue": pension_revenue,
                "pension_income": pension_income,
                "other_income": other,
                "family_employee_deduction": 0,
                "transfer_special_deduction": 0,
                "fixed_asset_tax": 0,
            }
            incomes.append(
                (
                    addressee,
                    fiscal_year - 1,
                    birth,
                    True,
                    *(amounts[a] for a in AMOUNTS),
                    "unknown",
                    "tax_file",
                    None,
                    None,
                    "system:synthetic",
                )
            )
    return heads, members, incomes


async def load(
    conn: asyncpg.Connection, households: int, fiscal_year: int, seed: int = 2026
) -> int:
    """COPY a synthetic population into the household and income tables; returns members."""
    heads, members, incomes = population(households, fiscal_year, seed)
    await conn.copy_records_to_table(
        "households",
        columns=["nhi_household_number", "householder_addressee_number", "deemed_householder"],
        records=heads,
    )
    await conn.copy_records_to_table(
        "household_members",
        columns=["nhi_household_number", "addressee_number", "birth_date", "acquisition_date"],
        records=members,
    )
    await conn.copy_records_to_table(
        "incomes",
        columns=[
            "addressee_number",
            "income_year",
            "birth_date",
            "declared",
            *AMOUNTS,
            "resident_tax_status",
            "source",
            "import_id",
            "declaration_channel",
            "updated_by",
        ],
        records=incomes,
    )
    return len(members)
