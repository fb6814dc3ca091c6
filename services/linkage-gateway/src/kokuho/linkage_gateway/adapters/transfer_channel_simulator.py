"""Stand-in for the common platform's linkage to other divisions: delivers into memory and
reports the routes it is configured for (for the C-69 drift check)."""

from __future__ import annotations

import uuid

from kokuho.linkage_gateway.app.ports import CounterpartUnavailable


class TransferChannelSimulator:
    def __init__(self, routes: list[tuple[str, str]] | None = None) -> None:
        self.routes = list(routes or [])
        self.delivered: list[tuple[str, str, list[dict[str, str]]]] = []

    async def deliver(self, *, recipient: str, method: str, records: list[dict[str, str]]) -> str:
        if (recipient, method) not in self.routes:
            raise CounterpartUnavailable(f"no route to {recipient} by {method}")
        self.delivered.append((recipient, method, records))
        return f"xfer-{uuid.uuid4().hex[:12]}"

    def configured_routes(self) -> list[tuple[str, str]]:
        return list(self.routes)
