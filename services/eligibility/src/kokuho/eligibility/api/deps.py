"""What routes depend on, as ``Annotated`` aliases: the service's ports, the staff roles, the
platform's write/read contexts, and fresh units on the pool for the jobs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request

from kokuho.eligibility.adapters.unit_of_work import unit_of
from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort, Units
from kokuho.eligibility.app.register_pull import RegisterIntake
from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.calls import ReadDep, WriteDep
from kokuho.platform.service import kit_of, ports_dependency

CLERK = "eligibility.clerk"
SUPERVISOR = "eligibility.supervisor"
AUDITOR = "auditor"
BATCH = "batch.operator"

EligibilityDep = Annotated[Eligibility, ports_dependency(Eligibility)]

Staff = Annotated[StaffUser, require_roles(CLERK, SUPERVISOR)]
Supervisor = Annotated[StaffUser, require_roles(SUPERVISOR)]
HistoryReader = Annotated[StaffUser, require_roles(CLERK, SUPERVISOR, AUDITOR)]
BatchOperator = Annotated[StaffUser, require_roles(BATCH)]

HouseholdNumber = Annotated[str, Path(pattern=r"^[0-9]{10}$", description="国保世帯番号")]
AddresseeNumber = Annotated[str, Path(pattern=r"^[0-9]{10}$", description="宛名番号")]
Limit = Annotated[int, Query(ge=1, le=200)]


def _units(request: Request) -> Units:
    kit = kit_of(request)

    def unit() -> EligibilityUnitPort:
        return unit_of(kit)

    return unit


#: Fresh units on the service's pool (a job: each person its own transaction).
UnitsDep = Annotated[Units, Depends(_units)]


async def _register_intake(request: Request) -> RegisterIntake:  # async: no worker-thread hop
    intake = getattr(request.app.state, "resident_register", None)
    if not isinstance(intake, RegisterIntake):
        raise RuntimeError("app.state.resident_register is not set; bootstrap sets it")
    return intake


#: The resident-register intake's parameters and feed, as the composition root set them up.
RegisterIntakeDep = Annotated[RegisterIntake, Depends(_register_intake)]

__all__ = [
    "AddresseeNumber",
    "BatchOperator",
    "EligibilityDep",
    "HistoryReader",
    "HouseholdNumber",
    "Limit",
    "ReadDep",
    "RegisterIntakeDep",
    "Staff",
    "Supervisor",
    "UnitsDep",
    "WriteDep",
]
