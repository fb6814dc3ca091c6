"""The HTTP API of delinquency: one router module per resource, thin routes over use cases."""

from kokuho.delinquency.api import (
    case_routes,
    enforcement_routes,
    negotiation_routes,
    operations,
    relief_routes,
    reminder_routes,
)
from kokuho.platform.erasure_routes import erasure_records_router

routers = [
    case_routes.router,
    negotiation_routes.router,
    relief_routes.router,
    reminder_routes.router,
    enforcement_routes.router,
    operations.router,
    # C-96: what the retention job erased (ADR 0100)
    erasure_records_router("delinquency.supervisor", "auditor", tag="retention"),
]
