"""The ``Annotated`` dependencies of assessment's routes: the service's ports, the staff roles
each route admits, the platform's write and read contexts, and the path parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from kokuho.assessment.app.ports import Ports
from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.calls import ReadDep, WriteDep
from kokuho.platform.service import ports_dependency

__all__ = [
    "Addressee",
    "AnnualRunReader",
    "AssessmentDep",
    "Assessor",
    "Calculator",
    "Clerk",
    "FiscalYear",
    "HouseholdNumber",
    "Importer",
    "ReadDep",
    "Reader",
    "Simulator",
    "Supervisor",
    "WriteDep",
]

#: the rulebook (parameters and holidays) and today's date
AssessmentDep = Annotated[Ports, ports_dependency(Ports)]

Clerk = Annotated[StaffUser, require_roles("assessment.clerk")]
Supervisor = Annotated[StaffUser, require_roles("assessment.supervisor")]
#: income files and pensions: the batch operator or a clerk
Importer = Annotated[StaffUser, require_roles("batch.operator", "assessment.clerk")]
Assessor = Annotated[StaffUser, require_roles("assessment.clerk", "batch.operator")]
#: reads of stored data (income, assessments, 減免)
Reader = Annotated[StaffUser, require_roles("assessment.clerk", "assessment.supervisor", "auditor")]
#: 保険料試算 and notices
Calculator = Annotated[StaffUser, require_roles("assessment.clerk", "assessment.supervisor")]
#: 料率改定試算: the supervisor (rate setting is policy) or the batch operator
Simulator = Annotated[StaffUser, require_roles("assessment.supervisor", "batch.operator")]
AnnualRunReader = Annotated[
    StaffUser, require_roles("batch.operator", "assessment.supervisor", "auditor")
]

HouseholdNumber = Annotated[str, Path(pattern=r"^[0-9]{10}$", description="国保世帯番号")]
Addressee = Annotated[str, Path(pattern=r"^[0-9]{10}$", description="宛名番号")]
FiscalYear = Annotated[int, Path(ge=2000, le=2100)]
