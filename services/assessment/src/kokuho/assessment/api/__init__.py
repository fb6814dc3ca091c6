"""The HTTP API of assessment: one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from kokuho.assessment.api import (
    annual_runs,
    assessments,
    collection,
    incomes,
    rate_simulations,
    reductions,
    what_if,
)
from kokuho.assessment.app.retention import audited_as
from kokuho.platform.erasure_routes import erasure_records_router

routers: list[APIRouter] = [
    incomes.router,
    assessments.router,
    collection.router,
    reductions.router,
    what_if.router,
    annual_runs.router,
    rate_simulations.router,
    # C-96: what the retention job erased (ADR 0096)
    erasure_records_router(
        "assessment.supervisor", "auditor", tag="retention", audited_as=audited_as
    ),
]
