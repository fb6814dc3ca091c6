"""特別徴収 / 普通徴収: the householder's pension for a fiscal year (NHI-A-24..26) and the
householder's request for 普通徴収 (口座振替) or back; each re-assesses what it touches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kokuho.assessment.app.assessing import (
    AssessOutcome,
    HouseholdUnknown,
    people_of,
    reassess_all,
)
from kokuho.assessment.app.ports import AssessmentUnitPort, ParametersFor, PensionRecord
from kokuho.assessment.domain.special_collection import Pension


@dataclass(frozen=True)
class RecordPension:
    addressee_number: str
    fiscal_year: int
    pension: Pension
    previous_february_deduction: int
    actor: str
    today: date


async def record_pension(
    uow: AssessmentUnitPort, rules: ParametersFor, command: RecordPension
) -> list[AssessOutcome]:
    """Record the pension; the households already assessed for that year are re-assessed,
    deciding 特別徴収 by rules.md 2.6."""
    async with uow:
        await uow.pensions.write_pension(
            command.addressee_number,
            command.fiscal_year,
            PensionRecord(command.pension, command.previous_february_deduction),
            actor=command.actor,
        )
        households = await uow.assessments.assessed_households_of(
            [command.addressee_number], command.fiscal_year
        )
        outcomes = await reassess_all(
            uow,
            rules,
            [(n, command.fiscal_year) for n in households],
            cause="request",
            actor=command.actor,
            today=command.today,
        )
        await uow.audit.record(
            subjects=[command.addressee_number],
            detail={"pension": True, "fiscal_year": command.fiscal_year},
            status_code=201,
        )
        return outcomes


@dataclass(frozen=True)
class RequestCollectionMethod:
    nhi_household_number: str
    fiscal_year: int
    method: str  # ordinary (普通徴収, 口座振替) or special (back to 特別徴収)
    reason: str
    actor: str
    today: date


async def request_collection_method(
    uow: AssessmentUnitPort, rules: ParametersFor, command: RequestCollectionMethod
) -> list[AssessOutcome]:
    """Record the householder's request; the year's assessment (if any) is re-assessed (a
    correction event when the method changes)."""
    async with uow:
        number, year = command.nhi_household_number, command.fiscal_year
        row = await uow.households.load_household(number)
        if row is None:
            raise HouseholdUnknown(number)
        await uow.pensions.write_method_request(
            number, year, command.method, command.reason, actor=command.actor
        )
        assessed = await uow.assessments.load_assessment(number, year)
        outcomes = await reassess_all(
            uow,
            rules,
            [(number, year)] if assessed else [],
            cause="request",
            actor=command.actor,
            today=command.today,
        )
        await uow.audit.record(
            subjects=people_of(row),
            detail={"collection_method": command.method, "fiscal_year": year},
            status_code=201,
        )
        return outcomes
