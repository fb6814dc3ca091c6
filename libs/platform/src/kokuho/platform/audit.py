"""The audit log: append-only, hash-chained, in the service's own database (C-45, C-46, C-49).

Schema: ``await install(conn, app_role="eligibility_app")`` (idempotent; ``audit.sql``) creates
``audit_log``, the one-row ``audit_chain_head``, ``audit_purge_checkpoint``, the append-only
triggers and the ``audit_purge(retention_years)`` maintenance function. Call it from the
service's migrations.

Each record: ``seq`` (gapless, from the chain head), ``occurred_at``, ``user_id``,
``terminal_id``, ``operation`` (``"GET /api/v1/insured/{addressee_number}"``),
``subject_addressee_numbers`` (whose data, by addressee number; never an individual number),
``outcome`` (allowed/denied/failed) and ``status_code``, ``request_id``, ``detail`` (JSON, e.g.
the fields returned; no floats), ``prev_hash`` and ``hash`` = sha256 of the canonical JSON of
the record including ``prev_hash``.

Appends lock the chain head (``SELECT ... FOR UPDATE``), so the chain is linear under any
concurrency. ``append(entry, conn=conn)`` inside the caller's transaction makes the record
atomic with the caller's effects (the head stays locked until that transaction ends).

In a route (guarded by ``auth.require_roles``)::

    async def get_insured(addressee_number: str, audit: AuditTrail) -> Insured:
        ...
        await audit.record(subjects=[addressee_number], detail={"fields": [...]})

A guarded route that records nothing still gets one record (outcome from its result) when it
returns; 401/403 denials are recorded by the guard.

Investigation (C-49): ``who_accessed(conn, addressee_number, since=, until=)`` and
``accessed_by(conn, user_id, since=, until=)``.

Commands::

    python -m kokuho.platform.audit verify --dsn DSN    # exit 1 and the first broken record
    python -m kokuho.platform.audit purge --dsn DSN --retention-years 10
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from importlib import resources
from typing import Annotated, Any, Literal, Protocol, TypeAlias

import asyncpg
import typer
from fastapi import Depends, Request

GENESIS_HASH = "0" * 64
_INSTALL_LOCK_KEY = 0x6B6F6B75686F0001  # "kokuho" + 1: serialises concurrent installs

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    FAILED = "failed"


@dataclass(frozen=True)
class AuditEntry:
    """What a caller supplies; the log adds seq, time and hashes."""

    user_id: str
    operation: str
    outcome: Outcome
    terminal_id: str | None = None
    subjects: tuple[str, ...] = ()
    status_code: int | None = None
    request_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    occurred_at: datetime
    user_id: str
    terminal_id: str | None
    operation: str
    subjects: tuple[str, ...]
    outcome: Outcome
    status_code: int | None
    request_id: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str


def _check_json(value: Any, path: str = "detail") -> Any:
    """Detail must round-trip through jsonb unchanged: no floats, string keys only."""
    if isinstance(value, float):
        raise ValueError(f"{path}: floats are not allowed in audit detail; use int or str")
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValueError(f"{path}: keys must be strings")
            _check_json(v, f"{path}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_json(v, f"{path}[{i}]")
    elif not (value is None or isinstance(value, (str, int, bool))):
        raise ValueError(f"{path}: {type(value).__name__} is not JSON")
    return value


def canonical_json(
    *,
    seq: int,
    occurred_at: datetime,
    user_id: str,
    terminal_id: str | None,
    operation: str,
    subjects: Sequence[str],
    outcome: str,
    status_code: int | None,
    request_id: str | None,
    detail: dict[str, Any],
    prev_hash: str,
) -> bytes:
    document = {
        "seq": seq,
        "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "user_id": user_id,
        "terminal_id": terminal_id,
        "operation": operation,
        "subject_addressee_numbers": list(subjects),
        "outcome": str(outcome),
        "status_code": status_code,
        "request_id": request_id,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def record_hash(**fields: Any) -> str:
    return hashlib.sha256(canonical_json(**fields)).hexdigest()


def _seal(entry: AuditEntry, seq: int, prev_hash: str, occurred_at: datetime) -> AuditRecord:
    detail = _check_json(json.loads(json.dumps(entry.detail)))
    fields: dict[str, Any] = {
        "seq": seq,
        "occurred_at": occurred_at,
        "user_id": entry.user_id,
        "terminal_id": entry.terminal_id,
        "operation": entry.operation,
        "subjects": tuple(entry.subjects),
        "outcome": Outcome(entry.outcome),
        "status_code": entry.status_code,
        "request_id": entry.request_id,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    return AuditRecord(**fields, hash=record_hash(**fields))


class AuditLog(Protocol):
    async def append(
        self, entry: AuditEntry, *, conn: asyncpg.Connection | None = None
    ) -> AuditRecord: ...


PoolSource: TypeAlias = asyncpg.Pool | Callable[[], asyncpg.Pool]


class PostgresAuditLog:
    """The audit log in the service database. ``pool`` may be a callable returning the pool
    (for pools created in the app's lifespan)."""

    def __init__(self, pool: PoolSource) -> None:
        self._pool = pool

    def _get_pool(self) -> asyncpg.Pool:
        return self._pool if isinstance(self._pool, asyncpg.Pool) else self._pool()

    async def append(
        self, entry: AuditEntry, *, conn: asyncpg.Connection | None = None
    ) -> AuditRecord:
        if conn is not None:
            if conn.is_in_transaction():
                return await _append(conn, entry)
            async with conn.transaction():
                return await _append(conn, entry)
        async with self._get_pool().acquire() as own, own.transaction():
            return await _append(own, entry)


_INSERT = """
INSERT INTO audit_log (seq, occurred_at, user_id, terminal_id, operation,
                       subject_addressee_numbers, outcome, status_code, request_id, detail,
                       prev_hash, hash)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)
"""


async def _append(conn: asyncpg.Connection, entry: AuditEntry) -> AuditRecord:
    head = await conn.fetchrow(
        "SELECT last_seq, last_hash FROM audit_chain_head WHERE id FOR UPDATE"
    )
    if head is None:
        raise RuntimeError("audit log is not installed (no chain head); run audit.install()")
    record = _seal(entry, head["last_seq"] + 1, head["last_hash"], datetime.now(UTC))
    await conn.execute(
        _INSERT,
        record.seq,
        record.occurred_at,
        record.user_id,
        record.terminal_id,
        record.operation,
        list(record.subjects),
        record.outcome.value,
        record.status_code,
        record.request_id,
        json.dumps(record.detail, ensure_ascii=False),
        record.prev_hash,
        record.hash,
    )
    await conn.execute(
        "UPDATE audit_chain_head SET last_seq = $1, last_hash = $2 WHERE id",
        record.seq,
        record.hash,
    )
    return record


class InMemoryAuditLog:
    """Fake for unit tests: the same records and hashes, kept in a list."""

    def __init__(self) -> None:
        self.records: list[AuditRecord] = []
        self._lock = asyncio.Lock()

    async def append(
        self, entry: AuditEntry, *, conn: asyncpg.Connection | None = None
    ) -> AuditRecord:
        async with self._lock:
            prev = self.records[-1].hash if self.records else GENESIS_HASH
            record = _seal(entry, len(self.records) + 1, prev, datetime.now(UTC))
            self.records.append(record)
            return record


# --- schema -------------------------------------------------------------------------------


def schema_sql() -> str:
    return resources.files("kokuho.platform").joinpath("audit.sql").read_text("utf-8")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def install(conn: asyncpg.Connection, *, app_role: str | None = None) -> None:
    """Create or update the audit schema (idempotent). With ``app_role``, grant that role what
    an application needs (SELECT, INSERT; the chain head) and nothing more."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _INSTALL_LOCK_KEY)
        await conn.execute(schema_sql())
        if app_role is not None:
            role = _ident(app_role)
            await conn.execute(
                f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, audit_purge_checkpoint FROM {role};"
                f"GRANT SELECT, INSERT ON audit_log, audit_purge_checkpoint TO {role};"
                f"GRANT SELECT, UPDATE ON audit_chain_head TO {role};"
            )


async def purge(conn: asyncpg.Connection, retention_years: int) -> int:
    """Delete records older than the retention (>= 10 years), recording a checkpoint."""
    count: int = await conn.fetchval("SELECT audit_purge($1)", retention_years)
    return count


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyReport:
    records: int
    problem: Literal["tampered", "missing"] | None = None
    seq: int | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain OK: {self.records} records"
        return f"audit chain BROKEN: {self.message}"


_SELECT = """
SELECT seq, occurred_at, user_id, terminal_id, operation, subject_addressee_numbers, outcome,
       status_code, request_id, detail::text AS detail, prev_hash, hash
FROM audit_log
"""


def _record(row: asyncpg.Record) -> AuditRecord:
    return AuditRecord(
        seq=row["seq"],
        occurred_at=row["occurred_at"],
        user_id=row["user_id"],
        terminal_id=row["terminal_id"],
        operation=row["operation"],
        subjects=tuple(row["subject_addressee_numbers"]),
        outcome=Outcome(row["outcome"]),
        status_code=row["status_code"],
        request_id=row["request_id"],
        detail=json.loads(row["detail"]),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def _expected_hash(record: AuditRecord) -> str:
    return record_hash(
        seq=record.seq,
        occurred_at=record.occurred_at,
        user_id=record.user_id,
        terminal_id=record.terminal_id,
        operation=record.operation,
        subjects=record.subjects,
        outcome=record.outcome,
        status_code=record.status_code,
        request_id=record.request_id,
        detail=record.detail,
        prev_hash=record.prev_hash,
    )


def verify_records(
    records: Iterable[AuditRecord],
    *,
    start_seq: int = 1,
    start_hash: str = GENESIS_HASH,
    head: tuple[int, str] | None = None,
) -> VerifyReport:
    """Walk a chain in seq order; report the first missing or tampered record."""
    expected_seq, prev, count = start_seq, start_hash, 0
    for record in records:
        if record.seq != expected_seq:
            return VerifyReport(
                count, "missing", expected_seq, f"record {expected_seq} is missing (gap in seq)"
            )
        if record.prev_hash != prev:
            return VerifyReport(
                count,
                "missing",
                record.seq,
                f"record {record.seq} does not link to the previous record "
                f"(record {record.seq - 1} was replaced or removed)",
            )
        if _expected_hash(record) != record.hash:
            return VerifyReport(
                count, "tampered", record.seq, f"record {record.seq} is tampered (hash mismatch)"
            )
        prev, expected_seq, count = record.hash, expected_seq + 1, count + 1
    if head is not None:
        head_seq, head_hash = head
        if head_seq >= expected_seq:
            return VerifyReport(
                count,
                "missing",
                expected_seq,
                f"records {expected_seq}..{head_seq} are missing (chain head is at {head_seq})",
            )
        if head_seq == expected_seq - 1 and head_hash != prev:
            return VerifyReport(
                count, "tampered", head_seq, f"record {head_seq} does not match the chain head"
            )
    return VerifyReport(count)


async def verify(conn: asyncpg.Connection) -> VerifyReport:
    """Verify the whole chain in one consistent snapshot."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        checkpoint = await conn.fetchrow(
            "SELECT purged_through_seq, last_purged_hash FROM audit_purge_checkpoint "
            "ORDER BY purged_through_seq DESC LIMIT 1"
        )
        start_seq, start_hash = 1, GENESIS_HASH
        if checkpoint is not None:
            start_seq = checkpoint["purged_through_seq"] + 1
            start_hash = checkpoint["last_purged_hash"]
        head_row = await conn.fetchrow("SELECT last_seq, last_hash FROM audit_chain_head")
        head = (head_row["last_seq"], head_row["last_hash"]) if head_row else None
        records = [
            _record(row)
            async for row in conn.cursor(
                _SELECT + " WHERE seq >= $1 ORDER BY seq", start_seq, prefetch=2000
            )
        ]
    return verify_records(records, start_seq=start_seq, start_hash=start_hash, head=head)


# --- investigation (C-49) -------------------------------------------------------------------


async def who_accessed(
    conn: asyncpg.Connection, addressee_number: str, *, since: datetime, until: datetime
) -> list[AuditRecord]:
    """Every record touching ``addressee_number`` with since <= occurred_at < until."""
    rows = await conn.fetch(
        _SELECT + " WHERE subject_addressee_numbers @> ARRAY[$1]::text[]"
        " AND occurred_at >= $2 AND occurred_at < $3 ORDER BY seq",
        addressee_number,
        since,
        until,
    )
    return [_record(row) for row in rows]


async def accessed_by(
    conn: asyncpg.Connection,
    user_id: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AuditRecord]:
    """Every record of ``user_id`` (optionally within since <= occurred_at < until)."""
    rows = await conn.fetch(
        _SELECT + " WHERE user_id = $1"
        " AND ($2::timestamptz IS NULL OR occurred_at >= $2)"
        " AND ($3::timestamptz IS NULL OR occurred_at < $3) ORDER BY seq",
        user_id,
        since,
        until,
    )
    return [_record(row) for row in rows]


# --- per request ----------------------------------------------------------------------------


class RequestAudit:
    """The audit trail of one guarded request (made by ``auth.require_roles``)."""

    def __init__(
        self,
        log: AuditLog,
        *,
        user_id: str,
        terminal_id: str | None,
        operation: str,
        request_id: str | None,
        subjects: Sequence[str] = (),
    ) -> None:
        self._log = log
        self.user_id = user_id
        self.terminal_id = terminal_id
        self.operation = operation
        self.request_id = request_id
        self.default_subjects = tuple(subjects)
        #: A record was committed on its own (not inside a caller's transaction).
        self.recorded = False
        #: A record was written inside a caller's transaction (lost if it rolls back).
        self.pending = False

    async def record(
        self,
        operation: str | None = None,
        *,
        subjects: Sequence[str] | None = None,
        outcome: Outcome = Outcome.ALLOWED,
        status_code: int | None = None,
        detail: dict[str, Any] | None = None,
        conn: asyncpg.Connection | None = None,
    ) -> AuditRecord:
        """Append a record now; pass ``conn`` to make it part of your transaction."""
        record = await self._log.append(
            AuditEntry(
                user_id=self.user_id,
                terminal_id=self.terminal_id,
                operation=operation or self.operation,
                subjects=tuple(subjects if subjects is not None else self.default_subjects),
                outcome=outcome,
                status_code=status_code,
                request_id=self.request_id,
                detail=detail or {},
            ),
            conn=conn,
        )
        if conn is None or not conn.is_in_transaction():
            self.recorded = True
        else:
            self.pending = True
        return record


def get_request_audit(request: Request) -> RequestAudit:
    audit = getattr(request.state, "audit", None)
    if not isinstance(audit, RequestAudit):
        raise RuntimeError("AuditTrail needs a route guarded by auth.require_roles(...)")
    return audit


AuditTrail = Annotated[RequestAudit, Depends(get_request_audit)]


def audit_log_of(request: Request) -> AuditLog:
    audit_log: AuditLog | None = getattr(request.app.state, "audit_log", None)
    if audit_log is None:
        raise RuntimeError("app.state.audit_log is not set; build the app with create_app")
    return audit_log


# --- command line ---------------------------------------------------------------------------


def _run(work: Callable[[asyncpg.Connection], Awaitable[Any]], dsn: str) -> Any:
    async def main() -> Any:
        conn = await asyncpg.connect(dsn)
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(main())


def cli() -> None:
    app = typer.Typer(help="Kokuho audit log maintenance.", add_completion=False)

    @app.command("verify")
    def verify_command(dsn: Annotated[str, typer.Option(help="service database DSN")]) -> None:
        """Walk the hash chain; exit 1 at the first tampered or missing record."""
        report: VerifyReport = _run(verify, dsn)
        typer.echo(str(report))
        if not report.ok:
            raise typer.Exit(1)

    @app.command("purge")
    def purge_command(
        dsn: Annotated[str, typer.Option(help="service database DSN (maintenance role)")],
        retention_years: Annotated[int, typer.Option(min=10)] = 10,
    ) -> None:
        """Delete records older than the retention, keeping a verification checkpoint."""
        count: int = _run(lambda conn: purge(conn, retention_years), dsn)
        typer.echo(f"purged {count} audit records older than {retention_years} years")

    app()


if __name__ == "__main__":
    cli()
