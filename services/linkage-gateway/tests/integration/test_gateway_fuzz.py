"""Every endpoint answers generated input with a non-5xx status, and every refusal is RFC 9457
problem+json (schemathesis against the real app on PostgreSQL and Kafka)."""

from __future__ import annotations

import pytest

from kokuho.platform.testing import fuzz_by_roles

pytestmark = pytest.mark.integration

ALL_ROLES = (
    "linkage.operator",
    "linkage.ipn-inquirer",
    "linkage.ipn-connector",
    "eligibility.clerk",
    "eligibility.supervisor",
    "auditor",
    "batch.operator",
)


def test_no_endpoint_answers_with_a_server_error(served_gateway) -> None:  # type: ignore[no-untyped-def]
    report = fuzz_by_roles(served_gateway.url, served_gateway.headers(*ALL_ROLES), max_examples=25)
    assert report.operations >= 20  # the whole API is fuzzed, not an empty list
    assert report.problems == []
    assert any(s < 300 for s in report.statuses)  # the handlers were reached, not only refused
