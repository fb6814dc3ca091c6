"""The resident-register intake's parameters (``resident_register.toml``)."""

from __future__ import annotations

from kokuho.eligibility.app.register_intake import IntakeParameters
from kokuho.eligibility.parameters import load_raw


def load_intake_parameters() -> IntakeParameters:
    raw = load_raw("resident_register.toml")
    return IntakeParameters(
        due_days=int(raw["work_list"]["due_days"]), page_size=int(raw["feed"]["page_size"])
    )
