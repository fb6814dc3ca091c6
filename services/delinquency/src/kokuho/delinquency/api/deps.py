"""The ``Annotated`` aliases the routes of delinquency take.

Who may call them, the write and read contexts of the platform, and today's date from the
service's clock.
"""

from __future__ import annotations

from datetime import date, timedelta, timezone
from typing import Annotated

from fastapi import Depends, Request

from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.calls import ReadDep, WriteDep
from kokuho.platform.service import kit_of

JST = timezone(timedelta(hours=9), "JST")

CLERK = "delinquency.clerk"
SUPERVISOR = "delinquency.supervisor"
AUDITOR = "auditor"

#: may open cases
Clerk = Annotated[StaffUser, require_roles(CLERK)]
#: may read cases
Reader = Annotated[StaffUser, require_roles(CLERK, SUPERVISOR, AUDITOR)]


def _today(request: Request) -> date:
    return kit_of(request).clock().astimezone(JST).date()


#: today in Japan, by the service's clock (tests pass their own clock to ``build``)
Today = Annotated[date, Depends(_today)]

__all__ = ["Clerk", "ReadDep", "Reader", "Today", "WriteDep"]
