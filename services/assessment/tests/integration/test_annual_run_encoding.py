"""A worker process's plan, encoded (ADR 0106): the read model's rows as JSON text and each
PremiumAssessed as JSON, validated by the writing process in JSON mode. Against the thread's
plan (each event validated from its values, ``assessment_append``) on the same households and
the same ids: the same rows, the same appends, the same events, byte for byte, for first
assessments (特別徴収, 減免, requests) and for corrections later in the year."""

from __future__ import annotations

import pickle
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import partial

import asyncpg
import pytest
from pydantic import ValidationError
from pydantic_core import to_json

from kokuho.assessment.adapters.annual_run import _load_chunk, run_annual
from kokuho.assessment.adapters.engine_workers import EncodedPlan, encoded_plan
from kokuho.assessment.adapters.household_projection import PostgresHouseholdProjection
from kokuho.assessment.adapters.repositories import (
    PostgresAssessments,
    PostgresIncomes,
    PostgresPensions,
    PostgresReductions,
)
from kokuho.assessment.adapters.rows import RawChunk, chunk_facts
from kokuho.assessment.app.annual_run import plan_chunk, validated_appends
from kokuho.assessment.app.computing import people_of
from kokuho.assessment.bootstrap import CityRulebook
from kokuho.assessment.domain.instalments import due_dates
from kokuho.assessment.synthetic import load
from kokuho.events.contracts.assessment import EVENTS_TOPIC
from kokuho.events.ports import EventContext, StreamAppend
from kokuho.events.runtime.store import encode_events

pytestmark = pytest.mark.integration

CONTEXT = EventContext(correlation_id=uuid.UUID(int=7))


def fixed_ids(count: int) -> Iterator[uuid.UUID]:
    """The same assessment ids for both plans (module level: it crosses a pickle)."""
    return iter(uuid.UUID(int=i + 1) for i in range(count))


def _plans(chunk: RawChunk, today: date) -> tuple[EncodedPlan, EncodedPlan, list[StreamAppend]]:
    rulebook = CityRulebook("hiroshima", None)
    params = rulebook(2026)
    dues = due_dates(2026, params.instalments, rulebook.is_holiday)
    options = dict(
        params=params,
        dues=dues,
        today=today,
        actor="U-BATCH",
        topic=EVENTS_TOPIC,
        context=CONTEXT,
        new_ids=fixed_ids,
    )
    thread = encoded_plan(partial(plan_chunk, **options, validated=True), chunk)
    # the worker's chunk and plan cross the process boundary as pickles
    worker_plan = partial(plan_chunk, **options, validated=False)
    worker: EncodedPlan = pickle.loads(
        pickle.dumps(encoded_plan(worker_plan, pickle.loads(pickle.dumps(chunk))))
    )
    appends = validated_appends(worker.events, topic=EVENTS_TOPIC, context=CONTEXT)
    return thread, worker, appends


def _assert_same(thread: EncodedPlan, worker: EncodedPlan, appends: list[StreamAppend]) -> None:
    assert thread.events == []
    assert worker.appends == []
    assert worker.rows == thread.rows
    assert [a.stream_id for a in appends] == [a.stream_id for a in thread.appends]
    now = datetime(2026, 6, 1, tzinfo=UTC)
    for mine, theirs in zip(appends, thread.appends, strict=True):
        assert (mine.expected_version, mine.topic, mine.partition_key, mine.context) == (
            theirs.expected_version,
            theirs.topic,
            theirs.partition_key,
            theirs.context,
        )
        assert mine.events == theirs.events
        assert [type(e) for e in mine.events] == [type(e) for e in theirs.events]
        assert to_json(mine.events[0]) == to_json(theirs.events[0])
        # the envelopes as the event store writes and publishes them, with the same event id
        same_id = [uuid.UUID(int=99)]
        assert encode_events("/kokuho/assessment", mine, now, (None, None), iter(same_id)) == (
            encode_events("/kokuho/assessment", theirs, now, (None, None), iter(same_id))
        )
    assert (worker.unchanged, worker.refused, worker.totals, worker.reductions) == (
        thread.unchanged,
        thread.refused,
        thread.totals,
        thread.reductions,
    )


async def _assert_facts_as_the_requests_load_them(
    conn: asyncpg.Connection, chunk: RawChunk
) -> None:
    """The worker's records, built from the chunk's plain rows, against the repositories'
    loads of one household at a time (the request path)."""
    facts = chunk_facts(pickle.loads(pickle.dumps(chunk)))
    assert len(facts.households) == chunk.households == 300
    assert chunk.last_household == facts.households[-1].nhi_household_number
    people: set[str] = set()
    for row in facts.households:
        number = row.nhi_household_number
        assert row == await PostgresHouseholdProjection(conn).load_household(number)
        assert facts.previous.get(number) == (
            await PostgresAssessments(conn).load_assessment(number, 2026)
        )
        assert facts.ratios.get(number, []) == (
            await PostgresReductions(conn).approved_reduction_ratios(number, 2026)
        )
        pensions = PostgresPensions(conn)
        householder = row.householder_addressee_number
        assert facts.pensions.get(householder) == await pensions.pension(householder, 2026)
        assert facts.requested.get(number) == await pensions.requested_method(number, 2026)
        people |= set(people_of(row))
    assert facts.incomes == await PostgresIncomes(conn).incomes(sorted(people), 2025)
    assert all((facts.incomes, facts.pensions, facts.requested, facts.ratios))


async def test_the_encoded_plan_writes_what_the_thread_writes(assessment_dsn: str) -> None:
    pool = await asyncpg.create_pool(assessment_dsn, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await load(conn, 300, 2026)
            heads = await conn.fetch(
                "SELECT nhi_household_number, householder_addressee_number FROM households"
                " ORDER BY nhi_household_number"
            )
            for head in heads[:40]:  # pensioners: 特別徴収, unless they asked otherwise
                await conn.execute(
                    "INSERT INTO pensions VALUES ($1, 2026, 2400000, true, 90000, 12000, 'U-P')",
                    head["householder_addressee_number"],
                )
            for head in heads[30:40]:
                await conn.execute(
                    "INSERT INTO collection_method_requests (nhi_household_number,"
                    " fiscal_year, method, reason, requested_by)"
                    " VALUES ($1, 2026, 'ordinary', 'r', 'U')",
                    head["nhi_household_number"],
                )
            for head in heads[50:70]:  # 減免 on application
                await conn.execute(
                    "INSERT INTO reduction_exemptions (application_id, nhi_household_number,"
                    " fiscal_year, reason_code, reason, ratio_percent, status, entered_by)"
                    " VALUES ($1, $2, 2026, 'disaster', '火災', 50, 'approved', 'U-TEST')",
                    uuid.uuid4(),
                    head["nhi_household_number"],
                )
            chunk = await _load_chunk(conn, 2026, "", 1000)
            await _assert_facts_as_the_requests_load_them(conn, chunk)
        first = _plans(chunk, date(2026, 6, 1))
        assert len(first[0].rows) == 300
        events = [e for a in first[2] for e in a.events]
        assert {e.kind for e in events} == {"assessment"}  # type: ignore[attr-defined]
        assert {e.collection_method for e in events} == {"special", "ordinary"}  # type: ignore[attr-defined]
        assert any(e.reduction_exemption_amount > 0 for e in events)  # type: ignore[attr-defined]
        _assert_same(*first)

        # stored, then a third of the incomes change: corrections (revision 2) and unchanged
        await run_annual(
            pool,
            CityRulebook("hiroshima", None),
            2026,
            actor="U-BATCH",
            today=date(2026, 6, 1),
            chunk_size=100,
            topic=EVENTS_TOPIC,
        )
        async with pool.acquire() as conn:
            await conn.execute(
                "UPDATE incomes SET other_income = other_income + 1500000"
                " WHERE right(addressee_number, 1) IN ('1', '4', '7')"
            )
            chunk = await _load_chunk(conn, 2026, "", 1000)
            await _assert_facts_as_the_requests_load_them(conn, chunk)
        later = _plans(chunk, date(2026, 9, 15))
        assert later[0].unchanged > 0
        assert later[2]
        assert {e.kind for a in later[2] for e in a.events} == {"correction"}  # type: ignore[attr-defined]
        _assert_same(*later)
    finally:
        await pool.close()


def test_the_writing_process_still_validates_the_contract() -> None:
    """JSON mode is the same contract: a value out of bounds is refused, not written."""
    event = {
        "assessment_id": str(uuid.UUID(int=1)),
        "nhi_household_number": "5000000001",
        "fiscal_year": 2026,
        "revision": 1,
        "kind": "assessment",
        "cause": "annual_run",
        "assessed_on": "2026-06-01",
        "annual_amount": 1000,
        "difference": 1000,
        "statutory_reduction": 0,
        "insured_months": 12,
        "components": [],
        "parameter_documents": ["national-2026"],
    }
    good = validated_appends(
        [("5000000001", 2026, 1, to_json(event))], topic=EVENTS_TOPIC, context=CONTEXT
    )
    assert good[0].stream_id == "premium-5000000001-2026"
    assert good[0].expected_version == 0
    for field, bad in (("annual_amount", -1), ("statutory_reduction", 3), ("revision", 0)):
        with pytest.raises(ValidationError):
            validated_appends(
                [("5000000001", 2026, 1, to_json({**event, field: bad}))],
                topic=EVENTS_TOPIC,
                context=CONTEXT,
            )
    with pytest.raises(ValidationError):
        validated_appends(
            [("5000000001", 2026, 1, to_json({**event, "extra": "x"}))],
            topic=EVENTS_TOPIC,
            context=CONTEXT,
        )
