"""The demo seed: cases at every stage, made through the use cases, once."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from kokuho.delinquency.commands import seed
from kokuho.delinquency.config import Settings

NOW = datetime(2026, 8, 3, 3, 0, tzinfo=UTC)


async def test_the_seed_makes_a_case_at_every_stage_once(settings: Settings) -> None:
    first = await seed(settings, lambda: NOW)
    again = await seed(settings, lambda: NOW)
    assert "9 delinquency cases" in first
    assert "exist already" in again
    conn = await asyncpg.connect(settings.database_dsn)
    try:
        rows = await conn.fetch("SELECT status, stage FROM case_views ORDER BY household")
        flagged = await conn.fetchval(
            "SELECT count(*) FROM case_views WHERE state->'special_care'->>'flagged_on' IS NOT NULL"
        )
    finally:
        await conn.close()
    states = {(r["status"], r["stage"]) for r in rows}
    assert {
        ("open", s)
        for s in ("reminder", "negotiation", "plan", "investigation", "seizure", "suspended")
    } <= states
    assert ("watching", None) in states
    assert ("closed", "reminder") in states
    assert flagged == 1
