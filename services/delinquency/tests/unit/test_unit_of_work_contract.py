"""One contract for both units of work: the in-memory twin and the PostgreSQL unit (the
latter needs PostgreSQL: marked ``integration``). A fake that passes it may stand in for the
real unit in every unit test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest

from kokuho.delinquency.adapters.memory import InMemoryDelinquencyUnit
from kokuho.delinquency.adapters.unit_of_work import DelinquencyUnit
from kokuho.delinquency.app.cases import open_case, stream_id
from kokuho.delinquency.app.ports import DelinquencyUnitPort
from kokuho.delinquency.domain.case import Case, OpenCase
from kokuho.delinquency.domain.errors import CaseAlreadyOpened
from kokuho.platform.audit import PostgresAuditLog, RequestAudit
from kokuho.platform.testing import migrated_database

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
TODAY = date(2026, 12, 1)

UnitFactory = Callable[[], DelinquencyUnitPort]


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
async def units(request: pytest.FixtureRequest) -> AsyncIterator[UnitFactory]:
    """A factory of units of work sharing one store: in memory, or one PostgreSQL database."""
    if request.param == "memory":
        unit = InMemoryDelinquencyUnit()
        yield lambda: unit
        return
    # the root conftest's ``infra`` (a plain fixture: an async one cannot be asked for here)
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
            yield lambda: DelinquencyUnit(lambda: pool, audit=trail)
        finally:
            await pool.close()


def a_case() -> Case:
    return Case(uuid4(), "9910000001", TODAY, "U-CLERK")


async def test_a_stored_case_is_read_back(units: UnitFactory) -> None:
    case = a_case()
    async with units() as uow:
        await uow.cases.add(case)
    async with units() as uow:
        assert await uow.cases.get(case.case_id) == case
        assert await uow.cases.get(uuid4()) is None


async def test_a_second_case_with_the_same_id_is_refused_by_name(units: UnitFactory) -> None:
    case = a_case()
    async with units() as uow:
        await uow.cases.add(case)
    with pytest.raises(CaseAlreadyOpened):
        async with units() as uow:
            await uow.cases.add(case)


async def test_the_use_case_leaves_one_event_and_one_case(units: UnitFactory) -> None:
    command = OpenCase(uuid4(), "9910000002", TODAY, "U-CLERK", TODAY)
    case = await open_case(units(), command)
    async with units() as uow:
        [recorded] = await uow.events.load(stream_id(command.case_id))
        assert await uow.cases.get(command.case_id) == case
    assert recorded.version == 1
    assert recorded.envelope.partitionkey == "9910000002"
    assert recorded.envelope.source == "/kokuho/delinquency"
