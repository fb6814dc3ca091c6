"""The ``Annotated`` aliases the routes of delinquency take: who may call them, the write and
read contexts of the platform, the service's ports, and today's date from its clock."""

from __future__ import annotations

from datetime import date, timedelta, timezone
from typing import Annotated

from fastapi import Depends, Path, Query, Request

from kokuho.delinquency.app.ports import Ports
from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.calls import ReadDep, WriteDep
from kokuho.platform.service import kit_of, ports_dependency

JST = timezone(timedelta(hours=9), "JST")

OFFICER = "delinquency.officer"
SUPERVISOR = "delinquency.supervisor"
AUDITOR = "auditor"

#: records negotiations, plans, investigations, seizures; requests reliefs
Officer = Annotated[StaffUser, require_roles(OFFICER, SUPERVISOR)]
#: decides reliefs (four eyes), assigns cases, runs the daily review
Supervisor = Annotated[StaffUser, require_roles(SUPERVISOR)]
#: reads cases, their history and the statistics
Reader = Annotated[StaffUser, require_roles(OFFICER, SUPERVISOR, AUDITOR)]

DelinquencyDep = Annotated[Ports, ports_dependency(Ports)]
Household = Annotated[str, Path(pattern=r"^[0-9]{10}$", description="国保世帯番号")]
Limit = Annotated[int, Query(ge=1, le=500)]


def _today(request: Request) -> date:
    return kit_of(request).clock().astimezone(JST).date()


#: today in Japan, by the service's clock (tests pass their own clock to ``build``)
Today = Annotated[date, Depends(_today)]

__all__ = [
    "DelinquencyDep",
    "Household",
    "Limit",
    "Officer",
    "ReadDep",
    "Reader",
    "Supervisor",
    "Today",
    "WriteDep",
]
