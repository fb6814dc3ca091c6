"""ADR 0006: the audit log against its own service. Every attack runs connected AS THE SERVICE'S
LOGIN ROLE (made by ``provision``, schemas by ``migrate``, exactly as ``make run`` does), and is
either refused by PostgreSQL or reported by ``verify-audit``; what only a superuser could still
do is reported by ``verify-audit`` as long as the key stayed out of the database."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from kokuho.events.testing.databases import with_database
from kokuho.platform import audit
from kokuho.platform.audit import AuditEntry, AuditKey, Outcome, PostgresAuditLog
from kokuho.platform.commands import run_verify_audit
from kokuho.platform.database import migrate, provision
from kokuho.platform.settings import ServiceSettings

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Service:
    dsn: str  # the service's own login, as in KOKUHO_<SERVICE>_DATABASE_DSN
    role: str
    admin_dsn: str  # the superuser on the service's database

    @property
    def owner(self) -> str:
        return audit.audit_owner_role(self.role)


def service_dsn(admin_dsn: str, name: str) -> str:
    host = admin_dsn.split("@", 1)[1].rsplit("/", 1)[0]
    return f"postgresql://{name}:pw_{name}@{host}/{name}"


@pytest.fixture
async def service(pg_admin_dsn: str) -> AsyncIterator[Service]:
    name = f"svc_{uuid.uuid4().hex[:10]}"
    dsn = service_dsn(pg_admin_dsn, name)
    await provision(pg_admin_dsn, dsn)  # the superuser DSN: role, database, audit schema
    await migrate(dsn, [])  # as the service role, like `python -m kokuho.<service> migrate`
    yield Service(dsn, name, with_database(pg_admin_dsn, name))
    admin = await asyncpg.connect(pg_admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'DROP ROLE IF EXISTS "{audit.audit_owner_role(name)}"')
        await admin.execute(f'DROP ROLE IF EXISTS "{name}"')
    finally:
        await admin.close()


def entry(i: int, user: str = "U1") -> AuditEntry:
    return AuditEntry(
        user_id=user,
        operation="GET /api/v1/insured/{addressee_number}",
        outcome=Outcome.ALLOWED,
        terminal_id="T-1",
        subjects=(f"{i:010d}",),
        detail={"i": i},
    )


async def append(dsn: str, n: int, *, seal: bool = True) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        log = PostgresAuditLog(lambda: None, key=None)  # type: ignore[arg-type]
        for i in range(n):
            await log.append(entry(i), conn=conn)
        if seal:
            await audit.seal_pending(conn)
    finally:
        await conn.close()


async def verify(dsn: str) -> audit.VerifyReport:
    conn = await asyncpg.connect(dsn)
    try:
        return await audit.verify(conn)
    finally:
        await conn.close()


async def verify_cli(dsn: str) -> tuple[int, str]:
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
    return process.returncode or 0, out.decode().strip()


async def test_the_service_role_owns_nothing_of_the_audit_log(service: Service) -> None:
    conn = await asyncpg.connect(service.admin_dsn)
    try:
        owners = {
            r["name"]: r["owner"]
            for r in await conn.fetch(
                "SELECT c.relname AS name, pg_get_userbyid(c.relowner) AS owner FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'audit'"
            )
        }
        schema_owner = await conn.fetchval(
            "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'audit'"
        )
        owner = await conn.fetchrow(
            "SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = $1", service.owner
        )
        member = await conn.fetchval(
            "SELECT pg_has_role($1, $2, 'MEMBER')", service.role, service.owner
        )
        privileges = await conn.fetchval(
            "SELECT string_agg(DISTINCT privilege_type, ',' ORDER BY privilege_type)"
            " FROM information_schema.role_table_grants"
            " WHERE grantee = $1 AND table_schema = 'audit'",
            service.role,
        )
    finally:
        await conn.close()
    assert schema_owner == service.owner
    assert {"log", "chain_head", "purge_checkpoint"} <= set(owners)
    assert set(owners.values()) == {service.owner}
    assert (owner["rolcanlogin"], owner["rolsuper"], member) == (False, False, False)
    assert privileges == "SELECT"


REFUSED_AS_THE_SERVICE = [
    # grant itself what it lacks (GRANT without the right only warns; the UPDATE then fails)
    "GRANT UPDATE, DELETE, TRUNCATE ON audit.log TO CURRENT_USER;"
    " UPDATE audit.log SET user_id = 'U-innocent' WHERE seq = 2",
    "GRANT ALL ON ALL TABLES IN SCHEMA audit TO CURRENT_USER; DELETE FROM audit.log",
    # switch the guard off
    "ALTER TABLE audit.log DISABLE TRIGGER log_append_only",
    "ALTER TABLE audit.log DISABLE TRIGGER ALL",
    "ALTER TABLE audit.chain_head DISABLE TRIGGER ALL",
    "SET session_replication_role = replica",  # would skip every trigger
    "ALTER ROLE CURRENT_USER SET session_replication_role = replica",
    # change records, directly and through the view
    "UPDATE audit.log SET user_id = 'U-innocent' WHERE seq = 2",
    "UPDATE audit_log SET user_id = 'U-innocent' WHERE seq = 2",
    "UPDATE audit.log SET detail = '{}' WHERE seq IS NULL",
    "DELETE FROM audit.log WHERE seq = 2",
    "DELETE FROM audit_log WHERE seq = 2",
    "TRUNCATE audit.log",
    "TRUNCATE audit.log, audit.chain_head CASCADE",
    "INSERT INTO audit.log (entry_id, occurred_at, user_id, operation, outcome, entry_mac)"
    " VALUES (gen_random_uuid(), now(), 'U-x', 'GET /x', 'allowed', 'ab')",
    # move the chain head back over removed records
    "UPDATE audit.chain_head SET last_seq = 1",
    "DELETE FROM audit.purge_checkpoint",
    "INSERT INTO audit.purge_checkpoint (purged_through_seq, last_purged_hash, purged_count,"
    " retention_years) VALUES (2, 'x', 2, 10)",
    # become or replace the owner, its objects and its functions
    "SET ROLE {owner}",
    "ALTER TABLE audit.log OWNER TO CURRENT_USER",
    "ALTER SCHEMA audit OWNER TO CURRENT_USER",
    "ALTER SCHEMA audit RENAME TO audit_old",
    "DROP TABLE audit.log",
    "DROP SCHEMA audit CASCADE",
    "ALTER FUNCTION audit.seal(bigint, text, bigint[], text[]) SECURITY INVOKER",
    "CREATE OR REPLACE FUNCTION audit.log_guard() RETURNS trigger LANGUAGE plpgsql"
    " AS $$ BEGIN RETURN NEW; END $$",
    "CREATE TABLE audit.evil (id int)",
    "CREATE TRIGGER t BEFORE INSERT ON audit.log FOR EACH ROW EXECUTE FUNCTION audit.log_guard()",
    "LOCK TABLE audit.log IN ACCESS EXCLUSIVE MODE",
    # purge within retention (or at all): maintenance only
    "SELECT audit.purge(10)",
]


async def test_every_attack_as_the_service_role_is_refused(service: Service) -> None:
    await append(service.dsn, 3)
    await append(service.dsn, 2, seal=False)
    before = await verify(service.dsn)
    assert (before.ok, before.records, before.unsealed) == (True, 5, 2), str(before)
    not_refused: list[str] = []
    conn = await asyncpg.connect(service.dsn)
    try:
        for attack in REFUSED_AS_THE_SERVICE:
            try:
                async with conn.transaction():
                    await conn.execute(attack.replace("{owner}", f'"{service.owner}"'))
            except asyncpg.InsufficientPrivilegeError:
                continue
            except asyncpg.PostgresError as exc:
                not_refused.append(f"{attack}: {exc!r}")
            else:
                not_refused.append(f"{attack}: succeeded")
    finally:
        await conn.close()
    assert not_refused == []
    after = await verify(service.dsn)
    assert (after.ok, after.records, after.unsealed) == (True, 5, 2), str(after)


async def test_a_forged_seal_of_pending_records_is_reported(service: Service) -> None:
    """The service role may call audit.seal (its sealer does), but without the key the
    hashes it can compute, unkeyed or under another key, are reported."""
    await append(service.dsn, 3)
    await append(service.dsn, 2, seal=False)
    conn = await asyncpg.connect(service.dsn)
    try:
        head = await conn.fetchrow("SELECT last_seq, last_hash FROM audit.chain_head")
        rows = await conn.fetch("SELECT id, entry_mac FROM audit.log WHERE seq IS NULL ORDER BY id")
        guess = AuditKey.generate()
        prev, hashes = head["last_hash"], []
        for n, row in enumerate(rows, start=head["last_seq"] + 1):
            material = f"{n}|{prev}|{row['entry_mac']}".encode()
            prev = hashlib.sha256(material).hexdigest() if n % 2 else guess.mac(material)
            hashes.append(prev)
        await conn.fetchval(
            "SELECT audit.seal($1, $2, $3::bigint[], $4::text[])",
            head["last_seq"],
            head["last_hash"],
            [r["id"] for r in rows],
            hashes,
        )
        # sealed records cannot be sealed again, so the forgery cannot be "repaired" either
        with pytest.raises(asyncpg.SerializationError):
            await conn.fetchval(
                "SELECT audit.seal($1, $2, $3::bigint[], $4::text[])",
                3,
                hashes[0],
                [rows[1]["id"]],
                ["0" * 64],
            )
    finally:
        await conn.close()
    report = await verify(service.dsn)
    assert (report.problem, report.seq) == ("tampered", 4), str(report)
    code, out = await verify_cli(service.dsn)
    assert code == 1, out
    assert "record 4 is tampered" in out


async def test_a_record_appended_without_the_key_is_reported(service: Service) -> None:
    """audit.append is open to the service role: a record inserted with database credentials
    but without the key carries no valid MAC, before and after sealing."""
    await append(service.dsn, 2)
    conn = await asyncpg.connect(service.dsn)
    try:
        body = {"user_id": "U-framed", "operation": "GET /x"}
        forged_mac = hashlib.sha256(json.dumps(body).encode()).hexdigest()
        await conn.fetchval(
            "SELECT audit.append($1, now(), 'U-framed', 'T-1', 'GET /x', ARRAY['0000000001'],"
            " 'allowed', 200, NULL, '{}'::jsonb, $2)",
            uuid.uuid4(),
            forged_mac,
        )
        # replaying a genuine record (same entry id and MAC) is refused outright
        genuine = await conn.fetchrow("SELECT * FROM audit.log WHERE seq = 1")
        with pytest.raises(asyncpg.UniqueViolationError):
            await conn.fetchval(
                "SELECT audit.append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                genuine["entry_id"],
                genuine["occurred_at"],
                genuine["user_id"],
                genuine["terminal_id"],
                genuine["operation"],
                genuine["subject_addressee_numbers"],
                genuine["outcome"],
                genuine["status_code"],
                genuine["request_id"],
                genuine["detail"],
                genuine["entry_mac"],
            )
        unsealed = await audit.verify(conn)
        assert unsealed.problem == "tampered"
        assert "not yet sealed" in unsealed.message
        await audit.seal_pending(conn)
        sealed = await audit.verify(conn)
    finally:
        await conn.close()
    assert (sealed.problem, sealed.seq) == ("tampered", 3), str(sealed)


async def test_a_lying_view_does_not_fool_verify(service: Service) -> None:
    """The service owns its public schema, so it may replace the convenience view
    public.audit_log; verification and the C-49 queries read audit.log itself."""
    await append(service.dsn, 3)
    conn = await asyncpg.connect(service.dsn)
    try:
        await conn.execute(
            "DROP VIEW audit_log;"
            " CREATE VIEW audit_log AS SELECT * FROM audit.log WHERE user_id = 'none'"
        )
        assert await conn.fetchval("SELECT count(*) FROM audit_log") == 0
        report = await audit.verify(conn)
        now = datetime.now(UTC)
        seen = await audit.accessed_by(conn, "U1", until=now)
    finally:
        await conn.close()
    assert (report.ok, report.records, len(seen)) == (True, 3, 3)


SUPERUSER_REWRITES = {
    # what a superuser (or the owner role) can still do to the rows: found without the key
    "edit a sealed record": "UPDATE audit.log SET user_id = 'U-innocent' WHERE seq = 3",
    "edit and re-seal with an unkeyed hash": (
        "UPDATE audit.log SET user_id = 'U-innocent',"
        " hash = encode(sha256(convert_to(prev_hash || 'U-innocent', 'UTF8')), 'hex')"
        " WHERE seq = 3"
    ),
    "edit a pending record": "UPDATE audit.log SET detail = '{\"i\": 99}' WHERE seq IS NULL",
    "delete a sealed record": "DELETE FROM audit.log WHERE seq = 3",
    "delete the sealed tail": "DELETE FROM audit.log WHERE seq >= 4",
    "renumber over a deleted record": (
        "DELETE FROM audit.log WHERE seq = 2; UPDATE audit.log SET seq = seq + 1000 WHERE seq > 2;"
        " UPDATE audit.log SET seq = seq - 1001 WHERE seq > 1000;"
        " UPDATE audit.chain_head SET last_seq = last_seq - 1"
    ),
    "insert a sealed record": (
        "UPDATE audit.log SET seq = seq + 1000 WHERE seq >= 3;"
        " UPDATE audit.log SET seq = seq - 999 WHERE seq > 1000;"
        " UPDATE audit.chain_head SET last_seq = last_seq + 1;"
        " INSERT INTO audit.log (entry_id, seq, occurred_at, user_id, operation, outcome,"
        " entry_mac, prev_hash, hash) SELECT gen_random_uuid(), 3, now(), 'U-x', 'GET /x',"
        " 'allowed', repeat('a', 64), hash, repeat('b', 64) FROM audit.log WHERE seq = 2"
    ),
    "downgrade a record to the imported scheme": (
        "UPDATE audit.log SET scheme = 'imported' WHERE seq = 3"
    ),
}


@pytest.mark.parametrize("attack", sorted(SUPERUSER_REWRITES))
async def test_a_rewrite_by_the_superuser_is_reported(service: Service, attack: str) -> None:
    await append(service.dsn, 5)
    await append(service.dsn, 2, seal=False)
    admin = await asyncpg.connect(service.admin_dsn)
    try:
        async with admin.transaction():
            await admin.execute("ALTER TABLE audit.log DISABLE TRIGGER USER")
            await admin.execute("ALTER TABLE audit.chain_head DISABLE TRIGGER USER")
            await admin.execute(SUPERUSER_REWRITES[attack])
            await admin.execute("ALTER TABLE audit.log ENABLE TRIGGER USER")
            await admin.execute("ALTER TABLE audit.chain_head ENABLE TRIGGER USER")
    finally:
        await admin.close()
    report = await verify(service.dsn)
    assert not report.ok, f"{attack}: {report}"
    assert report.problem in ("tampered", "missing")
    code, out = await verify_cli(service.dsn)
    assert code == 1, out
    assert out.startswith("audit chain BROKEN")


async def test_the_owner_guard_holds_even_for_the_superuser(service: Service) -> None:
    """With the triggers on, nobody changes a record or moves the head back."""
    await append(service.dsn, 3)
    admin = await asyncpg.connect(service.admin_dsn)
    try:
        for statement in (
            "UPDATE audit.log SET user_id = 'U-innocent' WHERE seq = 2",
            "UPDATE audit.log SET seq = NULL, hash = NULL, prev_hash = NULL WHERE seq = 3",
            "DELETE FROM audit.log WHERE seq = 3",
            "TRUNCATE audit.log",
            "UPDATE audit.chain_head SET last_seq = 1",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match=r"append-only|forward"):
                await admin.execute(statement)
    finally:
        await admin.close()
    assert (await verify(service.dsn)).ok


async def test_verify_refuses_without_the_key(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    await append(service.dsn, 1)
    monkeypatch.delenv(audit.KEY_PATH_ENV)
    monkeypatch.setattr(audit, "_process_key", None)
    code, out = await verify_cli(service.dsn)
    assert code == 2, out
    assert "NOT VERIFIED" in out
    with pytest.raises(audit.AuditKeyMissing):
        await verify(service.dsn)
    # and a wrong key finds nothing valid
    wrong = AuditKey.generate()
    conn = await asyncpg.connect(service.dsn)
    try:
        report = await audit.verify(conn, key=wrong)
    finally:
        await conn.close()
    assert report.problem == "tampered"


async def test_the_verify_audit_command_uses_the_services_key(
    service: Service,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``python -m kokuho.<service> verify-audit``: 0 intact, 1 broken, 2 without the key."""
    await append(service.dsn, 3)
    await append(service.dsn, 1, seal=False)
    settings = ServiceSettings(service_name="probe", database_dsn=service.dsn)
    assert await run_verify_audit(settings) == 0
    assert "audit chain OK: 4 records; 1 not yet sealed" in capsys.readouterr().out
    admin = await asyncpg.connect(service.admin_dsn)
    try:
        await admin.execute("ALTER TABLE audit.log DISABLE TRIGGER log_append_only")
        await admin.execute("UPDATE audit.log SET status_code = 200 WHERE seq = 1")
    finally:
        await admin.close()
    assert await run_verify_audit(settings) == 1
    assert "record 1 is tampered" in capsys.readouterr().out
    monkeypatch.delenv(audit.KEY_PATH_ENV)
    monkeypatch.setattr(audit, "_process_key", None)
    keyless = ServiceSettings(service_name="probe", database_dsn=service.dsn)
    assert await run_verify_audit(keyless) == 2
    other = tmp_path / "other.key"
    other.write_text(AuditKey.generate().secret.hex())
    keyed = ServiceSettings(service_name="probe", database_dsn=service.dsn, audit_key_path=other)
    assert await run_verify_audit(keyed) == 1  # another key proves nothing
