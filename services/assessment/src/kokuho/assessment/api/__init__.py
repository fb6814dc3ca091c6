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
    retention,
    what_if,
)

routers: list[APIRouter] = [
    incomes.router,
    assessments.router,
    collection.router,
    reductions.router,
    what_if.router,
    annual_runs.router,
    rate_simulations.router,
    retention.router,
]
