"""assessment: 料率改定試算 (rate-setting simulation) of the whole city on a database of the
bench's own: N synthetic households (150,000 by default) with members and previous-year
incomes, every one assessed under the current FY2026 parameters and one candidate set
(``app/rate_simulation.simulate_year``, what ``POST /api/v1/rate-simulations`` and the
``rate-simulation`` command run), nothing stored. The baseline, measured in the same run, is
reading the same households and incomes chunk by chunk without assessing them (what the
simulation costs beyond its reads).

    uv run python -m bench.rate_simulation --households 150000

The population is loaded first (untimed, by COPY)."""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

import asyncpg

from bench.infra import endpoints
from kokuho.assessment.adapters.simulation_workers import worker_processes
from kokuho.assessment.adapters.unit_of_work import AssessmentUnit
from kokuho.assessment.app.computing import people_of
from kokuho.assessment.app.rate_simulation import (
    RateSimulationIn,
    RateSimulationOut,
    candidates_of,
    simulate_year,
)
from kokuho.assessment.bootstrap import CityRulebook
from kokuho.assessment.synthetic import load
from kokuho.platform.audit import RequestAudit
from kokuho.platform.testing import migrated_database

MIGRATIONS = Path(__file__).resolve().parents[1] / "services" / "assessment" / "migrations"
FISCAL_YEAR = 2026
CHUNK = 2000
CANDIDATE = {
    "name": "medical-up",
    "figures": {"components.medical.income_rate": "0.0850", "components.medical.cap": 650000},
}


async def _reads_only(conn: asyncpg.Connection) -> tuple[int, float]:
    """The baseline: the simulation's reads (households, members, incomes) and nothing else."""
    unit = AssessmentUnit(conn=conn, topic="bench.unused")
    started = time.perf_counter()
    households = 0
    after = ""
    async with unit:
        while rows := await unit.households.households_after(after, CHUNK):
            people = sorted({a for row in rows for a in people_of(row)})
            await unit.incomes.incomes(people, FISCAL_YEAR - 1)
            households += len(rows)
            after = rows[-1].nhi_household_number
    return households, time.perf_counter() - started


async def _simulated(conn: asyncpg.Connection, workers: int) -> tuple[RateSimulationOut, float]:
    rules = CityRulebook("hiroshima", None)
    body = RateSimulationIn.model_validate({"fiscal_year": FISCAL_YEAR, "candidates": [CANDIDATE]})
    current, candidates = candidates_of(rules, body)
    trail = RequestAudit.of_system(lambda: conn, "system:rate-simulation", "rate-simulation")
    unit = AssessmentUnit(conn=conn, topic="bench.unused", audit=trail)
    started = time.perf_counter()
    out = await simulate_year(
        unit, FISCAL_YEAR, current, candidates, chunk=CHUNK, assessors=worker_processes(workers)
    )
    return out, time.perf_counter() - started


async def run(admin_dsn: str, households: int, workers: int = 2) -> str:
    async with migrated_database(admin_dsn, MIGRATIONS) as dsn:
        conn = await asyncpg.connect(dsn)
        try:
            members = await load(conn, households, FISCAL_YEAR)
            read, baseline = await _reads_only(conn)
            out, simulated = await _simulated(conn, workers)
        finally:
            await conn.close()
    difference = out.candidates[0]["difference"]
    return (
        f"rate simulation FY{FISCAL_YEAR}: {out.households} households ({members} members) "
        f"under 2 parameter sets (current + {CANDIDATE['name']}) in {simulated:.1f} s "
        f"with {workers} worker process{'es' if workers > 1 else ''} "
        f"({out.households / simulated:,.0f} households/s, "
        f"{simulated / max(out.households, 1) / 2 * 1e6:.0f} µs a household and set); "
        f"reads alone ({read} households) {baseline:.2f} s; ratio {simulated / baseline:.1f}x; "
        f"candidate total {difference['total']:+,} yen, "
        f"{difference['households_up']:,} households up"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=150_000)
    parser.add_argument("--workers", type=int, default=2, help="processes assessing (1: inline)")
    args = parser.parse_args()
    admin, _kafka = endpoints()
    print(asyncio.run(run(admin, args.households, args.workers)))
