"""The demo shows a correction in the first correctable year (ADR 0035, 0036): ``seed`` with
``demo_parameters`` (as ``make run`` sets it) assesses household 9900000004 for that year and
corrects it after a corrected income line, both ``PremiumAssessed`` in the event store and the
outbox; without ``demo_parameters`` the year is refused and the seed says why; a second seed
changes nothing."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import asyncpg
import pytest

from kokuho.assessment.app.assessing import first_correctable_year
from kokuho.assessment.bootstrap import parameters_source
from kokuho.assessment.commands import CORRECTION_DEMO, seed
from kokuho.assessment.config import Settings

pytestmark = pytest.mark.integration

NUMBER = CORRECTION_DEMO[0]


async def _premium_events(dsn: str) -> list[dict[str, Any]]:
    """The household's ``PremiumAssessed`` payloads that are stored and queued for Kafka."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT e.envelope FROM events e JOIN outbox o USING (event_id)"
            " WHERE e.stream_id LIKE $1 AND e.event_type LIKE '%premium_assessed%'"
            " ORDER BY e.version",
            f"%{NUMBER}%",
        )
    finally:
        await conn.close()
    return [json.loads(r["envelope"])["data"] for r in rows]


async def test_seed_corrects_a_household_in_the_first_correctable_year(
    assessment_dsn: str,
) -> None:
    settings = Settings(database_dsn=assessment_dsn, demo_parameters=True)
    year = first_correctable_year(parameters_source(settings), date.today())
    said = await seed(settings)
    assert f"FY{year} household {NUMBER} assessed" in said
    events = await _premium_events(assessment_dsn)
    assert [e["kind"] for e in events] == ["assessment", "correction"]
    assert {e["fiscal_year"] for e in events} == {year}
    first, second = events
    assert second["annual_amount"] < first["annual_amount"]  # the income went down
    assert second["difference"] == second["annual_amount"] - first["annual_amount"]
    again = await seed(settings)
    assert f"FY{year} correction demo already seeded" in again
    assert len(await _premium_events(assessment_dsn)) == 2


async def test_without_demo_parameters_the_unconfirmed_year_is_not_seeded(
    assessment_dsn: str,
) -> None:
    settings = Settings(database_dsn=assessment_dsn)
    year = first_correctable_year(parameters_source(settings), date.today())
    said = await seed(settings)
    if year == 2024:  # Hiroshima's FY2024 file is unconfirmed (ADR 0035)
        assert "FY2024 correction demo not seeded" in said
        assert "parameters" in said or "unconfirmed" in said
        assert await _premium_events(assessment_dsn) == []
    else:  # a later year has real files: the demo is seeded with them
        assert f"FY{year} household {NUMBER} assessed" in said
