"""One contract for both units of work: the in-memory twin and the PostgreSQL unit (the
latter needs PostgreSQL: marked ``integration``). A fake that passes it may stand in for the
real unit in every unit test."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from kokuho.benefits.adapters.memory import InMemoryBenefitsUnit
from kokuho.benefits.adapters.unit_of_work import BenefitsUnit
from kokuho.benefits.app.copayment_rates import decide_copayment_rate
from kokuho.benefits.app.ports import Benefits, BenefitsUnitPort
from kokuho.benefits.commands import DEMO_HOUSEHOLD, demo_facts
from kokuho.benefits.domain.copayment_rate import CopaymentRate, DecideCopaymentRate, stream_id
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory, Under70Category
from kokuho.benefits.parameters import load_income_lines, load_schedule
from kokuho.platform.audit import PostgresAuditLog, RequestAudit
from kokuho.platform.testing import migrated_database

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
TODAY = date(2026, 7, 10)

UnitFactory = Callable[[], BenefitsUnitPort]


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
async def units(request: pytest.FixtureRequest) -> AsyncIterator[UnitFactory]:
    """A factory of units of work sharing one store: in memory, or one PostgreSQL database."""
    if request.param == "memory":
        unit = InMemoryBenefitsUnit()
        yield lambda: unit
        return
    infra = request.getfixturevalue("infra")
    async with migrated_database(infra.pg_admin_dsn, MIGRATIONS) as dsn:
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
        trail = RequestAudit(
            PostgresAuditLog(pool),
            user_id="U-TEST",
            terminal_id="T-TEST",
            operation="contract",
            request_id=None,
        )
        try:
            yield lambda: BenefitsUnit(lambda: pool, audit=trail)
        finally:
            await pool.close()


def a_rate(**change: object) -> CopaymentRate:
    rate = CopaymentRate(
        "9920000009",
        2025,
        date(2026, 8, 1),
        date(2027, 7, 31),
        Under70Category.U,
        ElderlyCategory.ACTIVE_1,
        30,
        ("9910000001",),
        "U-CLERK",
        TODAY,
        ("active_1: a 70–74 課税所得 ≥ 1,450,000 (§3.4)",),
    )
    return dataclasses.replace(rate, **change)  # type: ignore[arg-type]


async def test_a_stored_rate_is_read_back(units: UnitFactory) -> None:
    rate = a_rate()
    async with units() as uow:
        await uow.copayment_rates.put(rate)
    async with units() as uow:
        assert await uow.copayment_rates.get("9920000009", 2025) == rate
        assert await uow.copayment_rates.get("9920000009", 2024) is None


async def test_a_later_decision_replaces_the_one_in_force(units: UnitFactory) -> None:
    async with units() as uow:
        await uow.copayment_rates.put(a_rate())
    later = a_rate(elderly_category=ElderlyCategory.GENERAL, copayment_rate_percent=20, decisions=2)
    async with units() as uow:
        await uow.copayment_rates.put(later)
    async with units() as uow:
        assert await uow.copayment_rates.get("9920000009", 2025) == later


async def test_a_household_without_70_74_members_is_stored(units: UnitFactory) -> None:
    rate = a_rate(elderly_category=None, copayment_rate_percent=None, addressee_numbers=())
    async with units() as uow:
        await uow.copayment_rates.put(rate)
    async with units() as uow:
        assert await uow.copayment_rates.get("9920000009", 2025) == rate


async def test_the_use_case_leaves_one_event_and_one_rate(units: UnitFactory) -> None:
    ports = Benefits(load_schedule(), load_income_lines())
    command = DecideCopaymentRate(demo_facts(2025), "U-CLERK", TODAY)
    decided = await decide_copayment_rate(units(), ports, command)
    await decide_copayment_rate(units(), ports, command)
    async with units() as uow:
        [recorded] = await uow.events.load(stream_id(DEMO_HOUSEHOLD, 2025))
        assert await uow.copayment_rates.get(DEMO_HOUSEHOLD, 2025) == decided.rate
    assert recorded.envelope.partitionkey == DEMO_HOUSEHOLD
    assert recorded.envelope.source == "/kokuho/benefits"
