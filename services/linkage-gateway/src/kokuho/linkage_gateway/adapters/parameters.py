"""Parameter files (TOML) inside the package: legal figures and lists are data."""

from __future__ import annotations

import tomllib
from pathlib import Path

from kokuho.events.transfers import RegistryFileError, load_registry
from kokuho.linkage_gateway.domain.intermediate import (
    InquiryPermit,
    PermittedInquiryList,
    ProvisionPermit,
    ReplicaItem,
)
from kokuho.linkage_gateway.domain.resolution import AffairPermit, ResolutionPolicy
from kokuho.linkage_gateway.domain.transfers import TransferRegistry


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
    """The transfer registry (flows.md section 6, ``kokuho.events.transfers``); a row that
    breaks its rules stops start-up."""
    try:
        shared = load_registry(path)
    except RegistryFileError as exc:
        raise ParameterFileError(str(exc)) from None
    return TransferRegistry(shared.version, shared.flows)
