"""``GET /healthz`` (the process is alive) and ``GET /readyz`` (dependencies reachable).

Neither needs a token. ``/readyz`` runs every readiness check concurrently with a timeout;
any failure gives a 503 problem naming the failed checks (never the error text, which may
hold a DSN). Checks are ``async def check() -> None`` that raise when not ready;
``postgres_check`` and ``kafka_check`` cover the usual two.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

import asyncpg
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.platform.problems import Problem

ReadinessCheck = Callable[[], Awaitable[None]]
CHECK_TIMEOUT_SECONDS = 3.0

log = logging.getLogger(__name__)


def postgres_check(pool: asyncpg.Pool | Callable[[], asyncpg.Pool]) -> ReadinessCheck:
    async def check() -> None:
        resolved = pool if isinstance(pool, asyncpg.Pool) else pool()
        async with resolved.acquire() as conn:
            await conn.fetchval("SELECT 1")

    return check


def kafka_check(connection: Callable[[], KafkaConnection]) -> ReadinessCheck:
    """Fetch cluster metadata from the brokers (as the service's own Kafka user). The
    connection is made when the check runs: building an app (its OpenAPI document) needs no
    credentials; starting it does (``Eventing`` refuses without them)."""

    async def check() -> None:
        from aiokafka import AIOKafkaClient

        client = AIOKafkaClient(**connection().client_options(), request_timeout_ms=2000)
        try:
            await client.bootstrap()
            if not client.cluster.brokers():
                raise RuntimeError("no Kafka brokers in metadata")
        finally:
            await client.close()

    return check


async def run_checks(
    checks: Mapping[str, ReadinessCheck], timeout: float = CHECK_TIMEOUT_SECONDS
) -> dict[str, str]:
    async def one(name: str, check: ReadinessCheck) -> tuple[str, str]:
        try:
            await asyncio.wait_for(check(), timeout)
        except Exception:
            log.warning("readiness check failed", extra={"check": name}, exc_info=True)
            return name, "failed"
        return name, "ok"

    results = await asyncio.gather(*(one(name, check) for name, check in checks.items()))
    return dict(results)


def health_router(checks: Mapping[str, ReadinessCheck] | None = None) -> APIRouter:
    router = APIRouter(tags=["health"])
    registered = dict(checks or {})

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Database and Kafka are reachable")
    async def readyz() -> JSONResponse:
        results = await run_checks(registered)
        failed = sorted(name for name, status in results.items() if status != "ok")
        if failed:
            problem = Problem(
                503, "not-ready", detail="Not ready: " + ", ".join(failed), instance="/readyz"
            )
            body = problem.body() | {"checks": results}
            return JSONResponse(body, status_code=503, media_type="application/problem+json")
        return JSONResponse({"status": "ok", "checks": results})

    return router


def install_health(app: FastAPI, checks: Mapping[str, ReadinessCheck] | None = None) -> None:
    app.include_router(health_router(checks))
