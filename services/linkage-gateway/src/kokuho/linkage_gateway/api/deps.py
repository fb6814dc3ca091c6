"""What the gateway's routes depend on, as ``Annotated`` aliases: the service's ``Ports``
(``GatewayDep``), a unit-of-work opener for the use cases that need a transaction of their own
(``UnitsDep``), the role guards, and the platform's write/read contexts (``WriteDep``,
``ReadDep``: transaction + Idempotency-Key + audit)."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from kokuho.linkage_gateway.app.ports import GatewayUnitPort, Ports, UnitOpener
from kokuho.platform.audit import AuditTrail
from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.calls import ReadDep, WriteDep
from kokuho.platform.service import kit_of, ports_dependency

__all__ = [
    "Auditor",
    "Connector",
    "DifferenceDecider",
    "GatewayDep",
    "Inquirer",
    "InquiryReader",
    "Operator",
    "ReadDep",
    "Registrar",
    "Resolver",
    "Sender",
    "SenderOrAuditor",
    "UnitsDep",
    "Verifier",
    "WriteDep",
]

GatewayDep = Annotated[Ports, ports_dependency(Ports)]


def _units(request: Request, audit: AuditTrail) -> UnitOpener:
    kit = kit_of(request)

    def open_unit() -> GatewayUnitPort:
        # the kit's factory is bootstrap's GatewayUnit (typed by the platform as its base)
        return cast(GatewayUnitPort, kit.unit_of_work(kit.pool, audit=audit))

    return open_unit


#: Opens a unit of work with a transaction of its own, audited as the request.
UnitsDep = Annotated[UnitOpener, Depends(_units)]

REGISTRARS = ("linkage.operator", "eligibility.clerk")
RESOLVERS = ("linkage.operator", "eligibility.supervisor")
SENDERS = ("batch.operator", "linkage.operator")
INQUIRER = "linkage.ipn-inquirer"  # C-71: staff given IPN-inquiry permission
CONNECTOR = "linkage.ipn-connector"  # the intermediate-server connector delivering requests

Registrar = Annotated[StaffUser, require_roles(*REGISTRARS)]
Resolver = Annotated[StaffUser, require_roles(*RESOLVERS)]
Verifier = Annotated[StaffUser, require_roles(*REGISTRARS, *RESOLVERS)]
Operator = Annotated[StaffUser, require_roles("linkage.operator")]
Auditor = Annotated[StaffUser, require_roles("linkage.operator", "auditor")]
Inquirer = Annotated[StaffUser, require_roles(INQUIRER)]
InquiryReader = Annotated[StaffUser, require_roles(INQUIRER, "auditor")]
Connector = Annotated[StaffUser, require_roles(CONNECTOR)]
Sender = Annotated[StaffUser, require_roles(*SENDERS)]
SenderOrAuditor = Annotated[StaffUser, require_roles(*SENDERS, "auditor")]
DifferenceDecider = Annotated[
    StaffUser, require_roles("linkage.operator", "eligibility.supervisor")
]
