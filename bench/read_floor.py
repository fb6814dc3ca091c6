"""What one served process can answer of a household read at all (issue 15): the floor under
the audited GET's ratio to /healthz.

``uv run python -m bench.read_floor [seconds]`` starts eligibility as ``audited_requests``
does, but served by this module (``python -m bench.read_floor serve``): the service as built,
plus two routes outside ``/api`` that only this bench's process has. Both authenticate the
bearer token as the guard does and run the same use case (``views.household``) on a pool
connection without a transaction, with no FastAPI dependency solving and no response model:

- ``/floor/audited/{n}`` appends the read's audit record, as ``GET /api/v1/households/{n}``;
- ``/floor/unaudited/{n}`` makes the record and drops it: a read no audited read can beat.

Closed loop, 8 connections: /healthz, the GET as built, and the two floors, each with the CPU
a request of the served process and of PostgreSQL. Not part of ``make bench``: it measures
no goal, it says why the goal of 0.5x is out of reach on a machine of two cores.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from starlette.routing import Route

from bench.audited_requests import (
    CLERK,
    clerk_headers,
    eligibility_service,
    seeded_households,
    with_cpu,
)
from bench.infra import endpoints
from bench.load import closed_loop, request_bytes

FLOOR_ROLES = frozenset({CLERK})


async def _floor(request: Request, *, audited: bool) -> Response:
    from kokuho.eligibility.api.schemas import HouseholdOut
    from kokuho.eligibility.app import views
    from kokuho.platform.audit import RequestAudit, audit_log_of
    from kokuho.platform.auth import bearer_token, verifier_of
    from kokuho.platform.service import kit_of

    user = verifier_of(request).authorize(bearer_token(request) or "", FLOOR_ROLES, None)
    number = request.path_params["household_number"]
    kit = kit_of(request)
    trail = RequestAudit(
        audit_log_of(request),
        user_id=user.user_id,
        terminal_id=user.terminal_id,
        operation="GET /floor",
        request_id=None,
        roles_used=[CLERK],
    )
    async with kit.pool().acquire() as conn:
        uow = kit.unit_of_work(conn=conn, audit=trail).without_transaction()
        found = await views.household(uow, number, None)
        body = HouseholdOut.model_validate(found).model_dump_json().encode()
    if audited:
        await uow.audit.write()
    return Response(body, media_type="application/json")


def with_floors(app: FastAPI) -> FastAPI:
    async def audited(request: Request) -> Response:
        return await _floor(request, audited=True)

    async def unaudited(request: Request) -> Response:
        return await _floor(request, audited=False)

    # first in the route table: the service's own routes are not tried before them
    app.router.routes[:0] = [
        Route("/floor/audited/{household_number}", audited, methods=["GET"]),
        Route("/floor/unaudited/{household_number}", unaudited, methods=["GET"]),
    ]
    return app


def serve() -> int:
    from kokuho.eligibility.__main__ import DEFINITION
    from kokuho.platform.commands import main as service_main

    build = DEFINITION.build_app

    def build_with_floors(settings: Any) -> FastAPI:
        return with_floors(build(settings))

    return service_main(replace(DEFINITION, build_app=build_with_floors), ["serve"])


async def measure(seconds: float) -> None:
    admin_dsn, kafka = endpoints()
    auth = clerk_headers()
    served = ("-m", "bench.read_floor", "serve")
    async with eligibility_service(admin_dsn, kafka, served) as (base, dsn, pid):
        host = urlsplit(base).netloc
        households = await seeded_households(dsn)

        def read(path: str) -> Any:
            return lambda i: request_bytes(
                "GET", path.format(households[i % len(households)]), host, auth
            )

        healthz = request_bytes("GET", "/healthz", host)
        reads = {
            "GET /api/v1/households/{n} (built)": read("/api/v1/households/{}"),
            "floor, audited": read("/floor/audited/{}"),
            "floor, no audit record": read("/floor/unaudited/{}"),
        }
        for name, requests in reads.items():  # warm-up; each answers 200 or the bench stops
            warm = await closed_loop(base, name, 0.5, requests, connections=2)
            if warm.failed or not warm.latencies:
                raise SystemExit(f"{name}: {warm.failed} failed answers in the warm-up")
        for _ in range(2):
            base_line = await with_cpu(
                pid, closed_loop(base, "/healthz", seconds, lambda i: healthz)
            )
            for name, requests in reads.items():
                got = await with_cpu(pid, closed_loop(base, name, seconds, requests))
                print(f"{'  ratio to /healthz':<34} {got.achieved / base_line.achieved:.2f}x")


if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        sys.exit(serve())
    asyncio.run(measure(float(sys.argv[1]) if len(sys.argv) > 1 else 4.0))
