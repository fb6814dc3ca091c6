"""The ``Annotated`` aliases the routes of collection take: who may call them, the write and
read contexts of the platform, the service's ports, and today's date from its clock."""

from __future__ import annotations

from datetime import date, timedelta, timezone
from typing import Annotated

from fastapi import Depends, Path, Query, Request

from kokuho.collection.app.ports import Ports
from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.calls import ReadDep, WriteDep
from kokuho.platform.service import kit_of, ports_dependency

JST = timezone(timedelta(hours=9), "JST")

CLERK = "collection.clerk"
SUPERVISOR = "collection.supervisor"
BATCH = "batch.operator"
AUDITOR = "auditor"

#: counter payments, charge changes entered and confirmed (by two different people)
Clerk = Annotated[StaffUser, require_roles(CLERK, SUPERVISOR)]
#: reversals and refund decisions
Supervisor = Annotated[StaffUser, require_roles(SUPERVISOR)]
#: payment files and the daily jobs
Operator = Annotated[StaffUser, require_roles(BATCH, SUPERVISOR)]
#: balances, the work list and documents
Reader = Annotated[StaffUser, require_roles(CLERK, SUPERVISOR, AUDITOR)]

CollectionDep = Annotated[Ports, ports_dependency(Ports)]
Household = Annotated[str, Path(pattern=r"^[0-9]{10}$", description="国保世帯番号")]
Limit = Annotated[int, Query(ge=1, le=500)]


def _today(request: Request) -> date:
    return kit_of(request).clock().astimezone(JST).date()


#: today in Japan, by the service's clock (tests pass their own clock to ``build``)
Today = Annotated[date, Depends(_today)]

__all__ = [
    "Clerk",
    "CollectionDep",
    "Household",
    "Limit",
    "Operator",
    "ReadDep",
    "Reader",
    "Supervisor",
    "Today",
    "WriteDep",
]
