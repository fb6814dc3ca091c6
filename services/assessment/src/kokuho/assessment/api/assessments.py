"""Assessments: assess a household for a year, read it with its explanation, its notice."""

from __future__ import annotations

from fastapi import APIRouter, Response

from kokuho.assessment.adapters.notice_pdf import render_notice
from kokuho.assessment.api.deps import (
    AssessmentDep,
    Assessor,
    Calculator,
    FiscalYear,
    HouseholdNumber,
    ReadDep,
    Reader,
    WriteDep,
)
from kokuho.assessment.api.outputs import assessment_out
from kokuho.assessment.api.schemas import AssessIn, AssessmentOut
from kokuho.assessment.app import assessing
from kokuho.assessment.app.assessing import AssessmentNotFound, AssessOutcome

router = APIRouter(prefix="/api/v1", tags=["assessment"])


@router.post("/assessments", status_code=201)
async def assess(
    body: AssessIn, user: Assessor, ports: AssessmentDep, write: WriteDep
) -> AssessmentOut:
    """Assess (or re-assess) a household for a fiscal year. 201 with a new revision when the
    premium changed (``PremiumAssessed`` is published), 200 with the current one otherwise."""
    command = assessing.Assess(
        nhi_household_number=body.nhi_household_number,
        fiscal_year=body.fiscal_year,
        actor=user.user_id,
        today=ports.today(),
    )

    def status(outcome: AssessOutcome) -> int:
        return 201 if outcome.changed else 200

    return await write.run(
        lambda uow: assessing.assess(uow, ports.rules, command),
        lambda outcome: assessment_out(outcome.assessment),
        status_code=status,
    )


@router.get("/households/{nhi_household_number}/assessments/{fiscal_year}")
async def get_assessment(
    nhi_household_number: HouseholdNumber,
    fiscal_year: FiscalYear,
    user: Reader,
    ports: AssessmentDep,
    read: ReadDep,
) -> AssessmentOut:
    """The current assessment with its explanation (per member and component: base, rate,
    each reduction, the cap)."""
    view = await read.run(
        lambda uow: assessing.read_assessment(uow, ports.rules, nhi_household_number, fiscal_year),
        lambda v: v,
    )
    if view is None:
        raise AssessmentNotFound(nhi_household_number, fiscal_year)
    return assessment_out(view.assessment, view.explanation)


@router.get(
    "/households/{nhi_household_number}/assessments/{fiscal_year}/notice",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the notice as PDF"}},
)
async def get_notice(
    nhi_household_number: HouseholdNumber,
    fiscal_year: FiscalYear,
    user: Calculator,
    ports: AssessmentDep,
    read: ReadDep,
) -> Response:
    """The premium notice (納入通知書), or the correction notice after a re-assessment, as a
    Japanese PDF with the instalment table and the explanation."""
    view = await read.run(
        lambda uow: assessing.read_notice(uow, ports.rules, nhi_household_number, fiscal_year),
        lambda v: v,
    )
    if view is None or view.householder_addressee_number is None:
        raise AssessmentNotFound(nhi_household_number, fiscal_year)
    pdf = render_notice(
        view.assessment, view.explanation, view.householder_addressee_number, ports.today()
    )
    return Response(content=pdf, media_type="application/pdf")
