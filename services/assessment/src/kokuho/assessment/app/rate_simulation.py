"""料率改定試算 (rate-setting simulation, ADR 0039): every household of a fiscal year under the
current parameters and one or more candidate sets given in the request; nothing is stored as
an assessment. Shared by ``POST /rate-simulations`` and the ``rate-simulation`` command."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from pydantic import Field

from kokuho.assessment.app.computing import people_of, to_household
from kokuho.assessment.app.ports import (
    AssessmentUnitPort,
    Assessors,
    ChunkAssessor,
    HouseholdRow,
    ParametersFor,
)
from kokuho.assessment.domain.errors import AssessmentError
from kokuho.assessment.domain.income_file import IncomeRecord
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.assessment.domain.rate_simulation import RateSimulation, SimulationPart, assess_part
from kokuho.platform.models import RequestModel, ResponseModel

FiscalYear = Annotated[int, Field(ge=2000, le=2100, description="fiscal year (April–March)")]
#: a figure as written in a city file: yen (integer), a rate (decimal string), a choice or flag,
#: or the city_reductions list
FigureValue = int | str | bool | list[dict[str, Any]]
CHUNK = 2000
#: chunks read ahead of the oldest one still being assessed (so that workers never wait)
AHEAD = 4


def assess_chunk(
    sets: Sequence[PremiumParameters], rows: list[HouseholdRow], incomes: dict[str, IncomeRecord]
) -> SimulationPart:
    """One chunk under every set, wherever it runs (this process or a worker)."""
    return assess_part(sets, (to_household(row, incomes) for row in rows))


@asynccontextmanager
async def in_this_process(sets: Sequence[PremiumParameters]) -> AsyncIterator[ChunkAssessor]:
    """Each chunk assessed in the caller's own process (tests, a single core)."""

    async def assessor(
        rows: list[HouseholdRow], incomes: dict[str, IncomeRecord]
    ) -> SimulationPart:
        return assess_chunk(sets, rows, incomes)

    yield assessor


class ParameterSet(RequestModel):
    """A candidate: figures of the city file by dotted name, replacing the current ones."""

    name: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    figures: dict[
        Annotated[str, Field(pattern=r"^[a-z_]+(\.[a-z_0-9]+)*$", max_length=100)], FigureValue
    ] = Field(
        min_length=1,
        max_length=100,
        description='e.g. {"components.medical.income_rate": "0.0850"}',
    )


class RateSimulationIn(RequestModel):
    fiscal_year: FiscalYear
    candidates: list[ParameterSet] = Field(min_length=1, max_length=5)


class RateSimulationOut(ResponseModel):
    fiscal_year: int
    households: int
    not_in_year: int
    refused: dict[str, int]
    current: dict[str, Any]
    candidates: list[dict[str, Any]]


class CandidateNamesRepeated(AssessmentError):
    slug = "candidate-names-repeated"

    def __init__(self) -> None:
        super().__init__("each candidate needs a name of its own")


def candidates_of(
    rules: ParametersFor, body: RateSimulationIn
) -> tuple[PremiumParameters, list[tuple[str, PremiumParameters]]]:
    """The current parameters and each candidate's, refused before any household is read."""
    names = [c.name for c in body.candidates]
    if len(set(names)) != len(names) or "current" in names:
        raise CandidateNamesRepeated()
    current = rules(body.fiscal_year)
    return current, [
        (c.name, rules.candidate(body.fiscal_year, c.name, c.figures)) for c in body.candidates
    ]


async def simulate_year(
    uow: AssessmentUnitPort,
    fiscal_year: int,
    current: PremiumParameters,
    candidates: list[tuple[str, PremiumParameters]],
    *,
    chunk: int = CHUNK,
    assessors: Assessors = in_this_process,
) -> RateSimulationOut:
    """Every household eligibility told assessment about, with the income of the year before,
    under each set. Chunks are read while earlier ones are assessed (by ``assessors``: worker
    processes in the service, ADR 0051) and tallied in the order read, so the answer does not
    depend on where they ran. Audited once: the incomes of every household are read, the
    answer holds only totals and counts."""
    simulation = RateSimulation.of(current, candidates)
    async with assessors(simulation.parameters) as assess, uow:
        pending: deque[asyncio.Future[SimulationPart]] = deque()
        try:
            after = ""
            while rows := await uow.households.households_after(after, chunk):
                people = sorted({a for row in rows for a in people_of(row)})
                incomes = await uow.incomes.incomes(people, fiscal_year - 1)
                pending.append(asyncio.ensure_future(assess(rows, incomes)))
                while len(pending) > AHEAD:
                    simulation.absorb(await pending.popleft())
                after = rows[-1].nhi_household_number
            while pending:
                simulation.absorb(await pending.popleft())
        finally:
            for left in pending:
                left.cancel()
        summary = simulation.summary()
        await uow.audit.record(
            subjects=[],
            detail={
                "fiscal_year": fiscal_year,
                "households": simulation.households,
                "candidates": [name for name, _ in candidates],
                "purpose": "rate simulation (aggregates only)",
            },
        )
    return RateSimulationOut(fiscal_year=fiscal_year, **summary)
