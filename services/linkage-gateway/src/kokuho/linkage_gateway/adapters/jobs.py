"""The background jobs ``serve`` runs (``async def job(kit, stop)``, given to ``build_service``):
the inquiry-result retention hourly (C-77); when configured, sending insured changes to the
federation (C-58: "sent on schedule") and polling the e-application portal. Each run calls the
same use case as its route, audited under the job's own user id."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import cast

import asyncpg

from kokuho.linkage_gateway.adapters.unit_of_work import GatewayUnit
from kokuho.linkage_gateway.app import applications, federation, inquiries
from kokuho.linkage_gateway.app.ports import GatewayUnitPort, Ports
from kokuho.linkage_gateway.config import Settings
from kokuho.platform.audit import RequestAudit
from kokuho.platform.service import Job, ServiceKit

log = logging.getLogger(__name__)

FEDERATION_JOB = "system:federation-schedule"
INTAKE_JOB = "system:e-application-intake"
RETENTION_JOB = "system:inquiry-result-retention"
RETENTION_EVERY = 3600.0


def job_unit(kit: ServiceKit, user_id: str, operation: str) -> GatewayUnitPort:
    """A unit on the pool whose audit records name the job."""
    trail = RequestAudit.of_system(kit.pool, user_id, operation)
    # the kit's factory is bootstrap's GatewayUnit (typed by the platform as its base)
    return cast(GatewayUnitPort, kit.unit_of_work(kit.pool, audit=trail))


def _ports(kit: ServiceKit) -> Ports:
    assert isinstance(kit.ports, Ports)
    return kit.ports


async def scheduled_federation_send(kit: ServiceKit) -> None:
    ports = _ports(kit)
    operation = "federation transmission (C-58)"
    await federation.send_insured_changes(
        job_unit(kit, FEDERATION_JOB, operation),
        lambda: job_unit(kit, FEDERATION_JOB, operation),
        ports.federation,
        federation.SendInsuredChanges(user_id=FEDERATION_JOB, at=kit.clock()),
        kit.clock,
    )


async def scheduled_intake(kit: ServiceKit) -> None:
    await applications.run_intake(
        lambda: job_unit(kit, INTAKE_JOB, applications.INTAKE_OPERATION),
        _ports(kit),
        at=kit.clock(),
    )


async def purge_inquiry_results(
    pool: asyncpg.Pool, *, retention: timedelta, now: datetime | None = None
) -> int:
    """C-77 now: delete the inquiry results past the retention, audited as the job."""
    trail = RequestAudit.of_system(lambda: pool, RETENTION_JOB, "delete inquiry results (C-77)")
    deleted = await inquiries.purge_inquiry_results(
        GatewayUnit(lambda: pool, audit=trail), retention=retention, now=now or datetime.now(UTC)
    )
    return len(deleted)


async def retention_job(kit: ServiceKit, stop: asyncio.Event) -> None:
    settings = Settings.of(kit.settings)
    retention = timedelta(days=settings.inquiry_result_retention_days)
    while not stop.is_set():
        try:
            count = await purge_inquiry_results(kit.pool(), retention=retention, now=kit.clock())
            if count:
                log.info("inquiry results deleted", extra={"count": count})
        except (OSError, asyncpg.PostgresError):
            log.exception("inquiry-result retention failed; retrying later")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), RETENTION_EVERY)


def every(seconds: float, run: Callable[[ServiceKit], Awaitable[None]]) -> Job:
    """A job running ``run(kit)`` every ``seconds`` until the service stops; a failed run is
    logged and the next runs as scheduled."""
    name = getattr(run, "__name__", "job")

    async def job(kit: ServiceKit, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds)
            if stop.is_set():
                return
            try:
                await run(kit)
            except (OSError, asyncpg.PostgresError, ConnectionError):
                log.exception("scheduled job failed; next run as scheduled", extra={"job": name})

    return job


def jobs(settings: Settings) -> list[Job]:
    """What ``serve`` runs in the background, by the settings."""
    found: list[Job] = [retention_job]
    if settings.federation_send_interval_seconds:
        found.append(every(settings.federation_send_interval_seconds, scheduled_federation_send))
    if settings.e_application_poll_interval_seconds:
        found.append(every(settings.e_application_poll_interval_seconds, scheduled_intake))
    return found
