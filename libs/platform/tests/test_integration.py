"""The platform against the real PostgreSQL: auth denials audited, the audit chain and its
guards, C-49 queries, idempotency in the handler's transaction."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import APIRouter

from kokuho.platform import audit
from kokuho.platform.app import create_app
from kokuho.platform.audit import AuditEntry, AuditTrail, Outcome, PostgresAuditLog
from kokuho.platform.auth import TokenVerifier, require_roles
from kokuho.platform.idempotency import IdempotencyScope, PostgresIdempotencyStore
from kokuho.platform.problems import Problem
from kokuho.platform.settings import ServiceSettings
from kokuho.platform.token import mint_token, new_private_key

pytestmark = pytest.mark.integration

INSURED = "/api/v1/insured/000123"


async def rows(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    """The records in append order (sealed or not yet: ADR 0006)."""
    return await pool.fetch("SELECT * FROM audit_log ORDER BY id")


async def seal(pool: asyncpg.Pool) -> int:
    """What the running service's sealer does a moment after each commit."""
    async with pool.acquire() as conn:
        return await audit.seal_pending(conn)


async def test_denials_and_access_are_audited(pg_service: Any, pool: asyncpg.Pool) -> None:
    svc = pg_service
    now = time.time()
    cases = [
        ("no token", {}, 401),
        ("expired", svc.headers(now=now - 7200, ttl_seconds=60), 401),
        (
            "other key",
            {
                "Authorization": "Bearer "
                + mint_token(new_private_key(), user_id="U0001", roles=["eligibility.clerk"])
            },
            401,
        ),
        ("wrong issuer", svc.headers(issuer="evil-issuer"), 401),
        ("no role", svc.headers(("benefits.clerk",)), 403),
        ("no iccard", svc.headers(amr=["pwd"]), 403),
    ]
    async with svc.client() as client:
        for name, headers, status in cases:
            response = await client.get(INSURED, headers=headers | {"X-Request-Id": f"r-{status}"})
            assert response.status_code == status, name
            assert response.headers["content-type"] == "application/problem+json", name
        allowed = await client.get(INSURED, headers=svc.headers() | {"X-Request-Id": "r-ok"})
    assert allowed.status_code == 200

    records = await rows(pool)
    assert [(r["outcome"], r["status_code"]) for r in records] == [
        ("denied", s) for _, _, s in cases
    ] + [("allowed", None)]
    for record in records:
        assert record["operation"] == "GET /api/v1/insured/{addressee_number}"
        assert record["subject_addressee_numbers"] == ["000123"]
    assert [r["user_id"] for r in records[:4]] == ["anonymous"] * 4
    assert records[4]["user_id"] == "U0001"
    assert records[5]["detail"].find("iccard") >= 0
    last = records[-1]
    assert (last["user_id"], last["terminal_id"], last["request_id"]) == ("U0001", "T-0001", "r-ok")
    assert '"fields"' in last["detail"]
    async with pool.acquire() as conn:
        report = await audit.verify(conn)
        assert report.ok, str(report)
        assert (report.records, report.unsealed) == (7, 7)
        assert await seal(pool) == 7
        report = await audit.verify(conn)
    assert str(report) == "audit chain OK: 7 records"


async def append_many(pool: asyncpg.Pool, n: int, user: str = "U1") -> None:
    log = PostgresAuditLog(pool)
    await asyncio.gather(
        *(
            log.append(
                AuditEntry(
                    user_id=user,
                    operation="GET /x",
                    outcome=Outcome.ALLOWED,
                    subjects=(f"{i:06d}",),
                    detail={"i": i},
                )
            )
            for i in range(n)
        )
    )


async def test_concurrent_appends_form_one_chain(pool: asyncpg.Pool) -> None:
    await append_many(pool, 60)
    assert await seal(pool) == 60
    records = await pool.fetch("SELECT * FROM audit_log ORDER BY seq")
    assert [r["seq"] for r in records] == list(range(1, 61))
    assert len({r["prev_hash"] for r in records}) == 60
    async with pool.acquire() as conn:
        assert (await audit.verify(conn)).records == 60


async def test_append_inside_caller_transaction_rolls_back_with_it(pool: asyncpg.Pool) -> None:
    log = PostgresAuditLog(pool)
    entry = AuditEntry(user_id="U1", operation="POST /x", outcome=Outcome.ALLOWED)

    async def failing_handler(conn: asyncpg.Connection) -> None:
        async with conn.transaction():
            await log.append(entry, conn=conn)
            raise RuntimeError("handler failed")

    async with pool.acquire() as conn:
        with pytest.raises(RuntimeError):
            await failing_handler(conn)
    await log.append(entry)
    await seal(pool)
    records = await rows(pool)
    assert [r["seq"] for r in records] == [1]  # gapless: only committed records are chained
    async with pool.acquire() as conn:
        assert (await audit.verify(conn)).ok


async def test_application_cannot_change_or_delete_records(pool: asyncpg.Pool) -> None:
    await append_many(pool, 3)
    await seal(pool)
    async with pool.acquire() as conn:
        for statement in (
            "UPDATE audit.log SET user_id = 'someone' WHERE seq = 2",
            "DELETE FROM audit.log WHERE seq = 2",
            "TRUNCATE audit.log",
        ):
            with pytest.raises(asyncpg.PostgresError, match="append-only"):
                await conn.execute(statement)
        role = f"app_{uuid.uuid4().hex[:10]}"
        await conn.execute(f'CREATE ROLE "{role}" NOLOGIN')
        try:
            await audit.install(conn, app_role=role)
            await conn.execute(f'SET ROLE "{role}"')
            for statement in (
                "UPDATE audit_log SET user_id = 'someone' WHERE seq = 2",
                "DELETE FROM audit_log WHERE seq = 2",
                "SELECT audit.purge(10)",
            ):
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await conn.execute(statement)
            # ... but it can append.
            await PostgresAuditLog(pool).append(
                AuditEntry(user_id="U1", operation="GET /y", outcome=Outcome.ALLOWED), conn=conn
            )
            await conn.execute("RESET ROLE")
        finally:
            await conn.execute("RESET ROLE")
            await conn.execute(f'DROP OWNED BY "{role}"')
            await conn.execute(f'DROP ROLE "{role}"')
        assert (await audit.verify(conn)).records == 4


async def run_verify_cli(dsn: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kokuho.platform.audit",
        "verify",
        "--dsn",
        dsn,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


async def test_verify_reports_tampered_record(pool: asyncpg.Pool, fresh_database: str) -> None:
    await append_many(pool, 5)
    await seal(pool)
    code, out = await run_verify_cli(fresh_database)
    assert (code, out.strip()) == (0, "audit chain OK: 5 records")
    async with pool.acquire() as conn:  # as the superuser: only it can disable the trigger
        await conn.execute("ALTER TABLE audit.log DISABLE TRIGGER log_append_only")
        await conn.execute("UPDATE audit.log SET user_id = 'U-innocent' WHERE seq = 3")
        await conn.execute("ALTER TABLE audit.log ENABLE TRIGGER log_append_only")
        report = await audit.verify(conn)
    assert (report.problem, report.seq) == ("tampered", 3)
    code, out = await run_verify_cli(fresh_database)
    assert code != 0
    assert "record 3 is tampered" in out


async def test_verify_reports_rehashed_record_without_the_key(pool: asyncpg.Pool) -> None:
    """Re-sealing needs the key: an unkeyed hash recomputed over the edit is found at once."""
    await append_many(pool, 5)
    await seal(pool)
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM audit_log WHERE seq = 2")
        forged = audit.record_hash(
            seq=2,
            occurred_at=row["occurred_at"],
            user_id="U-other",
            terminal_id=row["terminal_id"],
            operation=row["operation"],
            subjects=row["subject_addressee_numbers"],
            outcome=row["outcome"],
            status_code=row["status_code"],
            request_id=row["request_id"],
            detail={"i": 99},
            prev_hash=row["prev_hash"],
        )
        await conn.execute("ALTER TABLE audit.log DISABLE TRIGGER log_append_only")
        await conn.execute(
            "UPDATE audit.log SET user_id = 'U-other', detail = '{\"i\": 99}', hash = $1"
            " WHERE seq = 2",
            forged,
        )
        report = await audit.verify(conn)
    assert (report.problem, report.seq) == ("tampered", 2)


async def test_verify_reports_missing_record(pool: asyncpg.Pool, fresh_database: str) -> None:
    await append_many(pool, 5)
    await seal(pool)
    async with pool.acquire() as conn:
        await conn.execute("ALTER TABLE audit.log DISABLE TRIGGER log_append_only")
        await conn.execute("DELETE FROM audit.log WHERE seq = 3")
        report = await audit.verify(conn)
    assert (report.problem, report.seq) == ("missing", 3)
    code, out = await run_verify_cli(fresh_database)
    assert code != 0
    assert "record 3 is missing" in out


async def test_verify_reports_missing_tail(pool: asyncpg.Pool) -> None:
    await append_many(pool, 5)
    await seal(pool)
    async with pool.acquire() as conn:
        await conn.execute("ALTER TABLE audit.log DISABLE TRIGGER log_append_only")
        await conn.execute("DELETE FROM audit.log WHERE seq = 5")
        report = await audit.verify(conn)
    assert (report.problem, report.seq) == ("missing", 5)


async def test_investigation_queries(pool: asyncpg.Pool) -> None:
    log = PostgresAuditLog(pool)
    for user, subjects in [("U1", ("A1",)), ("U2", ("A1", "A2")), ("U1", ("A2",)), ("U3", ())]:
        await log.append(
            AuditEntry(user_id=user, operation="GET /x", outcome=Outcome.ALLOWED, subjects=subjects)
        )
    now = datetime.now(UTC)
    async with pool.acquire() as conn:
        hits = await audit.who_accessed(conn, "A1", since=now - timedelta(hours=1), until=now)
        assert [(r.user_id, r.subjects) for r in hits] == [("U1", ("A1",)), ("U2", ("A1", "A2"))]
        assert (
            await audit.who_accessed(
                conn, "A1", since=now - timedelta(days=2), until=now - timedelta(days=1)
            )
            == []
        )
        by_u1 = await audit.accessed_by(conn, "U1")
        assert [r.subjects for r in by_u1] == [("A1",), ("A2",)]
        assert await audit.accessed_by(conn, "U1", since=now + timedelta(seconds=1)) == []


async def insert_sealed(conn: asyncpg.Connection, entry: AuditEntry, at: datetime) -> None:
    """Write a sealed record as if it had been appended at ``at`` (for retention tests; as
    the superuser, with the key)."""
    key = audit.current_key()
    head = await conn.fetchrow("SELECT last_seq, last_hash FROM audit.chain_head FOR UPDATE")
    record = audit._sealed(
        audit._prepare(entry, key, at), key, head["last_seq"] + 1, head["last_hash"]
    )
    await conn.execute(
        "INSERT INTO audit.log (entry_id, seq, occurred_at, user_id, terminal_id, operation,"
        " subject_addressee_numbers, outcome, status_code, request_id, detail, entry_mac,"
        " prev_hash, hash, sealed_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '{}', $11, $12, $13, now())",
        uuid.UUID(str(record.entry_id)),
        record.seq,
        record.occurred_at,
        record.user_id,
        record.terminal_id,
        record.operation,
        list(record.subjects),
        record.outcome.value,
        record.status_code,
        record.request_id,
        record.entry_mac,
        record.prev_hash,
        record.hash,
    )
    await conn.execute(
        "UPDATE audit.chain_head SET last_seq = $1, last_hash = $2", record.seq, record.hash
    )


async def test_retention_purge_keeps_chain_verifiable(pool: asyncpg.Pool) -> None:
    entry = AuditEntry(user_id="U1", operation="GET /old", outcome=Outcome.ALLOWED)
    async with pool.acquire() as conn:
        for years_ago in (12, 11, 1):
            async with conn.transaction():
                at = datetime.now(UTC) - timedelta(days=365 * years_ago + 3)
                await insert_sealed(conn, entry, at)
        await append_many(pool, 2)
        await seal(pool)
        with pytest.raises(asyncpg.PostgresError, match="at least 10 years"):
            await audit.purge(conn, 5)
        with pytest.raises(asyncpg.PostgresError, match="append-only"):
            await conn.execute("DELETE FROM audit_log WHERE seq = 1")  # no checkpoint
        assert await audit.purge(conn, 10) == 2
        assert [r["seq"] for r in await rows(pool)] == [3, 4, 5]
        report = await audit.verify(conn)
        assert (report.ok, report.records) == (True, 3)
        assert await audit.purge(conn, 10) == 0
        checkpoint = await conn.fetchrow("SELECT * FROM audit.purge_checkpoint")
        assert checkpoint["purged_through_seq"] == 2
        with pytest.raises(asyncpg.PostgresError, match="append-only"):
            await conn.execute("DELETE FROM audit_log WHERE seq = 3")  # within retention
        with pytest.raises(asyncpg.PostgresError, match="append-only"):
            await conn.execute("UPDATE audit.purge_checkpoint SET last_purged_hash = 'x'")


async def test_install_is_idempotent(pool: asyncpg.Pool) -> None:
    await append_many(pool, 2)
    async with pool.acquire() as one, pool.acquire() as two:
        await asyncio.gather(audit.install(one), audit.install(two))
        assert (await audit.verify(one)).records == 2


async def test_idempotency_in_handler_transaction(pg_service: Any, pool: asyncpg.Pool) -> None:
    svc = pg_service
    body = {"addressee_number": "000123", "birth_date": "1980-01-01"}
    headers = svc.headers() | {"Idempotency-Key": "key-1"}
    async with svc.client() as client:
        first = await client.post("/api/v1/enrolments", json=body, headers=headers)
        again = await client.post("/api/v1/enrolments", json=body, headers=headers)
        changed = await client.post(
            "/api/v1/enrolments", json=body | {"addressee_number": "000999"}, headers=headers
        )
    assert (first.status_code, again.status_code, changed.status_code) == (201, 201, 422)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert changed.json()["type"] == "urn:kokuho:problem:idempotency-key-reuse"
    assert svc.counter.runs == 1
    assert await pool.fetchval("SELECT count(*) FROM enrolments") == 1
    stored = await pool.fetchrow("SELECT * FROM idempotency_keys")
    assert (stored["user_id"], stored["status_code"]) == ("U0001", 201)
    outcomes = [(r["outcome"], r["status_code"]) for r in await rows(pool)]
    assert outcomes == [("allowed", 201), ("allowed", 201), ("failed", 422)]


async def test_idempotency_in_flight_and_rollback(pool: asyncpg.Pool) -> None:
    store = PostgresIdempotencyStore()
    scope = IdempotencyScope("U1", "k", "POST", "/api/v1/x", "h1")
    async with pool.acquire() as first, pool.acquire() as second:
        tx = first.transaction()
        await tx.start()
        assert await store.reserve(scope, first) is None
        async with second.transaction():
            with pytest.raises(Problem) as caught:
                await store.reserve(scope, second)
        assert caught.value.status == 409
        await tx.rollback()  # the handler crashed: no effects, no key
        async with second.transaction():
            assert await store.reserve(scope, second) is None
    with pytest.raises(RuntimeError, match="transaction"):
        async with pool.acquire() as conn:
            await store.reserve(scope, conn)


async def test_route_record_rolled_back_with_handler_is_replaced_by_failure(
    pool: asyncpg.Pool,
) -> None:

    router = APIRouter()

    @router.post("/api/v1/change/{addressee_number}", dependencies=[require_roles("r")])
    async def change(addressee_number: str, trail: AuditTrail) -> None:
        async with pool.acquire() as conn, conn.transaction():
            await trail.record(conn=conn)
            raise RuntimeError("effects failed")

    key = new_private_key()
    app = create_app(
        ServiceSettings(service_name="t"),
        audit_log=PostgresAuditLog(pool),
        token_verifier=TokenVerifier([key.public_key()]),  # type: ignore[list-item]
        routers=[router],
        configure_logs=False,
    )
    token = mint_token(key, user_id="U5", roles=["r"])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post(
            "/api/v1/change/000555", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 500
    records = await rows(pool)
    assert [(r["outcome"], r["status_code"], r["subject_addressee_numbers"]) for r in records] == [
        ("failed", 500, ["000555"])
    ]
