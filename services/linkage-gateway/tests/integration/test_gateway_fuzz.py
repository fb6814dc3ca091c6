"""Every endpoint answers generated input with a non-5xx status, and every refusal is RFC 9457
problem+json (schemathesis against the real app on PostgreSQL and Kafka)."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    served = served_gateway.url
    raw = httpx.get(f"{served}/openapi.json").json()
    schema = schemathesis.openapi.from_dict(raw)
    headers = served_gateway.headers(*ALL_ROLES)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # the whole API is fuzzed, not an empty list
    problems: list[str] = []
    statuses: set[int] = set()
    for operation in operations:

        @settings(
            max_examples=25,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), data=st.data())
        def check(case: schemathesis.Case, data: st.DataObject) -> None:
            response = case.call(base_url=served, headers=headers)
            statuses.add(response.status_code)
            where = f"{case.method} {case.formatted_path} -> {response.status_code}"
            if response.status_code >= 500:
                problems.append(f"{where}: {response.text[:300]}")
            elif response.status_code >= 400:
                found = response.headers.get("content-type") or [""]
                content_type = found if isinstance(found, str) else found[0]
                if not content_type.startswith("application/problem+json"):
                    problems.append(f"{where}: content type {content_type}")

        check()
    assert problems == []
    assert any(s < 300 for s in statuses)  # the handlers were reached, not only refused
