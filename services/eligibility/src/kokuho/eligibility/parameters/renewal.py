"""The certificate renewal's parameter file (``certificate_renewal.toml``)."""

from __future__ import annotations

from datetime import date

from kokuho.eligibility.domain.certificate_choice import RenewalRules
from kokuho.eligibility.parameters import load_raw


def load_renewal(name: str = "certificate_renewal.toml") -> RenewalRules:
    raw = load_raw(name)
    renewal = raw["renewal"]
    return RenewalRules(
        name=renewal["name"],
        issued_from=date.fromisoformat(renewal["issued_from"]),
        valid_until=date.fromisoformat(renewal["valid_until"]),
        grace_months=raw["e_certificate"]["grace_months"],
        version=raw["version"],
    )
