"""本算定: the progress and summary of a year's annual run (started by the CLI)."""

from __future__ import annotations

from fastapi import APIRouter

from kokuho.assessment.api.deps import AnnualRunReader, FiscalYear, ReadDep
from kokuho.assessment.api.schemas import AnnualRunOut
from kokuho.assessment.app.annual_run import latest_run
from kokuho.platform.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["assessment"])


@router.get("/annual-runs/{fiscal_year}")
async def get_annual_run(
    fiscal_year: FiscalYear, user: AnnualRunReader, read: ReadDep
) -> AnnualRunOut:
    """The latest annual run (本算定) of a fiscal year: its progress while it runs (started with
    ``python -m kokuho.assessment annual-run``) and its summary when finished."""
    run = await read.run(lambda uow: latest_run(uow, fiscal_year), lambda r: r, audited=False)
    if run is None:
        raise Problem(404, "annual-run-not-found", detail=f"no annual run for {fiscal_year}")
    return AnnualRunOut.model_validate(run)
