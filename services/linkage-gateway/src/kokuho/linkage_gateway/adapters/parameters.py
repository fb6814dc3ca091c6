"""Parameter files (TOML) inside the package: legal figures and lists are data."""

from __future__ import annotations

import tomllib
from pathlib import Path

from kokuho.linkage_gateway.domain.intermediate import (
    InquiryPermit,
    PermittedInquiryList,
    ProvisionPermit,
    ReplicaItem,
)
from kokuho.linkage_gateway.domain.resolution import AffairPermit, ResolutionPolicy
from kokuho.linkage_gateway.domain.transfers import (
    TransferFlow,
    TransferRegistry,
    checked_flow,
)


class ParameterFileError(Exception):
    pass


def load_resolution_policy(path: Path) -> ResolutionPolicy:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    affairs = data.get("affairs")
    if not isinstance(affairs, dict) or not affairs:
        raise ParameterFileError(f"{path.name}: no [affairs] listed")
    permits = {}
    for name, entry in affairs.items():
        roles = entry.get("roles")
        basis = entry.get("legal_basis")
        if not isinstance(roles, list) or not roles or not isinstance(basis, str) or not basis:
            raise ParameterFileError(f"{path.name}: affair {name!r} needs roles and legal_basis")
        registrars = entry.get("registrar_roles", [])
        if not isinstance(registrars, list):
            raise ParameterFileError(f"{path.name}: affair {name!r}: registrar_roles is a list")
        permits[name] = AffairPermit(
            name,
            basis,
            frozenset(str(r) for r in roles),
            frozenset(str(r) for r in registrars),
        )
    return ResolutionPolicy(permits)


def load_permitted_inquiries(path: Path) -> PermittedInquiryList:
    """The permitted-inquiry list (C-71..C-74) and provision permits; a bad file stops start-up."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        inquiries = tuple(
            InquiryPermit(
                str(e["legal_basis_row"]), str(e["affair"]), str(e["provider"]), str(e["item"])
            )
            for e in data.get("inquiry", [])
        )
        provisions = tuple(
            ProvisionPermit(str(e["legal_basis_row"]), str(e["requester"]), str(e["item"]))
            for e in data.get("provision", [])
        )
        items = {
            name: ReplicaItem(name, str(e["legal_basis_row"]), bool(e["no_auto_response"]))
            for name, e in data.get("replica_items", {}).items()
        }
    except (KeyError, TypeError) as exc:
        raise ParameterFileError(f"{path.name}: missing or malformed entry ({exc})") from None
    unknown = [p.item for p in provisions if p.item not in items]
    if unknown:
        raise ParameterFileError(f"{path.name}: provisions of items without a replica: {unknown}")
    return PermittedInquiryList(str(data.get("version", "")), inquiries, provisions, items)


def load_transfer_registry(path: Path) -> TransferRegistry:
    """The transfer registry (flows.md section 6); a row that breaks its rules stops start-up."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    flows = {}
    try:
        for e in data.get("flow", []):
            known = {k: str(e[k]) for k in _FLOW_TEXTS if k in e}
            flow = checked_flow(
                TransferFlow(
                    flow_id=str(e["flow_id"]),
                    seed_number=int(e["seed_number"]),
                    status=str(e["status"]),
                    items=frozenset(str(i) for i in e.get("items", [])),
                    medium=str(e["medium"]) if "medium" in e else None,
                    **known,
                )
            )
            if flow.flow_id in flows:
                raise ParameterFileError(f"{path.name}: flow {flow.flow_id!r} twice")
            flows[flow.flow_id] = flow
    except (KeyError, TypeError, ValueError) as exc:
        raise ParameterFileError(f"{path.name}: missing or malformed entry ({exc})") from None
    return TransferRegistry(str(data.get("version", "")), flows)


_FLOW_TEXTS = (
    "recipient",
    "recipient_division",
    "affair",
    "legal_basis",
    "persons",
    "frequency",
    "channel",
    "owning_service",
)
