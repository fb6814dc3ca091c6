"""The resident register's feed over HTTP (the simulator process ``make run`` starts, or the
register's real interface): ``GET {base}/v1/changes?after=N&limit=M`` answers
``{"changes": [...]}`` in sequence order (ADR 0015); over mutual TLS when given the client
context (ADR 0095)."""

from __future__ import annotations

import ssl
from typing import Any

import httpx

from kokuho.eligibility.app.register_pull import FeedReader, FeedUnavailable, RegisterIntake
from kokuho.eligibility.parameters.register import load_intake_parameters


def http_reader(
    base_url: str, tls: ssl.SSLContext | None = None, timeout: float = 30.0
) -> FeedReader:
    # without ``tls`` httpx's own verification: the settings allow that for plain http on this
    # machine only (kokuho.platform.tls.counterpart_context)
    verify: ssl.SSLContext | bool = True if tls is None else tls

    async def read(after: int, limit: int) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(base_url=base_url, timeout=timeout, verify=verify) as client:
            try:
                response = await client.get("/v1/changes", params={"after": after, "limit": limit})
            except httpx.TransportError as failed:
                raise FeedUnavailable(
                    f"resident register unreachable: {type(failed).__name__}"
                ) from None
        if response.status_code != 200:
            raise FeedUnavailable(f"resident register answered {response.status_code}")
        body = response.json()
        changes = body.get("changes") if isinstance(body, dict) else None
        if not isinstance(changes, list):
            raise FeedUnavailable("resident register answered without a list of changes")
        return changes

    return read


def register_intake(url: str | None, tls: ssl.SSLContext | None = None) -> RegisterIntake:
    """The intake with its parameters, reading the feed at ``url`` (None: files only) with the
    client context ``tls`` (mutual TLS) when given."""
    return RegisterIntake(load_intake_parameters(), reader=http_reader(url, tls) if url else None)
