"""Parameter files (TOML) inside the package: legal figures and lists are data."""

from __future__ import annotations

import tomllib
from pathlib import Path

from kokuho.linkage_gateway.domain.resolution import AffairPermit, ResolutionPolicy


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
        permits[name] = AffairPermit(name, basis, frozenset(str(r) for r in roles))
    return ResolutionPolicy(permits)
