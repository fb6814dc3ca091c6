"""Every endpoint answers generated input with a non-5xx status, and every refusal is RFC 9457
problem+json (schemathesis against the real app on PostgreSQL and Kafka)."""

from __future__ import annotations

import pytest

from kokuho.platform.testing import fuzz_by_roles

from ..conftest import Served

pytestmark = pytest.mark.integration

ALL_ROLES = ("assessment.clerk", "assessment.supervisor", "batch.operator", "auditor")


def test_no_endpoint_answers_with_a_server_error(served: Served) -> None:
    report = fuzz_by_roles(served.url, served.headers(*ALL_ROLES), max_examples=30)
    assert report.operations >= 8  # the whole API is fuzzed, not an empty list
    assert report.problems == []
    assert any(s < 300 for s in report.statuses)  # the handlers were reached, not only refused
