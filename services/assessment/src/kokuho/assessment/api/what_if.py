"""保険料試算 (what-if): the premium of a described household, touching no stored data."""

from __future__ import annotations

from fastapi import APIRouter

from kokuho.assessment.api.deps import AssessmentDep, Calculator
from kokuho.assessment.app.what_if import (
    HouseholderNotListed,
    WhatIfIn,
    WhatIfOut,
    premium_calculation,
    what_if_parameters,
)
from kokuho.platform.problems import FieldError, Problem

router = APIRouter(prefix="/api/v1", tags=["assessment"])


@router.post("/premium-calculations")
async def calculate_premium(body: WhatIfIn, user: Calculator, ports: AssessmentDep) -> WhatIfOut:
    """保険料試算: the premium and its explanation for a described household, touching no
    stored data (labels, never names)."""
    try:
        return premium_calculation(body, what_if_parameters(body, ports.rules))
    except HouseholderNotListed as refused:
        raise Problem(
            422,
            refused.problem_slug(),
            detail=str(refused),
            errors=[FieldError(pointer=refused.pointer, reason="not among people")],
        ) from None
