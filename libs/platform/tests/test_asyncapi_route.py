"""Every service serves the events' AsyncAPI catalog beside its /docs (issue 16)."""

from __future__ import annotations

import json
from typing import Any

from kokuho.events.catalog.asyncapi import document
from kokuho.events.contracts.registry import event_types


async def test_asyncapi_json_needs_no_token_and_is_the_generated_catalog(service: Any) -> None:
    async with service.client() as client:
        response = await client.get("/asyncapi.json")
        openapi = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    served = response.json()
    assert served == json.loads(json.dumps(document()))
    assert served["asyncapi"] == "3.0.0"
    assert sorted(served["components"]["messages"]) == event_types()
    assert "/asyncapi.json" not in openapi.json()["paths"]  # not an API operation
