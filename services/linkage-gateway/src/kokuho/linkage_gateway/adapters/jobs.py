"""The background jobs ``serve`` runs (``async def job(kit, stop)``, given to ``build_service``):
the inquiry-result retention hourly (C-77); when configured, sending insured changes to the
federation (C-58: "sent on schedule") and polling the e-application portal. Each run calls the
same use case as its route, audited under the job's own user id."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import cast

import asyncpg

from kokuho.linkage_gateway.adapters.unit_of_work import GatewayUnit
from kokuho.linkage_gateway.app import (
    applications,
    card_status,
    federation,
    federation_files,
    inquiries,
    retention,
)
from kokuho.linkage_gateway.app.ports import (
    CounterpartUnavailable,
    GatewayUnitPort,
    IntermediateServer,
    Ports,
)
from kokuho.linkage_gateway.config import Settings
from kokuho.linkage_gateway.domain.federation import FileRejected
from kokuho.platform.audit import RequestAudit
from kokuho.platform.service import Job, ServiceKit

log = logging.getLogger(__name__)

FEDERATION_JOB = "system:federation-schedule"
INTAKE_JOB = "system:e-application-intake"
RETENTION_JOB = "system:inquiry-result-retention"
CONTINUATION_JOB = "system:continuation-fetch"
CONTINUATION_OPERATION = "fetch the federation's continuation file (C-16, C-20)"
CARD_STATE_JOB = "system:card-state-fetch"
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
        ports.sealer,
        federation.SendInsuredChanges(user_id=FEDERATION_JOB, at=kit.clock()),
        kit.clock,
    )


async def scheduled_intake(kit: ServiceKit) -> None:
    await applications.run_intake(
        lambda: job_unit(kit, INTAKE_JOB, applications.INTAKE_OPERATION),
        _ports(kit),
        at=kit.clock(),
    )


async def fetch_continuation_file(
    ports: Ports, open_unit: Callable[[], GatewayUnitPort], *, file_date: date, at: datetime
) -> federation_files.FetchResult | None:
    """The day's KKH-SKK file from the federation (the job and the command). A refused file
    or a federation that does not answer is logged (C-16 alert) and None is returned: nothing
    was applied and the next run tries again."""
    command = federation_files.FetchContinuation(file_date, CONTINUATION_JOB, at)
    try:
        result = await federation_files.fetch_continuation_file(
            open_unit, ports.federation, command
        )
    except FileRejected as rejected:
        log.warning(
            "C-16 alert: the fetched continuation file was rejected",
            extra={
                "alert": "C-16",
                "errors": len(rejected.errors),
                "lines": sorted({e.line for e in rejected.errors})[:100],
            },
        )
        return None
    except CounterpartUnavailable:
        log.warning("the federation did not answer; the continuation file waits")
        return None
    log.info(
        "continuation file fetch",
        extra={
            "file_name": result.file_name,
            "available": result.available,
            "records": result.receipt.records if result.receipt else 0,
            "differences": result.receipt.differences if result.receipt else 0,
        },
    )
    return result


async def scheduled_continuation_fetch(kit: ServiceKit) -> None:
    now = kit.clock()
    await fetch_continuation_file(
        _ports(kit),
        lambda: job_unit(kit, CONTINUATION_JOB, CONTINUATION_OPERATION),
        file_date=now.astimezone(federation_files.JST).date(),
        at=now,
    )


async def fetch_card_states(
    ports: Ports, open_unit: Callable[[], GatewayUnitPort], *, at: datetime
) -> card_status.CardStateRun | None:
    """The マイナ保険証 states from the online-qualification side, the changed ones published
    (the job and the command). A side that does not answer is logged and None is returned:
    nothing was published and the next run tries again. Refused states are logged by their
    position and reason only (no number of any kind in the log)."""
    try:
        run = await card_status.publish_card_states(open_unit, ports.server, at=at)
    except CounterpartUnavailable:
        log.warning("the online-qualification side did not answer; the card states wait")
        return None
    log.info(
        "card states fetched",
        extra={
            "reported": run.reported,
            "published": run.published,
            "unchanged": run.unchanged,
            "unknown_person": run.unknown_person,
            "refused": run.refused[:100],
        },
    )
    return run


async def scheduled_card_state_fetch(kit: ServiceKit) -> None:
    await fetch_card_states(
        _ports(kit),
        lambda: job_unit(kit, CARD_STATE_JOB, card_status.OPERATION),
        at=kit.clock(),
    )


def seconds_until(at: time, now: datetime) -> float:
    """Seconds from ``now`` to the next ``at`` (Japan time), strictly after ``now``."""
    local = now.astimezone(federation_files.JST)
    target = datetime.combine(local.date(), at, tzinfo=federation_files.JST)
    if target <= local:
        target += timedelta(days=1)
    return (target - local).total_seconds()


def passed_today(at: time, now: datetime) -> bool:
    return now.astimezone(federation_files.JST).time() >= at


def daily(at: time, run: Callable[[ServiceKit], Awaitable[None]]) -> Job:
    """A job running ``run(kit)`` every day at ``at`` (Japan time), and once at start-up when
    today's ``at`` has passed (a gateway started late catches up; ``run`` is idempotent for
    the day). A failed run is logged and the next runs as scheduled."""
    name = getattr(run, "__name__", "job")

    async def once(kit: ServiceKit) -> None:
        try:
            await run(kit)
        except (OSError, asyncpg.PostgresError, ConnectionError):
            log.exception("daily job failed; next run as scheduled", extra={"job": name})

    async def job(kit: ServiceKit, stop: asyncio.Event) -> None:
        if passed_today(at, kit.clock()):
            await once(kit)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds_until(at, kit.clock()))
            if stop.is_set():
                return
            await once(kit)

    return job


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


ERASURE_JOB = retention.SYSTEM_RETENTION


async def apply_retention(
    pool: Callable[[], asyncpg.Pool],
    server: IntermediateServer,
    *,
    now: datetime,
    dry_run: bool = False,
) -> retention.RetentionReport:
    """The retention job (C-95..C-97, ADR 0097) on the pool, each person's erasure audited as
    the job; for ``serve``'s schedule and the ``retention`` command."""

    def units() -> GatewayUnit:
        trail = RequestAudit.of_system(pool, ERASURE_JOB, retention.OPERATION)
        return GatewayUnit(pool, audit=trail)

    on = now.astimezone(federation_files.JST).date()
    report = await retention.apply_retention(units, server, now=now, on=on, dry_run=dry_run)
    summary = report.as_dict()
    log.info("retention run", extra={"erased": summary["erased"], "kept": summary["kept"]})
    return report


async def scheduled_retention(kit: ServiceKit) -> None:
    await apply_retention(kit.pool, _ports(kit).server, now=kit.clock())


def jobs(settings: Settings) -> list[Job]:
    """What ``serve`` runs in the background, by the settings."""
    found: list[Job] = [retention_job]
    if settings.federation_send_interval_seconds:
        found.append(every(settings.federation_send_interval_seconds, scheduled_federation_send))
    if settings.e_application_poll_interval_seconds:
        found.append(every(settings.e_application_poll_interval_seconds, scheduled_intake))
    if settings.continuation_fetch_time is not None:
        found.append(daily(settings.continuation_fetch_time, scheduled_continuation_fetch))
    if settings.retention_time is not None:
        found.append(daily(settings.retention_time, scheduled_retention))
    if settings.card_state_fetch_interval_seconds:
        found.append(every(settings.card_state_fetch_interval_seconds, scheduled_card_state_fetch))
    return found
