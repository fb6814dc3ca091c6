"""Every endpoint in the OpenAPI document answers generated input with a non-5xx status, and
every refusal is RFC 9457 problem+json (schemathesis against the real app on PostgreSQL)."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from kokuho.platform.testing import fuzz_by_roles

pytestmark = pytest.mark.integration

ALL_ROLES = ("eligibility.clerk", "eligibility.supervisor", "auditor", "batch.operator")


def test_no_endpoint_answers_with_a_server_error(
    served: str, token: Callable[..., dict[str, str]]
) -> None:
    report = fuzz_by_roles(
        served,
        token("fuzz-clerk", *ALL_ROLES),
        max_examples=int(os.environ.get("ELIGIBILITY_FUZZ_EXAMPLES", "15")),
    )
    assert report.operations >= 20  # the whole API is fuzzed, not an empty list
    assert report.problems == []
