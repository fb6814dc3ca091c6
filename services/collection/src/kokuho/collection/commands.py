"""Commands beyond migrate/serve/verify-audit: the synthetic demo seed (idempotent)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from kokuho.collection.adapters.unit_of_work import CollectionUnit
from kokuho.collection.api.deps import JST
from kokuho.collection.app.cases import open_case
from kokuho.collection.config import Settings
from kokuho.collection.domain.case import OpenCase
from kokuho.collection.domain.errors import CaseAlreadyOpened
from kokuho.platform.audit import PostgresAuditLog, RequestAudit
from kokuho.platform.eventing import Eventing
from kokuho.platform.settings import ServiceSettings

#: the demo case (synthetic: addressee numbers of demo data start with 99)
DEMO_CASE = UUID("00000000-0000-4000-8000-000000000001")
DEMO_ADDRESSEE = "9910000001"


async def seed(settings: ServiceSettings) -> str:
    """Open the demo case through the use case, on the platform's eventing (the pool and audit
    log ``serve`` has; no relay: the event is published once the service serves)."""
    assert isinstance(settings, Settings)
    today = datetime.now(UTC).astimezone(JST).date()
    command = OpenCase(DEMO_CASE, DEMO_ADDRESSEE, today, "system:seed", today)
    async with Eventing(settings, relay=False, pool_size=2) as eventing:
        trail = RequestAudit(
            PostgresAuditLog(lambda: eventing.pool),
            user_id="system:seed",
            terminal_id=None,
            operation="seed",
            request_id=None,
        )
        unit = CollectionUnit(lambda: eventing.pool, audit=trail, topic=settings.events_topic)
        try:
            await open_case(unit, command)
        except CaseAlreadyOpened:
            return f"demo: case {DEMO_CASE} is open already"
    return f"demo: case {DEMO_CASE} opened for {DEMO_ADDRESSEE}"
