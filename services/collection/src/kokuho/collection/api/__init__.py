"""The HTTP API of collection: one router module per resource, thin routes over the use cases."""

from kokuho.collection.api import debits, households, operations, payments, work_items
from kokuho.platform.erasure_routes import erasure_records_router

routers = [
    payments.router,
    households.router,
    operations.router,
    debits.router,
    work_items.router,
    # C-96: what the retention job erased (ADR 0100)
    erasure_records_router("collection.supervisor", "auditor", tag="retention"),
]
