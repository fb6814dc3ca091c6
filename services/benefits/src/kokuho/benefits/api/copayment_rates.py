"""``/api/v1/copayment-rate-decisions`` and ``/api/v1/households/{n}/copayment-rates/{year}``:
decide the 70–74 co-payment rate on income facts (201 when the decision changed, 200 when the
same outcome was in force already), and read the decision in force."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from kokuho.benefits.api.copayment_schemas import CopaymentRateDecisionIn, CopaymentRateOut
from kokuho.benefits.api.deps import BenefitsDep, Decider, ReadDep, Reader, Today, WriteDep
from kokuho.benefits.app import copayment_rates

router = APIRouter(prefix="/api/v1", tags=["co-payment rates"])

HouseholdNumber = Annotated[str, Path(pattern=r"^[0-9]{10}$", description="国保世帯番号")]
Year = Annotated[int, Path(ge=2000, le=2100)]


@router.post("/copayment-rate-decisions", status_code=201)
async def decide_copayment_rate(
    body: CopaymentRateDecisionIn, user: Decider, today: Today, ports: BenefitsDep, write: WriteDep
) -> CopaymentRateOut:
    command = body.command(user, today)
    return await write.run(
        lambda uow: copayment_rates.decide_copayment_rate(uow, ports, command),
        lambda decided: CopaymentRateOut.of(decided.rate),
        status_code=lambda decided: 201 if decided.changed else 200,
    )


@router.get("/households/{nhi_household_number}/copayment-rates/{income_year}")
async def read_copayment_rate(
    nhi_household_number: HouseholdNumber, income_year: Year, user: Reader, read: ReadDep
) -> CopaymentRateOut:
    return await read.run(
        lambda uow: copayment_rates.read_copayment_rate(uow, nhi_household_number, income_year),
        CopaymentRateOut.of,
    )
