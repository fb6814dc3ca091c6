"""Every service serves the events' AsyncAPI catalog beside its /docs (issue 16)."""

from __future__ import annotations

import json
import re
from typing import Any

from kokuho.events.catalog.asyncapi import document
from kokuho.events.catalog.topics import published_event_types as event_types


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


async def test_the_catalog_page_lists_every_event_and_loads_nothing_from_another_host(
    service: Any,
) -> None:
    async with service.client() as client:
        page = await client.get("/asyncapi")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for event_type in event_types():
        assert f"<code>{event_type}</code>" in page.text
    assert "<script" not in page.text
    references = re.findall(r"""(?:src|href|url)\s*[=:(]\s*['"]([^'"]+)['"]""", page.text)
    assert "asyncapi.json" in references
    assert all(r.startswith("#") or not re.match(r"^(https?:)?//", r) for r in references)
