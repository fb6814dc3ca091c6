"""The 高額療養費 calculator: a described household-month in, the limits, the benefit per
person and household and the explanation out. It reads and writes no stored data; the call
itself is audited (who asked, for which treatment month) like every request."""

from __future__ import annotations

from kokuho.benefits.app.ports import Benefits, BenefitsUnitPort
from kokuho.benefits.domain.high_cost.calculation import HighCostResult, calculate
from kokuho.benefits.domain.high_cost.household_month import HouseholdMonth


def what_if(ports: Benefits, month: HouseholdMonth) -> HighCostResult:
    """The calculation alone (the command line's ``what-if``)."""
    return calculate(month, ports.limits)


async def calculate_high_cost(
    uow: BenefitsUnitPort, ports: Benefits, month: HouseholdMonth
) -> HighCostResult:
    result = what_if(ports, month)
    async with uow:
        await uow.audit.record(
            subjects=[],
            detail={
                "calculation": "high-cost what-if",
                "treatment_month": f"{month.treatment_month:%Y-%m}",
                "members": len(month.members),
                "bills": len(month.bills),
            },
        )
    return result
