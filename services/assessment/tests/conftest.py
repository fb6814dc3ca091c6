"""Shared fixtures of the assessment tests (synthetic people only)."""

from __future__ import annotations

import pytest

from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.assessment.parameters import load_parameters


@pytest.fixture(scope="session")
def fy2025() -> PremiumParameters:
    return load_parameters(2025)


@pytest.fixture(scope="session")
def fy2026() -> PremiumParameters:
    return load_parameters(2026)
