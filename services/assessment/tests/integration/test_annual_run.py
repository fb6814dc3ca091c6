"""The annual run on PostgreSQL: chunked, resumable, never assesses a household twice."""

from __future__ import annotations

import gc
import uuid
from datetime import date

import asyncpg
import pytest

from kokuho.assessment.adapters.annual_run import RunSummary, run_annual
from kokuho.assessment.adapters.engine_workers import engine_executor
from kokuho.assessment.adapters.repositories import PostgresAssessments
from kokuho.assessment.app.assessing import explain_stored
from kokuho.assessment.bootstrap import CityRulebook
from kokuho.assessment.synthetic import load
from kokuho.events.contracts.assessment import EVENTS_TOPIC
from kokuho.events.ports import ConcurrencyConflict

from ..conftest import Running

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("workers", [0, 1], ids=["thread", "worker-process"])
async def test_resumable_and_never_twice(assessment_dsn: str, workers: int) -> None:
    """In a thread and in a worker process (which hands the events' data back to be validated
    by the writing process): the same run."""
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
        collecting: list[bool] = []  # the collector is paused while a run writes (ADR 0114)

        def progress(s: RunSummary) -> None:
            seen.append(s.households)
            collecting.append(gc.isenabled())

        first = await run_annual(
            pool,
            rulebook,
            2026,
            actor="U-BATCH",
            today=date(2026, 6, 1),
            chunk_size=20,
            topic=EVENTS_TOPIC,
            stop_after_chunks=1,
            progress=progress,
            workers=workers,
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
            topic=EVENTS_TOPIC,
            progress=progress,
            workers=workers,
        )
        assert collecting == [False, False, False]
        assert gc.isenabled()  # and resumes after it
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
                pool,
                rulebook,
                2026,
                actor="U-BATCH",
                today=date(2026, 6, 2),
                chunk_size=20,
                topic=EVENTS_TOPIC,
            )
            assert not again.resumed
            assert (again.assessed, again.unchanged) == (0, 50)
            assert await conn.fetchval("SELECT count(*) FROM events") == 50
            total = await conn.fetchval("SELECT sum(annual_amount) FROM assessments")
            assert total == resumed.totals["annual_amount"]
            # the explanation is regenerated from the stored inputs, to the same amount
            stored = await PostgresAssessments(conn).load_assessment("5000000000", 2026)
            assert stored is not None
            assert stored.explanation is None
            explanation = explain_stored(stored, rulebook)
            assert explanation["annual_amount"] == stored.annual_amount
            assert explanation["parameters_changed_since_assessment"] is False
            assert sum(i["amount"] for i in stored.instalments) == stored.annual_amount
    finally:
        await pool.close()


@pytest.mark.parametrize("workers", [0, 1], ids=["thread", "worker-process"])
def test_the_engine_runs_without_the_collector_in_a_worker_process(workers: int) -> None:
    """A worker process's collector is off for its life (a run's worker makes no cycles);
    the thread shares this process's, which the run pauses itself (test above)."""
    executor = engine_executor(workers)
    try:
        assert executor.submit(gc.isenabled).result(timeout=60) is (workers == 0)
    finally:
        executor.shutdown()


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
            topic=running.settings.events_topic,
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


async def test_the_annual_run_decides_the_collection_method(assessment_dsn: str) -> None:
    """本算定 loads the householders' pensions and the requests set-based: a pensioner household
    is 特別徴収 with its deductions on the event, one that asked for 口座振替 is 普通徴収."""
    rulebook = CityRulebook("hiroshima", None)
    pool = await asyncpg.create_pool(assessment_dsn, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            for household, person in (("5888888801", "6888888801"), ("5888888802", "6888888802")):
                await conn.execute(
                    "INSERT INTO households VALUES ($1, $2, false, NULL)", household, person
                )
                await conn.execute(
                    "INSERT INTO household_members (nhi_household_number, addressee_number,"
                    " birth_date) VALUES ($1, $2, '1958-06-01')",
                    household,
                    person,
                )
                await conn.execute(
                    "INSERT INTO pensions VALUES ($1, 2026, 2400000, true, 90000, 12000, 'U-P')",
                    person,
                )
            await conn.execute(
                "INSERT INTO collection_method_requests (nhi_household_number, fiscal_year,"
                " method, reason, requested_by) VALUES ('5888888802', 2026, 'ordinary', 'r', 'U')"
            )
        summary = await run_annual(
            pool,
            rulebook,
            2026,
            actor="U-BATCH",
            today=date(2026, 6, 1),
            chunk_size=20,
            topic=EVENTS_TOPIC,
        )
        assert summary.assessed == 2
        async with pool.acquire() as conn:
            store = PostgresAssessments(conn)
            special = await store.load_assessment("5888888801", 2026)
            ordinary = await store.load_assessment("5888888802", 2026)
            assert special is not None
            assert ordinary is not None
            assert special.collection["method"] == "special"
            assert [d["amount"] for d in special.collection["deductions"][:3]] == [12_000] * 3
            assert all(i["amount"] == 0 for i in special.instalments)
            assert ordinary.collection["method"] == "ordinary"
            assert ordinary.collection["reasons"] == ["householder-requested-ordinary-collection"]
            methods = await conn.fetch(
                "SELECT e.envelope::jsonb -> 'data' ->> 'collection_method' AS m"
                " FROM outbox o JOIN events e USING (event_id)"
            )
            assert sorted(r["m"] for r in methods) == ["ordinary", "special"]
    finally:
        await pool.close()


@pytest.mark.parametrize("workers", [0, 1], ids=["thread", "worker-process"])
async def test_a_failed_write_stops_the_run_after_the_committed_chunks(
    assessment_dsn: str, workers: int
) -> None:
    """The next chunk is validated while the previous one is written (ADR 0106), but the
    writes stay one at a time and in order: when the second chunk's write fails, the run fails
    with its error, the first chunk stays committed with the checkpoint at its end, and nothing
    after it is written; the resumed run then starts after the first chunk."""
    rulebook = CityRulebook("hiroshima", None)
    pool = await asyncpg.create_pool(assessment_dsn, min_size=1, max_size=3)
    try:
        async with pool.acquire() as conn:
            await load(conn, 60, 2026)
            numbers = [
                r[0]
                for r in await conn.fetch("SELECT nhi_household_number FROM households ORDER BY 1")
            ]
            # someone else's event on a stream of the second chunk: its append conflicts
            await conn.execute(
                "INSERT INTO events (stream_id, version, event_id, event_type, occurred_at,"
                " envelope) VALUES ($1, 1, $2, 'x', now(), '{}')",
                f"premium-{numbers[25]}-2026",
                uuid.uuid4(),
            )
        with pytest.raises(ConcurrencyConflict):
            await run_annual(
                pool,
                rulebook,
                2026,
                actor="U-BATCH",
                today=date(2026, 6, 1),
                chunk_size=20,
                topic=EVENTS_TOPIC,
                workers=workers,
            )
        async with pool.acquire() as conn:
            run = await conn.fetchrow("SELECT checkpoint, households, status FROM annual_runs")
            assert (run["checkpoint"], run["households"], run["status"]) == (
                numbers[19],
                20,
                "running",
            )
            assessed = await conn.fetch("SELECT nhi_household_number FROM assessments ORDER BY 1")
            assert [r[0] for r in assessed] == numbers[:20]
            assert await conn.fetchval("SELECT count(*) FROM outbox") == 20
    finally:
        await pool.close()
