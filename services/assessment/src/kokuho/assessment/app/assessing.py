"""Assess a household for a fiscal year: load the facts, run the engine, apply approved 減免,
store the result and publish ``PremiumAssessed`` when (and only when) it changed."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol
from uuid import uuid4

from kokuho.assessment.app.explanation import component_json, explanation_json, statutory_level
from kokuho.assessment.app.ports import (
    AssessmentStore,
    HouseholdRow,
    PensionRecord,
    StoredAssessment,
)
from kokuho.assessment.app.snapshot import household_from_json, household_json
from kokuho.assessment.domain.calendar import fiscal_year_of
from kokuho.assessment.domain.errors import (
    AssessmentError,
    NoInsuredMonths,
    ParametersIncomplete,
    ParametersMissing,
)
from kokuho.assessment.domain.household import Childbirth, Household, Income, Person
from kokuho.assessment.domain.income_file import IncomeRecord
from kokuho.assessment.domain.instalments import Instalment as DueInstalment
from kokuho.assessment.domain.instalments import due_dates, split
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.assessment.domain.premium import assess
from kokuho.assessment.domain.reduction_exemption import forgiven_amount
from kokuho.assessment.domain.special_collection import decide_special_collection, deductions
from kokuho.events.contracts.assessment import EVENTS_TOPIC, PremiumAssessed
from kokuho.events.runtime.store import EventContext, EventStore, StreamAppend


class ParametersFor(Protocol):
    """The city's rulebook: the parameters of a fiscal year and its calendar of holidays."""

    def __call__(self, fiscal_year: int) -> PremiumParameters: ...

    def is_holiday(self, day: date) -> bool: ...


#: birth date assumed for a deemed householder the tax file has not told us about: the
#: person is then treated as under 65 (no 15万 pension deduction), the cautious reading
UNKNOWN_BIRTH_DATE = date(1970, 1, 1)

log = logging.getLogger(__name__)


class HouseholdUnknown(AssessmentError):
    """Eligibility has not told assessment about this household."""

    status = 404
    slug = "household-unknown"

    def __init__(self, nhi_household_number: str) -> None:
        super().__init__(f"household {nhi_household_number} is not known to assessment")
        self.nhi_household_number = nhi_household_number


class AssessmentNotFound(AssessmentError):
    status = 404
    slug = "assessment-not-found"

    def __init__(self, nhi_household_number: str, fiscal_year: int) -> None:
        super().__init__(f"no assessment of household {nhi_household_number} for {fiscal_year}")
        self.nhi_household_number = nhi_household_number
        self.fiscal_year = fiscal_year


def first_correctable_year(parameters_for: ParametersFor, today: date) -> int:
    """The earliest fiscal year a premium may still be corrected in (国保法110条: 2 years,
    from the current year's national parameters)."""
    current = fiscal_year_of(today)
    try:
        years = parameters_for(current).correction_years
    except (ParametersMissing, ParametersIncomplete):
        # early in a year whose files are not out yet, the period is the previous year's
        years = parameters_for(current - 1).correction_years
    return current - years


def stream_id(nhi_household_number: str, fiscal_year: int) -> str:
    return f"premium-{nhi_household_number}-{fiscal_year}"


def to_household(row: HouseholdRow, incomes: dict[str, IncomeRecord]) -> Household:
    people: list[Person] = []
    listed = set()
    for m in row.members:
        record = incomes.get(m.addressee_number)
        people.append(
            Person(
                addressee_number=m.addressee_number,
                birth_date=m.birth_date,
                income=record.income if record else Income(declared=False),
                insured=m.insured,
                acquisition_date=m.acquisition_date,
                loss_date=m.loss_date,
                specified_same_household=m.specified_same_household,
                former_dependant_since=m.former_dependant_since,
                childbirth=(
                    Childbirth(m.childbirth_date, m.childbirth_multiple)
                    if m.childbirth_date
                    else None
                ),
                involuntary_separation_date=m.involuntary_separation_date,
            )
        )
        listed.add(m.addressee_number)
    head = row.householder_addressee_number
    if head not in listed:
        record = incomes.get(head)
        people.append(
            Person(
                addressee_number=head,
                birth_date=record.birth_date if record else UNKNOWN_BIRTH_DATE,
                income=record.income if record else Income(declared=False),
                insured=False,
            )
        )
    return Household(row.nhi_household_number, head, tuple(people), row.specified_household_since)


def people_of(row: HouseholdRow) -> list[str]:
    return sorted({m.addressee_number for m in row.members} | {row.householder_addressee_number})


@dataclass(frozen=True)
class Computed:
    """An assessment computed but not stored (also the what-if answer)."""

    annual_amount: int
    reduction_exemption_amount: int
    statutory_reduction: int
    insured_months: int
    components: list[dict[str, Any]]
    explanation: dict[str, Any] | None
    documents: tuple[str, ...]
    inputs: dict[str, Any] = field(default_factory=dict)
    digest: str = ""


def compute(
    household: Household,
    params: PremiumParameters,
    forgiven_ratios: list[int] | None = None,
    *,
    explain: bool = True,
) -> Computed:
    result = assess(household, params, explain)
    forgiven = forgiven_amount(result.total, forgiven_ratios or [])
    explanation: dict[str, Any] | None = None
    if explain:
        explanation = explanation_json(result, params.documents)
        explanation["reduction_exemption"] = {
            "ratios_percent": list(forgiven_ratios or []),
            "amount": forgiven,
        }
        explanation["annual_amount"] = result.total - forgiven
    return Computed(
        annual_amount=result.total - forgiven,
        reduction_exemption_amount=forgiven,
        statutory_reduction=statutory_level(result),
        insured_months=result.insured_months,
        components=[component_json(c) for c in result.components],
        explanation=explanation,
        documents=params.documents,
        inputs=household_json(household, forgiven_ratios or []),
        digest=params.digest,
    )


def explain_stored(stored: StoredAssessment, parameters_for: ParametersFor) -> dict[str, Any]:
    """The stored explanation, or one regenerated from the stored inputs (annual run)."""
    if stored.explanation is not None:
        return stored.explanation
    if not stored.inputs:
        return {"components": [], "annual_amount": stored.annual_amount}
    params = parameters_for(stored.fiscal_year)
    household, ratios = household_from_json(stored.inputs)
    regenerated = compute(household, params, ratios).explanation or {}
    regenerated["regenerated_from_inputs"] = True
    regenerated["parameters_changed_since_assessment"] = params.digest != stored.parameters_digest
    return regenerated


@dataclass(frozen=True)
class CollectionFacts:
    """What decides the collection method: the householder's pension and the householder's
    requested method (``ordinary`` = 口座振替 on request, ``special`` = back to 特別徴収)."""

    pension: PensionRecord | None = None
    requested: str | None = None


def collection_of(
    household: Household, params: PremiumParameters, annual_amount: int, facts: CollectionFacts
) -> dict[str, Any]:
    """特別徴収 when every condition of rules.md 2.6 holds (the what-if calculation's own
    decision), with its 仮徴収/本徴収 deductions; otherwise 普通徴収 with the failing conditions."""
    record = facts.pension
    decision = decide_special_collection(
        household,
        params,
        annual_amount,
        record.pension if record else None,
        requested_ordinary=facts.requested == "ordinary",
    )
    if not decision.applies or record is None:
        return {"method": "ordinary", "reasons": list(decision.reasons), "deductions": []}
    return {
        "method": "special",
        "reasons": [],
        "deductions": [
            {"month": d.month, "kind": d.kind, "amount": d.amount}
            for d in deductions(annual_amount, record.previous_february, params)
        ],
    }


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
) -> tuple[StoredAssessment, PremiumAssessed] | None:
    """The new assessment and its event, or None when the premium is unchanged (so a repeated
    request or a re-run never assesses a household twice)."""
    fiscal_year = params.fiscal_year
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
        and previous.components == computed.components
        and (collection is None or previous.collection == method)
    ):
        return None
    revision = 1 if previous is None else previous.revision + 1
    before = [
        DueInstalment(i["period"], date.fromisoformat(i["due_date"]), i["amount"])
        for i in (previous.instalments if previous else [])
    ]
    # under 特別徴収 the pension deductions collect the whole premium: no 普通徴収 instalments
    ordinary_amount = 0 if method.get("method") == "special" else computed.annual_amount
    instalments = split(ordinary_amount, dues, today, params.instalments.amount_unit, before)
    stored = StoredAssessment(
        nhi_household_number=row.nhi_household_number,
        fiscal_year=fiscal_year,
        revision=revision,
        assessment_id=uuid4(),
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
        instalments=[
            {
                "period": i.period,
                "due_date": i.due_date.isoformat(),
                "amount": i.amount,
                "difference": i.difference,
            }
            for i in instalments
        ],
    )
    return stored, premium_assessed(stored, previous, today, computed)


def assessment_append(
    stored: StoredAssessment,
    event: PremiumAssessed,
    context: EventContext | None = None,
    topic: str = EVENTS_TOPIC,
) -> StreamAppend:
    return StreamAppend(
        stream_id(stored.nhi_household_number, stored.fiscal_year),
        stored.revision - 1,
        [event],
        topic=topic,
        partition_key=stored.nhi_household_number,
        context=context or EventContext(),
    )


async def assess_household(
    store: AssessmentStore,
    events: EventStore,
    parameters_for: ParametersFor,
    *,
    nhi_household_number: str,
    fiscal_year: int,
    cause: str,
    actor: str,
    today: date,
    context: EventContext | None = None,
) -> AssessOutcome:
    """Load → compute → store and publish if the premium changed (never a double assessment)."""
    params = parameters_for(fiscal_year)  # refuses a year without complete parameters
    row = await store.load_household(nhi_household_number)
    if row is None:
        raise HouseholdUnknown(nhi_household_number)
    incomes = await store.incomes(people_of(row), fiscal_year - 1)
    ratios = await store.approved_reduction_ratios(nhi_household_number, fiscal_year)
    previous = await store.load_assessment(nhi_household_number, fiscal_year)
    dues = due_dates(fiscal_year, params.instalments, parameters_for.is_holiday)
    collection = CollectionFacts(
        await store.pension(row.householder_addressee_number, fiscal_year),
        await store.requested_method(nhi_household_number, fiscal_year),
    )
    decided = decide_assessment(
        row,
        incomes,
        ratios,
        previous,
        params,
        dues,
        cause=cause,
        actor=actor,
        today=today,
        collection=collection,
    )
    if decided is None:
        assert previous is not None
        return AssessOutcome(previous, changed=False)
    stored, event = decided
    await events.append_batch([assessment_append(stored, event, context)])
    await store.save_assessment(stored)
    return AssessOutcome(stored, changed=True)


def premium_assessed(
    stored: StoredAssessment,
    previous: StoredAssessment | None,
    today: date,
    computed: Computed,
) -> PremiumAssessed:
    # one validation of the whole event (nested parts included) is the cheapest way in pydantic
    return PremiumAssessed.model_validate(
        {
            "assessment_id": stored.assessment_id,
            "nhi_household_number": stored.nhi_household_number,
            "fiscal_year": stored.fiscal_year,
            "revision": stored.revision,
            "kind": "assessment" if previous is None else "correction",
            "cause": stored.cause,
            "assessed_on": today,
            "annual_amount": stored.annual_amount,
            "previous_annual_amount": None if previous is None else previous.annual_amount,
            "difference": stored.annual_amount
            - (0 if previous is None else previous.annual_amount),
            "reduction_exemption_amount": stored.reduction_exemption_amount,
            "statutory_reduction": stored.statutory_reduction,
            "insured_months": computed.insured_months,
            "components": stored.components,
            "instalments": stored.instalments,
            "parameter_documents": [d.removesuffix(".toml") for d in computed.documents],
            "assessed_by": stored.assessed_by,
            **(
                {
                    "collection_method": stored.collection["method"],
                    "special_collection_deductions": stored.collection["deductions"],
                }
                if stored.collection
                else {}
            ),
        }
    )


async def reassess_all(
    store: AssessmentStore,
    events: EventStore,
    parameters_for: ParametersFor,
    households: list[tuple[str, int]],
    *,
    cause: str,
    actor: str,
    today: date,
    context: EventContext | None = None,
) -> list[AssessOutcome]:
    """Re-assess (更正) each (household, year). A household whose facts a rule refuses (e.g. an
    inconsistent correction) keeps its current assessment and is logged by number and rule,
    so one bad household does not block the others or the fact that caused the re-assessment."""
    outcomes = []
    for number, year in households:
        try:
            outcomes.append(
                await assess_household(
                    store,
                    events,
                    parameters_for,
                    nhi_household_number=number,
                    fiscal_year=year,
                    cause=cause,
                    actor=actor,
                    today=today,
                    context=context,
                )
            )
        except (ParametersMissing, ParametersIncomplete):
            raise  # the city must complete its parameters; retrying later will succeed
        except AssessmentError as refused:
            log.warning(
                "re-assessment refused",
                extra={
                    "nhi_household_number": number,
                    "fiscal_year": year,
                    "rule": type(refused).__name__,
                },
            )
    return outcomes
