"""The ``Annotated`` aliases the routes of benefits take.

Who may call them, the write and read contexts of the platform, and today's date from the
service's clock.
"""

from __future__ import annotations

from datetime import date, timedelta, timezone
from typing import Annotated

from fastapi import Depends, Request

from kokuho.benefits.app.ports import Benefits
from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.calls import ReadDep, WriteDep
from kokuho.platform.service import kit_of, ports_dependency

JST = timezone(timedelta(hours=9), "JST")

CLERK = "benefits.clerk"
SUPERVISOR = "benefits.supervisor"
AUDITOR = "auditor"
BATCH = "batch.operator"

#: may decide a co-payment rate (at the counter, or the July batch)
Decider = Annotated[StaffUser, require_roles(CLERK, BATCH)]
#: may use the 高額療養費 calculator (staff checking a case, or the rules)
Calculator = Annotated[StaffUser, require_roles(CLERK, SUPERVISOR, AUDITOR)]
#: the service's own ports (the limit schedule)
BenefitsDep = Annotated[Benefits, ports_dependency(Benefits)]
#: the permission a service principal needs for the claims file (ADR 0083, 0084)
CLAIM_IMPORTS = "benefits.claim-imports"
#: may send the federation's claims file: an operator's batch, or linkage-gateway as itself
#: (a service principal given ``benefits.claim-imports`` in ``service_principals_path``)
Importer = Annotated[StaffUser, require_roles(BATCH, service_permission=CLAIM_IMPORTS)]
#: may start the monthly run
Batch = Annotated[StaffUser, require_roles(BATCH)]
#: may take an application (申請) at the counter
Clerk = Annotated[StaffUser, require_roles(CLERK)]
#: the second pair of eyes on a lump-sum application
Reviewer = Annotated[StaffUser, require_roles(SUPERVISOR)]
#: may read decisions
Reader = Annotated[StaffUser, require_roles(CLERK, SUPERVISOR, AUDITOR)]


def _today(request: Request) -> date:
    return kit_of(request).clock().astimezone(JST).date()


#: today in Japan, by the service's clock (tests pass their own clock to ``build``)
Today = Annotated[date, Depends(_today)]

__all__ = [
    "Batch",
    "BenefitsDep",
    "Calculator",
    "Clerk",
    "Decider",
    "Importer",
    "ReadDep",
    "Reader",
    "Reviewer",
    "Today",
    "WriteDep",
]
