"""本算定: assess every household for a fiscal year, chunk by chunk (pure planning here; the
PostgreSQL batch that loads and writes each chunk set-based is in ``adapters.annual_run``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from kokuho.assessment.app.computing import CollectionFacts
from kokuho.assessment.app.deciding import assessment_append, decide_assessment
from kokuho.assessment.app.ports import (
    AnnualRunRecord,
    AssessmentUnitPort,
    HouseholdRow,
    PensionRecord,
    StoredAssessment,
)
from kokuho.assessment.domain.errors import AssessmentError
from kokuho.assessment.domain.income_file import IncomeRecord
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.events.ports import EventContext, StreamAppend


@dataclass(frozen=True)
class ChunkFacts:
    households: list[HouseholdRow]
    incomes: dict[str, IncomeRecord]  # of the income year (fiscal year − 1)
    previous: dict[str, StoredAssessment]
    ratios: dict[str, list[int]]
    #: the householders' pensions of the fiscal year (by addressee number) and the households'
    #: requested collection methods, so that 本算定 decides 特別徴収 as every other assessment
    pensions: dict[str, PensionRecord] = field(default_factory=dict)
    requested: dict[str, str] = field(default_factory=dict)


@dataclass
class ChunkPlan:
    assessments: list[StoredAssessment] = field(default_factory=list)
    appends: list[StreamAppend] = field(default_factory=list)
    unchanged: int = 0
    refused: list[dict[str, str]] = field(default_factory=list)
    totals: Counter[str] = field(default_factory=Counter)
    reductions: Counter[str] = field(default_factory=Counter)


def plan_chunk(
    facts: ChunkFacts,
    params: PremiumParameters,
    dues: list[date],
    *,
    today: date,
    actor: str,
    topic: str,
    context: EventContext,
) -> ChunkPlan:
    plan = ChunkPlan()
    for row in facts.households:
        number = row.nhi_household_number
        try:
            decided = decide_assessment(
                row,
                facts.incomes,
                facts.ratios.get(number, []),
                facts.previous.get(number),
                params,
                dues,
                cause="annual_run",
                actor=actor,
                today=today,
                explain=False,  # regenerated from the stored inputs on request
                collection=CollectionFacts(
                    facts.pensions.get(row.householder_addressee_number),
                    facts.requested.get(number),
                ),
            )
        except AssessmentError as refused:
            plan.refused.append({"nhi_household_number": number, "reason": str(refused)})
            continue
        if decided is None:
            plan.unchanged += 1
            continue
        stored, event = decided
        plan.assessments.append(stored)
        plan.appends.append(assessment_append(stored, event, context, topic))
        plan.totals["annual_amount"] += stored.annual_amount
        for component in stored.components:
            plan.totals[component["component"]] += component["amount"]
        plan.reductions[str(stored.statutory_reduction)] += 1
    return plan


async def latest_run(uow: AssessmentUnitPort, fiscal_year: int) -> AnnualRunRecord | None:
    """The latest annual run of the year (no personal data: counts and totals only)."""
    async with uow:
        return await uow.annual_runs.latest(fiscal_year)
