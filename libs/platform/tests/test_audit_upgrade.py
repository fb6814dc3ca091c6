"""ADR 0006: a service database migrated before the change is upgraded in place: ``provision``
(superuser) checks the old unkeyed chain, imports its records, gives the log to the owner role
and drops the old table; the sealer re-seals the imported records under the key."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from kokuho.events.testing.databases import with_database
from kokuho.platform import audit
from kokuho.platform.audit import AuditSchemaError
from kokuho.platform.database import DatabaseLogin, migrate, provision

pytestmark = pytest.mark.integration

#: The audit schema as every service database had it before ADR 0006 (owned by the service).
PRE_0006_SCHEMA = r"""
-- Kokuho audit log (C-45, C-46, C-49): append-only and hash-chained. Idempotent.
-- Installed into the current schema by kokuho.platform.audit.install(conn).

CREATE TABLE IF NOT EXISTS audit_log (
    seq bigint PRIMARY KEY CHECK (seq > 0),   -- gapless: assigned under the chain-head lock
    occurred_at timestamptz NOT NULL,
    user_id text NOT NULL,
    terminal_id text,
    operation text NOT NULL,
    subject_addressee_numbers text[] NOT NULL DEFAULT '{}',
    outcome text NOT NULL CHECK (outcome IN ('allowed', 'denied', 'failed')),
    status_code integer,
    request_id text,
    detail jsonb NOT NULL DEFAULT '{}',
    prev_hash text NOT NULL,
    hash text NOT NULL UNIQUE
);

CREATE INDEX IF NOT EXISTS audit_log_subjects_idx
    ON audit_log USING gin (subject_addressee_numbers);
CREATE INDEX IF NOT EXISTS audit_log_user_idx ON audit_log (user_id, occurred_at);
CREATE INDEX IF NOT EXISTS audit_log_occurred_idx ON audit_log (occurred_at);

-- One row: the end of the chain. Appenders lock it (SELECT ... FOR UPDATE), so the chain stays
-- linear under concurrency, and the lock lasts until the caller's transaction ends.
CREATE TABLE IF NOT EXISTS audit_chain_head (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    last_seq bigint NOT NULL,
    last_hash text NOT NULL
);
INSERT INTO audit_chain_head (id, last_seq, last_hash)
VALUES (true, 0, repeat('0', 64))
ON CONFLICT (id) DO NOTHING;

-- Retention purges: the first remaining record links to the hash of the last purged one.
CREATE TABLE IF NOT EXISTS audit_purge_checkpoint (
    purged_through_seq bigint PRIMARY KEY,
    last_purged_hash text NOT NULL,
    purged_count bigint NOT NULL,
    retention_years integer NOT NULL,
    purged_at timestamptz NOT NULL DEFAULT now(),
    purged_by text NOT NULL DEFAULT session_user
);

-- Append-only: no UPDATE, no TRUNCATE; DELETE only of records that a purge checkpoint covers
-- and that are older than the 10-year minimum (C-46), i.e. only through audit_purge().
CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW'
       AND OLD.occurred_at < now() - interval '10 years'
       AND EXISTS (SELECT 1 FROM audit_purge_checkpoint c
                   WHERE c.purged_through_seq >= OLD.seq) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard();
DROP TRIGGER IF EXISTS audit_checkpoint_no_change ON audit_purge_checkpoint;
CREATE TRIGGER audit_checkpoint_no_change BEFORE UPDATE OR DELETE ON audit_purge_checkpoint
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
DROP TRIGGER IF EXISTS audit_checkpoint_no_truncate ON audit_purge_checkpoint;
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_purge_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- The one maintenance path that removes records: those older than retention_years (>= 10).
-- Records a checkpoint (the hash of the last purged record) so that verification still works.
CREATE OR REPLACE FUNCTION audit_purge(retention_years integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    cutoff timestamptz;
    last_seq_purged bigint;
    last_hash_purged text;
    n bigint;
BEGIN
    IF retention_years < 10 THEN
        RAISE EXCEPTION 'audit retention must be at least 10 years (C-46), not %', retention_years;
    END IF;
    cutoff := now() - make_interval(years => retention_years);
    -- Purge a prefix of the chain only: stop before the first record that must be kept.
    SELECT a.seq, a.hash INTO last_seq_purged, last_hash_purged
      FROM audit_log a
     WHERE a.seq < COALESCE((SELECT min(k.seq) FROM audit_log k WHERE k.occurred_at >= cutoff),
                            (SELECT h.last_seq + 1 FROM audit_chain_head h))
     ORDER BY a.seq DESC
     LIMIT 1;
    IF last_seq_purged IS NULL THEN
        RETURN 0;
    END IF;
    SELECT count(*) INTO n FROM audit_log WHERE seq <= last_seq_purged;
    INSERT INTO audit_purge_checkpoint (purged_through_seq, last_purged_hash, purged_count,
                                        retention_years)
    VALUES (last_seq_purged, last_hash_purged, n, retention_years);
    DELETE FROM audit_log WHERE seq <= last_seq_purged;
    RETURN n;
END;
$$;

REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_purge_checkpoint FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION audit_purge(integer) FROM PUBLIC;
"""


@pytest.fixture
async def old_service(pg_admin_dsn: str) -> AsyncIterator[str]:
    """A service database as the previous release left it: the service role owns audit_log."""
    name = f"svc_{uuid.uuid4().hex[:10]}"
    host = pg_admin_dsn.split("@", 1)[1].rsplit("/", 1)[0]
    dsn = f"postgresql://{name}:pw_{name}@{host}/{name}"
    admin = await asyncpg.connect(pg_admin_dsn)
    try:
        await admin.execute(f"CREATE ROLE {name} LOGIN PASSWORD 'pw_{name}'")
        await admin.execute(f"CREATE DATABASE {name} OWNER {name}")
    finally:
        await admin.close()
    inside = await asyncpg.connect(with_database(pg_admin_dsn, name))
    try:
        await inside.execute(f"ALTER SCHEMA public OWNER TO {name}")
    finally:
        await inside.close()
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(PRE_0006_SCHEMA)
    finally:
        await conn.close()
    yield dsn
    admin = await asyncpg.connect(pg_admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'DROP ROLE IF EXISTS "{audit.audit_owner_role(name)}"')
        await admin.execute(f'DROP ROLE IF EXISTS "{name}"')
    finally:
        await admin.close()


async def old_append(conn: asyncpg.Connection, i: int, at: datetime | None = None) -> None:
    """An append of the previous release (unkeyed hash, under the chain-head lock)."""
    async with conn.transaction():
        head = await conn.fetchrow("SELECT last_seq, last_hash FROM audit_chain_head FOR UPDATE")
        fields = {
            "seq": head["last_seq"] + 1,
            "occurred_at": at or datetime.now(UTC),
            "user_id": f"U{i}",
            "terminal_id": "T-1",
            "operation": "GET /x",
            "subjects": (f"{i:010d}",),
            "outcome": "allowed",
            "status_code": None,
            "request_id": None,
            "detail": {"i": i},
            "prev_hash": head["last_hash"],
        }
        digest = audit.record_hash(**fields)
        await conn.execute(
            "INSERT INTO audit_log (seq, occurred_at, user_id, terminal_id, operation,"
            " subject_addressee_numbers, outcome, status_code, request_id, detail, prev_hash,"
            " hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)",
            fields["seq"],
            fields["occurred_at"],
            fields["user_id"],
            fields["terminal_id"],
            fields["operation"],
            list(fields["subjects"]),
            "allowed",
            None,
            None,
            json.dumps({"i": i}),
            fields["prev_hash"],
            digest,
        )
        await conn.execute(
            "UPDATE audit_chain_head SET last_seq = $1, last_hash = $2", fields["seq"], digest
        )


async def test_an_old_database_is_upgraded_in_place(pg_admin_dsn: str, old_service: str) -> None:
    conn = await asyncpg.connect(old_service)
    try:
        for i in range(4):
            await old_append(conn, i)
    finally:
        await conn.close()
    # migrate as the service role alone cannot do it (the owner role needs the superuser) ...
    with pytest.raises(AuditSchemaError, match="superuser"):
        await migrate(old_service, [])
    # ... `make run` migrates with the superuser DSN: provision, then migrate as the role
    await provision(pg_admin_dsn, old_service)
    await provision(pg_admin_dsn, old_service)  # idempotent
    await migrate(old_service, [])
    conn = await asyncpg.connect(old_service)
    try:
        assert await conn.fetchval("SELECT count(*) FROM audit_log") == 4
        before = await audit.verify(conn)
        assert (before.ok, before.records, before.unsealed) == (True, 4, 4), str(before)
        await audit.PostgresAuditLog(lambda: None).append(  # type: ignore[arg-type,return-value]
            audit.AuditEntry(user_id="U9", operation="GET /y", outcome=audit.Outcome.ALLOWED),
            conn=conn,
        )
        assert await audit.seal_pending(conn) == 5
        report = await audit.verify(conn)
        rows = await conn.fetch("SELECT seq, user_id, scheme FROM audit.log ORDER BY seq")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("UPDATE audit.log SET user_id = 'x'")
        assert await conn.fetchval("SELECT to_regclass('public.audit_chain_head')") is None
        owner = await conn.fetchval(
            "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'audit.log'::regclass"
        )
    finally:
        await conn.close()
    assert str(report) == "audit chain OK: 5 records"
    assert [(r["seq"], r["user_id"], r["scheme"]) for r in rows] == [
        (1, "U0", "imported"),
        (2, "U1", "imported"),
        (3, "U2", "imported"),
        (4, "U3", "imported"),
        (5, "U9", "hmac-sha256"),
    ]
    assert owner == audit.audit_owner_role(DatabaseLogin.from_dsn(old_service).role)


async def test_an_upgrade_keeps_the_purge_checkpoint(pg_admin_dsn: str, old_service: str) -> None:
    conn = await asyncpg.connect(old_service)
    try:
        for i, years in enumerate((12, 11, 0)):
            await old_append(conn, i, datetime.now(UTC) - timedelta(days=365 * years + 3))
    finally:
        await conn.close()
    admin = await asyncpg.connect(with_database(pg_admin_dsn, old_service.rsplit("/", 1)[1]))
    try:
        assert await admin.fetchval("SELECT audit_purge(10)") == 2
    finally:
        await admin.close()
    await provision(pg_admin_dsn, old_service)
    conn = await asyncpg.connect(old_service)
    try:
        await audit.seal_pending(conn)
        report = await audit.verify(conn)
        rows = await conn.fetch("SELECT seq, user_id FROM audit.log ORDER BY seq")
    finally:
        await conn.close()
    assert [(r["seq"], r["user_id"]) for r in rows] == [(3, "U2")]
    assert (report.ok, report.records) == (True, 1), str(report)


async def test_a_broken_old_chain_is_not_imported(pg_admin_dsn: str, old_service: str) -> None:
    conn = await asyncpg.connect(old_service)
    try:
        for i in range(3):
            await old_append(conn, i)
        # the attack of the issue: as the service role, which owned everything
        await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
        await conn.execute("UPDATE audit_log SET user_id = 'U-innocent' WHERE seq = 2")
    finally:
        await conn.close()
    with pytest.raises(AuditSchemaError, match="broken at record 2"):
        await provision(pg_admin_dsn, old_service)
