"""``/api/v1/high-cost-calculations``: the 高額療養費 calculator (stores nothing)."""

from __future__ import annotations

from fastapi import APIRouter

from kokuho.benefits.api.calculation_schemas import HighCostCalculationIn, HighCostCalculationOut
from kokuho.benefits.api.deps import BenefitsDep, Calculator, WriteDep
from kokuho.benefits.app import calculations

router = APIRouter(prefix="/api/v1", tags=["high-cost calculations"])


@router.post("/high-cost-calculations", status_code=200)
async def calculate_high_cost(
    body: HighCostCalculationIn, user: Calculator, ports: BenefitsDep, write: WriteDep
) -> HighCostCalculationOut:
    """The limits, the benefit per person and household and the explanation of a described
    household-month; with the same ``Idempotency-Key`` the first answer again."""
    month = body.household_month()
    return await write.run(
        lambda uow: calculations.calculate_high_cost(uow, ports, month),
        HighCostCalculationOut.of,
    )
