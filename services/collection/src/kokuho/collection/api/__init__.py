"""The HTTP API of collection: one router module per resource, thin routes over the use cases."""

from kokuho.collection.api import debits, households, operations, payments, work_items

routers = [
    payments.router,
    households.router,
    operations.router,
    debits.router,
    work_items.router,
]
