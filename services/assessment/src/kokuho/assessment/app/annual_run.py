"""本算定: assess every household for a fiscal year, chunk by chunk (pure planning here; the
PostgreSQL batch that loads and writes each chunk set-based is in ``adapters.annual_run``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from pydantic_core import to_json

from kokuho.assessment.app.computing import CollectionFacts
from kokuho.assessment.app.deciding import assessment_append, decide_revision, stream_id
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
from kokuho.events.contracts.assessment import PremiumAssessed
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
    #: made with ``validated=False``: each assessment's PremiumAssessed data instead of its
    #: append, for :func:`encoded_event` in a worker process
    event_data: list[dict[str, Any]] = field(default_factory=list)
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
    new_ids: Callable[[int], Iterator[UUID]] | None = None,
    validated: bool = True,
) -> ChunkPlan:
    """The chunk's new revisions and their events. ``new_ids(n)``: n assessment ids drawn at
    once (the store's ``random_ids``): a ``uuid4`` per household reads the system's random
    source each time, releasing the GIL, and the engine's thread then waited for the writes'
    thread to give it back. ``validated=False``: the events' data only (a worker process's
    plan, see :func:`encoded_event`)."""
    plan = ChunkPlan()
    ids = new_ids(len(facts.households)) if new_ids is not None else None
    for row in facts.households:
        number = row.nhi_household_number
        try:
            decided = decide_revision(
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
                assessment_id=None if ids is None else next(ids),
            )
        except AssessmentError as refused:
            plan.refused.append({"nhi_household_number": number, "reason": str(refused)})
            continue
        if decided is None:
            plan.unchanged += 1
            continue
        stored, data = decided
        plan.assessments.append(stored)
        if validated:
            event = PremiumAssessed.model_validate(data)
            plan.appends.append(assessment_append(stored, event, context, topic))
        else:
            plan.event_data.append(data)
        plan.totals["annual_amount"] += stored.annual_amount
        for component in stored.components:
            plan.totals[component["component"]] += component["amount"]
        plan.reductions[str(stored.statutory_reduction)] += 1
    return plan


#: one PremiumAssessed as a worker process hands it back: its household, fiscal year and
#: revision (the stream's head) and its values as JSON (bytes pickle at no cost)
EncodedEvent = tuple[str, int, int, bytes]


#: the event's values that are also the read model's documents, encoded once for both
_SHARED = frozenset({"components", "instalments"})


def encoded_event(
    stored: StoredAssessment, data: dict[str, Any], components: bytes, instalments: bytes
) -> EncodedEvent:
    """One event of a worker process's plan (``validated=False``) as JSON, its components and
    instalments spliced in as the read model's row already encoded them (they are the same
    lists): the writing process validates the whole document, and field order is free in
    it (ADR 0114)."""
    rest = to_json({k: v for k, v in data.items() if k not in _SHARED})
    raw = b'%b,"components":%b,"instalments":%b}' % (rest[:-1], components, instalments)
    return stored.nhi_household_number, stored.fiscal_year, stored.revision, raw


def validated_appends(
    events: list[EncodedEvent], *, topic: str, context: EventContext
) -> list[StreamAppend]:
    """The events of :func:`encoded_event` validated into their contract, once, in the process
    that appends them (the contract's instances pickled ten times slower than their data, ADR
    0103): the same contract in JSON mode, the same instances as ``model_validate`` of the
    values, the same append as ``assessment_append`` (test_annual_run_encoding.py)."""
    return [
        StreamAppend(
            stream_id(household, fiscal_year),
            revision - 1,
            [PremiumAssessed.model_validate_json(raw)],
            topic=topic,
            partition_key=household,
            context=context,
        )
        for household, fiscal_year, revision, raw in events
    ]


async def latest_run(uow: AssessmentUnitPort, fiscal_year: int) -> AnnualRunRecord | None:
    """The latest annual run of the year (no personal data: counts and totals only)."""
    async with uow:
        return await uow.annual_runs.latest(fiscal_year)
