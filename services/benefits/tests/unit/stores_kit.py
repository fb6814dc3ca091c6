"""The stores the use-case contract tests run against: in memory, and PostgreSQL (the
``stores`` fixture of ``conftest.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kokuho.benefits.app.monthly_run import MonthlyRunStore
from kokuho.benefits.app.ports import BenefitsUnitPort


@dataclass
class Stores:
    unit: Callable[[], BenefitsUnitPort]
    run: MonthlyRunStore
