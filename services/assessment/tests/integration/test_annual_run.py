"""The annual run on PostgreSQL: chunked, resumable, never assesses a household twice."""

from __future__ import annotations

from datetime import date

import asyncpg
import pytest

from kokuho.assessment.adapters.annual_run import run_annual
from kokuho.assessment.adapters.postgres import PostgresAssessmentStore
from kokuho.assessment.app.assessing import explain_stored
from kokuho.assessment.bootstrap import CityRulebook
from kokuho.assessment.synthetic import load

from ..conftest import Running

pytestmark = pytest.mark.integration


async def test_resumable_and_never_twice(assessment_dsn: str) -> None:
    rulebook = CityRulebook("hiroshima", None)
    pool = await asyncpg.create_pool(assessment_dsn, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await load(conn, 50, 2026)
            # a household whose only member left before the fiscal year: refused with a reason
            await conn.execute(
                "INSERT INTO households VALUES ('5999999999', '6999999900', false, NULL)"
            )
            await conn.execute(
                "INSERT INTO household_members (nhi_household_number, addressee_number,"
                " birth_date, loss_date) VALUES ('5999999999', '6999999900', '1980-01-01',"
                " '2026-03-01')"
            )
        seen: list[int] = []
        first = await run_annual(
            pool,
            rulebook,
            2026,
            actor="U-BATCH",
            today=date(2026, 6, 1),
            chunk_size=20,
            stop_after_chunks=1,
            progress=lambda s: seen.append(s.households),
        )
        assert first.households == 20
        assert not first.resumed
        resumed = await run_annual(
            pool,
            rulebook,
            2026,
            actor="U-BATCH",
            today=date(2026, 6, 1),
            chunk_size=20,
            progress=lambda s: seen.append(s.households),
        )
        assert resumed.resumed
        assert resumed.run_id == first.run_id
        assert resumed.households == 51
        assert resumed.assessed == 50
        assert [r["nhi_household_number"] for r in resumed.refused] == ["5999999999"]
        assert seen == [20, 40, 51]
        assert resumed.totals["annual_amount"] == sum(
            v for k, v in resumed.totals.items() if k != "annual_amount"
        )
        async with pool.acquire() as conn:
            events = await conn.fetchval("SELECT count(*) FROM events")
            outbox = await conn.fetchval("SELECT count(*) FROM outbox")
            assert events == outbox == 50
            again = await run_annual(
                pool, rulebook, 2026, actor="U-BATCH", today=date(2026, 6, 2), chunk_size=20
            )
            assert not again.resumed
            assert (again.assessed, again.unchanged) == (0, 50)
            assert await conn.fetchval("SELECT count(*) FROM events") == 50
            total = await conn.fetchval("SELECT sum(annual_amount) FROM assessments")
            assert total == resumed.totals["annual_amount"]
            # the explanation is regenerated from the stored inputs, to the same amount
            stored = await PostgresAssessmentStore(conn).load_assessment("5000000000", 2026)
            assert stored is not None
            assert stored.explanation is None
            explanation = explain_stored(stored, rulebook)
            assert explanation["annual_amount"] == stored.annual_amount
            assert explanation["parameters_changed_since_assessment"] is False
            assert sum(i["amount"] for i in stored.instalments) == stored.annual_amount
    finally:
        await pool.close()


async def test_progress_and_summary_over_the_api(running: Running) -> None:
    r = await running.client.get(
        "/api/v1/annual-runs/2026", headers=running.headers("batch.operator")
    )
    assert r.status_code == 404
    pool = await asyncpg.create_pool(running.dsn, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await load(conn, 12, 2026)
        summary = await run_annual(
            pool,
            CityRulebook("hiroshima", None),
            2026,
            actor="U-BATCH",
            today=date(2026, 6, 1),
            chunk_size=5,
        )
    finally:
        await pool.close()
    r = await running.client.get(
        "/api/v1/annual-runs/2026", headers=running.headers("batch.operator")
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "finished"
    assert body["households"] == body["assessed"] == 12
    assert body["totals"]["annual_amount"] == summary.totals["annual_amount"] > 0
    assert sum(body["statutory_reductions"].values()) == 12
