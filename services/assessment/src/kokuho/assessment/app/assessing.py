"""Assess a household for a fiscal year: load the facts, run the engine, apply approved 減免,
store the result and publish ``PremiumAssessed`` when (and only when) it changed; the reads of
an assessment with its explanation and of its notice."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from kokuho.assessment.app.computing import (
    UNKNOWN_BIRTH_DATE,
    CollectionFacts,
    Computed,
    compute,
    explain_stored,
    people_of,
    to_household,
)
from kokuho.assessment.app.deciding import (
    AssessOutcome,
    assessment_append,
    decide_assessment,
    stream_id,
)
from kokuho.assessment.app.ports import AssessmentUnitPort, ParametersFor, StoredAssessment
from kokuho.assessment.domain.calendar import fiscal_year_of
from kokuho.assessment.domain.errors import (
    AssessmentError,
    CorrectionPeriodExpired,
    ParametersIncomplete,
    ParametersMissing,
)
from kokuho.assessment.domain.instalments import due_dates
from kokuho.events.ports import EventContext

__all__ = [
    "UNKNOWN_BIRTH_DATE",
    "AssessOutcome",
    "AssessmentNotFound",
    "CollectionFacts",
    "Computed",
    "HouseholdUnknown",
    "ParametersFor",
    "assess",
    "assess_household",
    "assessment_append",
    "check_correction_period",
    "compute",
    "correction_reach",
    "decide_assessment",
    "explain_stored",
    "first_correctable_year",
    "people_of",
    "read_assessment",
    "read_notice",
    "reassess_all",
    "stream_id",
    "to_household",
]

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


def correction_reach(parameters_for: ParametersFor, today: date) -> int:
    """How many fiscal years before the current one a premium may still be corrected in: the
    ``correction.years`` figure of the current year's national parameters (国保法110条: 2;
    ADR 0035)."""
    current = fiscal_year_of(today)
    try:
        return parameters_for(current).correction_years
    except (ParametersMissing, ParametersIncomplete):
        # early in a year whose files are not out yet, the period is the previous year's
        return parameters_for(current - 1).correction_years


def first_correctable_year(parameters_for: ParametersFor, today: date) -> int:
    """The earliest fiscal year a premium may still be assessed or corrected in on ``today``
    (ADR 0035): FY N stays correctable until March 31 of N + 1 + years, two years after its
    last 普通徴収 instalment fell due."""
    return fiscal_year_of(today) - correction_reach(parameters_for, today)


def check_correction_period(parameters_for: ParametersFor, fiscal_year: int, today: date) -> None:
    """Refuse a fiscal year before the correction period (:class:`CorrectionPeriodExpired`)."""
    years = correction_reach(parameters_for, today)
    first = fiscal_year_of(today) - years
    if fiscal_year < first:
        raise CorrectionPeriodExpired(fiscal_year, first, years, today)


async def assess_household(
    uow: AssessmentUnitPort,
    rules: ParametersFor,
    *,
    nhi_household_number: str,
    fiscal_year: int,
    cause: str,
    actor: str,
    today: date,
    context: EventContext | None = None,
) -> AssessOutcome:
    """Load → compute → store and publish if the premium changed (never a double assessment).
    A year before the correction period is refused first (ADR 0035), then a year without
    complete parameters."""
    check_correction_period(rules, fiscal_year, today)
    params = rules(fiscal_year)  # refuses a year without complete parameters
    async with uow:
        row = await uow.households.load_household(nhi_household_number)
        if row is None:
            raise HouseholdUnknown(nhi_household_number)
        incomes = await uow.incomes.incomes(people_of(row), fiscal_year - 1)
        ratios = await uow.reductions.approved_reduction_ratios(nhi_household_number, fiscal_year)
        previous = await uow.assessments.load_assessment(nhi_household_number, fiscal_year)
        dues = due_dates(fiscal_year, params.instalments, rules.is_holiday)
        collection = CollectionFacts(
            await uow.pensions.pension(row.householder_addressee_number, fiscal_year),
            await uow.pensions.requested_method(nhi_household_number, fiscal_year),
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
        await uow.events.append_batch([assessment_append(stored, event, context, uow.topic)])
        await uow.assessments.save_assessment(stored)
        return AssessOutcome(stored, changed=True)


async def reassess_all(
    uow: AssessmentUnitPort,
    rules: ParametersFor,
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
    async with uow:
        for number, year in households:
            try:
                outcomes.append(
                    await assess_household(
                        uow,
                        rules,
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


# --- use cases of the API --------------------------------------------------------------------


@dataclass(frozen=True)
class Assess:
    """Assess (or re-assess) a household for a fiscal year on a clerk's or operator's request."""

    nhi_household_number: str
    fiscal_year: int
    actor: str
    today: date


async def assess(uow: AssessmentUnitPort, rules: ParametersFor, command: Assess) -> AssessOutcome:
    """201 with a new revision (and ``PremiumAssessed``) when the premium changed, else the
    current one (200)."""
    async with uow:
        outcome = await assess_household(
            uow,
            rules,
            nhi_household_number=command.nhi_household_number,
            fiscal_year=command.fiscal_year,
            cause="request",
            actor=command.actor,
            today=command.today,
        )
        row = await uow.households.load_household(command.nhi_household_number)
        await uow.audit.record(
            subjects=people_of(row) if row else [],
            detail={"fiscal_year": command.fiscal_year, "revision": outcome.assessment.revision},
            status_code=201 if outcome.changed else 200,
        )
        return outcome


@dataclass(frozen=True)
class AssessmentView:
    """An assessment as read: with its explanation (regenerated from the stored inputs for
    annual-run assessments) and the householder the notice is addressed to."""

    assessment: StoredAssessment
    explanation: dict[str, Any]
    householder_addressee_number: str | None  # None: the household is not known (any more)


async def _read(
    uow: AssessmentUnitPort,
    rules: ParametersFor,
    nhi_household_number: str,
    fiscal_year: int,
    detail: dict[str, Any],
) -> AssessmentView | None:
    async with uow:
        stored = await uow.assessments.load_assessment(nhi_household_number, fiscal_year)
        row = await uow.households.load_household(nhi_household_number)
        await uow.audit.record(
            subjects=people_of(row) if row else [],
            detail={**detail, "fiscal_year": fiscal_year, "found": stored is not None},
        )
    if stored is None:
        return None
    householder = row.householder_addressee_number if row else None
    return AssessmentView(stored, explain_stored(stored, rules), householder)


async def read_assessment(
    uow: AssessmentUnitPort, rules: ParametersFor, nhi_household_number: str, fiscal_year: int
) -> AssessmentView | None:
    """The current assessment (None: none; the read is audited either way)."""
    detail = {"nhi_household_number": nhi_household_number}
    return await _read(uow, rules, nhi_household_number, fiscal_year, detail)


async def read_notice(
    uow: AssessmentUnitPort, rules: ParametersFor, nhi_household_number: str, fiscal_year: int
) -> AssessmentView | None:
    """What the 納入通知書 shows (None: no assessment; the read is audited either way)."""
    return await _read(uow, rules, nhi_household_number, fiscal_year, {"notice": True})
