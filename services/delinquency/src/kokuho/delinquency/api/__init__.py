"""The HTTP API of delinquency: one router module per resource, thin routes over use cases."""

from kokuho.delinquency.api import (
    case_routes,
    enforcement_routes,
    negotiation_routes,
    operations,
    relief_routes,
    reminder_routes,
)

routers = [
    case_routes.router,
    negotiation_routes.router,
    relief_routes.router,
    reminder_routes.router,
    enforcement_routes.router,
    operations.router,
]
