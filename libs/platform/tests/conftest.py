"""A small service built with kokuho.platform, used by the platform's own tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import asyncpg
import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from kokuho.platform import audit as audit_module
from kokuho.platform import idempotency as idempotency_module
from kokuho.platform.app import create_app
from kokuho.platform.audit import AuditLog, AuditTrail
from kokuho.platform.auth import StaffUser, TokenVerifier, require_roles
from kokuho.platform.idempotency import IdempotencyDep, IdempotencyStore
from kokuho.platform.problems import DomainErrorMapping
from kokuho.platform.settings import ServiceSettings
from kokuho.platform.token import PrivateKey, mint_token, new_private_key

CLERK = "eligibility.clerk"


class InsuredAlreadyEnrolledError(Exception):
    pass


class StaleVersionError(Exception):
    pass


class Enrolment(BaseModel):
    addressee_number: str
    birth_date: dt.date
    household_size: int = 1


class EnrolmentOut(BaseModel):
    enrolment_no: int
    addressee_number: str


class Counter:
    def __init__(self) -> None:
        self.runs = 0


def sample_router(counter: Counter, pool: Callable[[], asyncpg.Pool | None]) -> APIRouter:
    router = APIRouter(prefix="/api/v1")

    @router.get("/insured/{addressee_number}")
    async def get_insured(
        addressee_number: str,
        user: Annotated[StaffUser, require_roles(CLERK, "auditor")],
        audit: AuditTrail,
    ) -> dict[str, Any]:
        await audit.record(
            subjects=[addressee_number], detail={"fields": ["addressee_number", "status"]}
        )
        return {"addressee_number": addressee_number, "status": "insured", "by": user.user_id}

    @router.get("/quiet/{addressee_number}", dependencies=[require_roles(CLERK)])
    async def quiet(addressee_number: str) -> dict[str, str]:
        return {"ok": addressee_number}

    @router.post("/enrolments", status_code=201, dependencies=[require_roles(CLERK)])
    async def enrol(body: Enrolment, idem: IdempotencyDep) -> EnrolmentOut:
        the_pool = pool()
        if the_pool is None:
            await idem.begin()
            counter.runs += 1
            out = EnrolmentOut(enrolment_no=counter.runs, addressee_number=body.addressee_number)
            await idem.complete(None, out, status_code=201)
            return out
        async with the_pool.acquire() as conn, conn.transaction():
            await idem.begin(conn)
            counter.runs += 1
            number = await conn.fetchval(
                "INSERT INTO enrolments (addressee_number) VALUES ($1) RETURNING enrolment_no",
                body.addressee_number,
            )
            out = EnrolmentOut(enrolment_no=number, addressee_number=body.addressee_number)
            await idem.complete(conn, out, status_code=201)
        return out

    @router.post("/rules/{addressee_number}", dependencies=[require_roles(CLERK)])
    async def refuse(addressee_number: str, kind: str = "enrolled") -> None:
        if kind == "stale":
            raise StaleVersionError("expected version 3, found 4")
        raise InsuredAlreadyEnrolledError(f"addressee {addressee_number} is already enrolled")

    @router.get("/boom", dependencies=[require_roles(CLERK)])
    async def boom() -> None:
        raise RuntimeError("secret detail 123456789012 must not leak")

    return router


class Service:
    def __init__(
        self, app: FastAPI, key: PrivateKey, audit_log: AuditLog, counter: Counter
    ) -> None:
        self.app = app
        self.key = key
        self.audit_log = audit_log
        self.counter = counter

    def token(self, roles: tuple[str, ...] = (CLERK,), **kwargs: Any) -> str:
        kwargs.setdefault("user_id", "U0001")
        kwargs.setdefault("terminal_id", "T-0001")
        return mint_token(self.key, roles=roles, **kwargs)

    def headers(self, roles: tuple[str, ...] = (CLERK,), **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(roles, **kwargs)}"}

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, raise_app_exceptions=False),
            base_url="http://test",
        )


def build_service(
    audit_log: AuditLog,
    store: IdempotencyStore,
    pool: asyncpg.Pool | None = None,
    *,
    allowed_terminal_ids: frozenset[str] | None = None,
) -> Service:
    key = new_private_key()
    counter = Counter()
    verifier = TokenVerifier([key.public_key()], allowed_terminal_ids=allowed_terminal_ids)  # type: ignore[list-item]
    settings = ServiceSettings(service_name="platform-test")
    app = create_app(
        settings,
        audit_log=audit_log,
        idempotency_store=store,
        token_verifier=verifier,
        routers=[sample_router(counter, lambda: pool)],
        domain_errors={
            InsuredAlreadyEnrolledError: None,
            StaleVersionError: DomainErrorMapping(409, "stale-version"),
        },
    )
    return Service(app, key, audit_log, counter)


@pytest.fixture
def service() -> Service:
    return build_service(
        audit_module.InMemoryAuditLog(), idempotency_module.InMemoryIdempotencyStore()
    )


@pytest.fixture
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    admin = await asyncpg.connect(fresh_database)
    try:
        await audit_module.install(admin)
        await idempotency_module.install(admin)
        await admin.execute(
            "CREATE TABLE enrolments (enrolment_no bigint GENERATED ALWAYS AS IDENTITY,"
            " addressee_number text NOT NULL)"
        )
    finally:
        await admin.close()
    the_pool = await asyncpg.create_pool(fresh_database, min_size=1, max_size=10)
    try:
        yield the_pool
    finally:
        await the_pool.close()


@pytest.fixture
def pg_service(pool: asyncpg.Pool) -> Service:
    return build_service(
        audit_module.PostgresAuditLog(pool),
        idempotency_module.PostgresIdempotencyStore(),
        pool,
    )


@pytest.fixture
def make_service() -> Callable[..., Service]:
    return build_service
