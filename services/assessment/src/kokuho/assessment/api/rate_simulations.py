"""料率改定試算: the whole city under candidate parameter sets (nothing stored)."""

from __future__ import annotations

from fastapi import APIRouter

from kokuho.assessment.api.deps import AssessmentDep, ReadDep, Simulator
from kokuho.assessment.app.rate_simulation import (
    RateSimulationIn,
    RateSimulationOut,
    candidates_of,
    simulate_year,
)

router = APIRouter(prefix="/api/v1", tags=["assessment"])


@router.post("/rate-simulations")
async def simulate_rates(
    body: RateSimulationIn, user: Simulator, ports: AssessmentDep, read: ReadDep
) -> RateSimulationOut:
    """料率改定試算: every household of the year under the current rates and each candidate set
    (figures of the city file by dotted name): levy per component, households at each cap and
    each 7/5/2割 level, premium deciles and the difference against the current rates. A
    malformed candidate is refused (422) before any household is read."""
    current, candidates = candidates_of(ports.rules, body)
    return await read.run(
        lambda uow: simulate_year(
            uow, body.fiscal_year, current, candidates, assessors=ports.simulation
        ),
        lambda out: out,
    )
