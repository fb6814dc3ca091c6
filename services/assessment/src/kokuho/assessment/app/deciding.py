"""Deciding an assessment: the new revision and its ``PremiumAssessed``, or nothing when the
premium (and the collection method) did not change, so nothing is ever assessed twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from uuid import UUID, uuid4

from kokuho.assessment.app.computing import (
    CollectionFacts,
    Computed,
    collection_of,
    compute,
    to_household,
)
from kokuho.assessment.app.ports import HouseholdRow, StoredAssessment
from kokuho.assessment.domain.errors import NoInsuredMonths
from kokuho.assessment.domain.income_file import IncomeRecord
from kokuho.assessment.domain.instalments import Instalment as DueInstalment
from kokuho.assessment.domain.instalments import split
from kokuho.assessment.domain.notices import notice_kind, notice_number
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.events.contracts.assessment import PremiumAssessed
from kokuho.events.contracts.payment_numbers import payment_numbers
from kokuho.events.ports import EventContext, StreamAppend

#: the due dates' text: the same ten dates for every household of a run
_iso = lru_cache(maxsize=256)(date.isoformat)


def stream_id(nhi_household_number: str, fiscal_year: int) -> str:
    return f"premium-{nhi_household_number}-{fiscal_year}"


def same_components(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> bool:
    """The components unchanged, compared on the figures the stored ones have: a revision
    stored before a figure was added (the 軽減額, ADR 0080) is not re-assessed for it alone."""
    return len(before) == len(after) and all(
        b == {k: v for k, v in a.items() if k in b} for b, a in zip(before, after, strict=True)
    )


@dataclass(frozen=True)
class AssessOutcome:
    assessment: StoredAssessment
    changed: bool


def decide_assessment(
    row: HouseholdRow,
    incomes: dict[str, IncomeRecord],
    ratios: list[int],
    previous: StoredAssessment | None,
    params: PremiumParameters,
    dues: list[date],
    *,
    cause: str,
    actor: str,
    today: date,
    explain: bool = True,
    collection: CollectionFacts | None = None,
    assessment_id: UUID | None = None,
) -> tuple[StoredAssessment, PremiumAssessed] | None:
    """The new assessment and its event, or None when the premium is unchanged (so a repeated
    request or a re-run never assesses a household twice).

    ``assessment_id``: the new revision's id (a batch draws its ids at once; else ``uuid4``)."""
    decided = decide_revision(
        row,
        incomes,
        ratios,
        previous,
        params,
        dues,
        cause=cause,
        actor=actor,
        today=today,
        explain=explain,
        collection=collection,
        assessment_id=assessment_id,
    )
    if decided is None:
        return None
    stored, data = decided
    return stored, PremiumAssessed.model_validate(data)


def decide_revision(
    row: HouseholdRow,
    incomes: dict[str, IncomeRecord],
    ratios: list[int],
    previous: StoredAssessment | None,
    params: PremiumParameters,
    dues: list[date],
    *,
    cause: str,
    actor: str,
    today: date,
    explain: bool = True,
    collection: CollectionFacts | None = None,
    assessment_id: UUID | None = None,
) -> tuple[StoredAssessment, dict[str, Any]] | None:
    """:func:`decide_assessment` with its event's data not yet validated into the contract:
    the annual run's worker processes hand plain data back, which pickles ten times faster
    than the contract's instances, and the writing process validates each event once, where
    it enters the event store (ADR 0103)."""
    household = to_household(row, incomes)
    try:
        computed = compute(household, params, ratios, explain=explain)
    except NoInsuredMonths:
        if previous is None:
            raise
        # a correction to nothing: every member's months went away (e.g. a loss backdated)
        computed = Computed(0, 0, 0, 0, [], None, params.documents, digest=params.digest)
    # None: the caller did not load the collection facts (the annual run), so no method is
    # decided and the stored one is not compared
    method: dict[str, Any] = (
        {}
        if collection is None
        else collection_of(household, params, computed.annual_amount, collection)
    )
    if (
        previous is not None
        and previous.annual_amount == computed.annual_amount
        and same_components(previous.components, computed.components)
        and (collection is None or previous.collection == method)
    ):
        return None
    stored = _stored(
        row, previous, params, dues, computed, method, cause, actor, today, assessment_id
    )
    return stored, premium_assessed_data(stored, previous, today, computed)


def _stored(
    row: HouseholdRow,
    previous: StoredAssessment | None,
    params: PremiumParameters,
    dues: list[date],
    computed: Computed,
    method: dict[str, Any],
    cause: str,
    actor: str,
    today: date,
    assessment_id: UUID | None = None,
) -> StoredAssessment:
    """The next revision, with its 期割 instalments (differences against the previous ones)."""
    before = [
        DueInstalment(i["period"], date.fromisoformat(i["due_date"]), i["amount"])
        for i in (previous.instalments if previous else [])
    ]
    # under 特別徴収 the pension deductions collect the whole premium: no 普通徴収 instalments
    ordinary_amount = 0 if method.get("method") == "special" else computed.annual_amount
    instalments = split(ordinary_amount, dues, today, params.instalments.amount_unit, before)
    # the slips' 納付番号, by which collection matches a bank's payment to an instalment
    numbers = payment_numbers(
        params.fiscal_year, row.nhi_household_number, [i.period for i in instalments]
    )
    return StoredAssessment(
        nhi_household_number=row.nhi_household_number,
        fiscal_year=params.fiscal_year,
        revision=1 if previous is None else previous.revision + 1,
        assessment_id=uuid4() if assessment_id is None else assessment_id,
        annual_amount=computed.annual_amount,
        statutory_reduction=computed.statutory_reduction,
        reduction_exemption_amount=computed.reduction_exemption_amount,
        components=computed.components,
        explanation=computed.explanation,
        cause=cause,
        assessed_by=actor,
        inputs=computed.inputs,
        parameters_digest=computed.digest,
        collection=method,
        notice_issued_on=today,
        instalments=[
            {
                "period": i.period,
                "due_date": _iso(i.due_date),
                "amount": i.amount,
                "difference": i.difference,
                "payment_number": number,
            }
            for i, number in zip(instalments, numbers, strict=True)
        ],
    )


def assessment_append(
    stored: StoredAssessment,
    event: PremiumAssessed,
    context: EventContext | None,
    topic: str,
) -> StreamAppend:
    return StreamAppend(
        stream_id(stored.nhi_household_number, stored.fiscal_year),
        stored.revision - 1,
        [event],
        topic=topic,
        partition_key=stored.nhi_household_number,
        context=context or EventContext(),
    )


def premium_assessed(
    stored: StoredAssessment,
    previous: StoredAssessment | None,
    today: date,
    computed: Computed,
) -> PremiumAssessed:
    # one validation of the whole event (nested parts included) is the cheapest way in pydantic:
    # building the instances without it (model_construct, or by hand) was slower (issue 15)
    return PremiumAssessed.model_validate(premium_assessed_data(stored, previous, today, computed))


def premium_assessed_data(
    stored: StoredAssessment,
    previous: StoredAssessment | None,
    today: date,
    computed: Computed,
) -> dict[str, Any]:
    """The values of ``stored``'s ``PremiumAssessed``, to be validated by the contract."""
    return {
        "assessment_id": stored.assessment_id,
        "nhi_household_number": stored.nhi_household_number,
        "fiscal_year": stored.fiscal_year,
        "revision": stored.revision,
        "kind": "assessment" if previous is None else "correction",
        "cause": stored.cause,
        "assessed_on": today,
        "annual_amount": stored.annual_amount,
        "previous_annual_amount": None if previous is None else previous.annual_amount,
        "difference": stored.annual_amount - (0 if previous is None else previous.annual_amount),
        "reduction_exemption_amount": stored.reduction_exemption_amount,
        "statutory_reduction": stored.statutory_reduction,
        "insured_months": computed.insured_months,
        "components": stored.components,
        "instalments": stored.instalments,
        "parameter_documents": [d.removesuffix(".toml") for d in computed.documents],
        "assessed_by": stored.assessed_by,
        "notice_number": notice_number(
            stored.fiscal_year, stored.nhi_household_number, stored.revision
        ),
        "notice_kind": notice_kind(stored.revision),
        "notice_issued_on": today,
        **(
            {
                "collection_method": stored.collection["method"],
                "special_collection_deductions": stored.collection["deductions"],
            }
            if stored.collection
            else {}
        ),
    }
