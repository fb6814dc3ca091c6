"""One contract for both units of work: the in-memory twin and the PostgreSQL unit (the
latter needs PostgreSQL: marked ``integration``). A fake that passes it may stand in for the
real unit in every unit test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from kokuho.delinquency.adapters.memory import InMemoryDelinquencyUnit
from kokuho.delinquency.adapters.unit_of_work import DelinquencyUnit
from kokuho.delinquency.app.cases import apply, stream_id
from kokuho.delinquency.app.ports import DelinquencyUnitPort
from kokuho.delinquency.domain import lifecycle
from kokuho.delinquency.domain.enforcement import Seize
from kokuho.delinquency.domain.review import Review
from kokuho.events.contracts import delinquency as contracts
from kokuho.platform.audit import PostgresAuditLog, RequestAudit
from kokuho.platform.testing import migrated_database

from .rules import DEADLINE, DUE, RULES, opened

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"

UnitFactory = Callable[[], DelinquencyUnitPort]


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
async def units(request: pytest.FixtureRequest) -> AsyncIterator[UnitFactory]:
    """A factory of units of work sharing one store: in memory, or one PostgreSQL database."""
    if request.param == "memory":
        unit = InMemoryDelinquencyUnit()
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
            yield lambda: DelinquencyUnit(lambda: pool, audit=trail)
        finally:
            await pool.close()


async def test_a_case_view_is_read_back_whole(units: UnitFactory) -> None:
    case = opened()
    async with units() as uow:
        await uow.cases.put(case)
    async with units() as uow:
        assert await uow.cases.get(case.household) == case
        assert await uow.cases.get("9920000099") is None
        assert await uow.cases.to_review() == [case.household]
        assert await uow.cases.all() == [case]


async def test_pages_filter_and_follow_the_household_order(units: UnitFactory) -> None:
    first = opened()
    second = type(first)(**{**first.__dict__, "household": "9920000002", "stage": "seizure"})
    closed = type(first)(**{**first.__dict__, "household": "9920000003", "status": "closed"})
    async with units() as uow:
        for case in (closed, second, first):
            await uow.cases.put(case)
    async with units() as uow:
        everything = await uow.cases.page(
            status=None, stage=None, officer=None, after=None, limit=10
        )
        assert [c.household for c in everything] == ["9920000001", "9920000002", "9920000003"]
        page = await uow.cases.page(
            status="open", stage=None, officer=None, after="9920000001", limit=1
        )
        assert [c.household for c in page] == ["9920000002"]
        staged = await uow.cases.page(
            status=None, stage="seizure", officer=None, after=None, limit=10
        )
        assert [c.household for c in staged] == ["9920000002"]
        # closed with arrears still owed: reviewed (a new deadline may reopen it)
        assert await uow.cases.to_review() == ["9920000001", "9920000002", "9920000003"]


async def test_charge_dates_are_kept_and_replaced(units: UnitFactory) -> None:
    async with units() as uow:
        await uow.charges.put("9920000001", 2026, 1, DUE)
        await uow.charges.put("9920000001", 2026, 1, date(2026, 7, 1))
    async with units() as uow:
        assert await uow.charges.due_date("9920000001", 2026, 1) == date(2026, 7, 1)
        assert await uow.charges.due_date("9920000001", 2026, 2) is None


async def test_public_events_are_queued_private_ones_are_not(units: UnitFactory) -> None:
    household = "9920000001"
    async with units() as uow:
        notice = lifecycle.NoteDunning(2026, 1, DUE, 30_000, DEADLINE, "n1", DEADLINE)
        await apply(uow, household, notice)
        await apply(uow, household, Review(date(2026, 8, 1), RULES))
        on = date(2026, 8, 5)
        await apply(
            uow,
            household,
            Seize("s1", "deposit", "普通預金", 9, None, None, (), "U-1", on, on, RULES),
        )
    async with units() as uow:
        recorded = await uow.events.load(stream_id(household))
        view = await uow.cases.get(household)
    kinds = [r.event_type for r in recorded]
    assert (
        kinds.count("jp.kokuho.delinquency.case_recorded.v1") == 4
    )  # dunned, opened, seized, stage
    assert contracts.PrescriptionRenewed.event_type in kinds
    assert [r.version for r in recorded] == list(range(1, len(recorded) + 1))
    assert {r.envelope.partitionkey for r in recorded} == {household}
    assert view is not None
    assert view.stage == "seizure"
