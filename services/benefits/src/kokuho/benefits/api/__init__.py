"""The HTTP API of benefits.

One router module per resource, thin routes over the use cases.
"""

from kokuho.benefits.api import (
    calculations,
    claims,
    combined_care,
    copayment_rates,
    high_cost,
    lump_sums,
    medical_expenses,
    repayments,
    withholding,
)
from kokuho.benefits.app.retention import audited_as
from kokuho.platform.erasure_routes import erasure_records_router

routers = [
    calculations.router,
    copayment_rates.router,
    claims.router,
    combined_care.router,
    high_cost.router,
    lump_sums.router,
    medical_expenses.router,
    repayments.router,
    withholding.router,
    # C-96: what the retention job erased (ADR 0100)
    erasure_records_router(
        "benefits.supervisor", "auditor", tag="retention", audited_as=audited_as
    ),
]
