"""The audit log: append-only, keyed hash chain, owned by a role the service cannot become
(C-45, C-46, C-49; ADR 0003 and ADR 0006).

Schema: ``await install(conn, app_role="eligibility_app")`` (idempotent; ``audit.sql``), run as
a superuser (``database.provision`` does it with the superuser DSN; tests migrate as one),
creates the schema ``audit`` owned by ``<app_role>_audit_owner`` (NOLOGIN): ``audit.log``, the
one-row ``audit.chain_head``, ``audit.purge_checkpoint``, the append-only triggers and the
functions ``audit.append``, ``audit.append_many`` and ``audit.seal`` (the only things the
service role may execute)
and ``audit.purge`` (maintenance only). A view ``public.audit_log`` shows the records to the
service. Run as the service role, ``install`` only checks that this is in place. A database
with the pre-0006 table ``public.audit_log`` is upgraded in place (its chain is checked, its
records imported and re-sealed under the key).

Each record: ``id`` (append order), ``entry_id`` (a UUID), ``occurred_at``, ``user_id``,
``terminal_id``, ``operation`` (``"GET /api/v1/insured/{addressee_number}"``),
``subject_addressee_numbers`` (whose data, by addressee number; never an individual number),
``outcome`` (allowed/denied/failed) and ``status_code``, ``request_id``, ``detail`` (JSON, e.g.
the fields returned; no floats), ``entry_mac`` = HMAC-SHA256 under the audit key of the
canonical JSON of the content; once sealed also ``seq`` (gapless chain position), ``prev_hash``
and ``hash`` = HMAC-SHA256 of the content, ``seq`` and ``prev_hash``.

The key (``audit_key_path``, ``KOKUHO_AUDIT_KEY_PATH``) is never in the database: whoever holds
only the database credentials can neither forge a MAC nor re-seal. A service that writes audit
records refuses to start without it (``load_key``); the tests and ``make run`` use a
development key (``dev_key_path``).

Appends take no shared lock: ``append(entry, conn=conn)`` inserts an unsealed record in the
caller's transaction (atomic with its effects); ``append(entry)`` and ``append_all(entries)``
append on their own, together with the other records appended on their own meanwhile, in one
statement (group commit, ``audit_group``, ADR 0117). One ``AuditSealer`` per database (the
leader by advisory lock, started by ``Eventing``) chains committed records in batches a moment
later.

In a route (guarded by ``auth.require_roles``)::

    async def get_insured(addressee_number: str, audit: AuditTrail) -> Insured:
        ...
        await audit.record(subjects=[addressee_number], detail={"fields": [...]})

A guarded route that records nothing still gets one record (outcome from its result) when it
returns; 401/403 denials are recorded by the guard.

Investigation (C-49): ``who_accessed(conn, addressee_number, since=, until=)`` and
``accessed_by(conn, user_id, since=, until=)``, sealed and not yet sealed records alike.

Commands::

    python -m kokuho.platform.audit verify --dsn DSN    # exit 1 and the first broken record
    python -m kokuho.platform.audit seal --dsn DSN      # seal what is pending now (ops)
    python -m kokuho.platform.audit purge --dsn ADMIN_DSN --retention-years 10
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
import ssl
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, TypeAlias

import asyncpg
import typer
from fastapi import Depends, Request

from kokuho.events.runtime.metrics import Instrument, RuntimeMetrics, runtime_metrics
from kokuho.platform.audit_group import APPEND_ONE, AppendRow, GroupAppend

if TYPE_CHECKING:
    from kokuho.platform.settings import ServiceSettings

GENESIS_HASH = "0" * 64
SCHEMA_VERSION = 3
_INSTALL_LOCK_KEY = 0x6B6F6B75686F0001  # "kokuho" + 1: serialises concurrent installs
SCHEME_KEYED = "hmac-sha256"
SCHEME_IMPORTED = "imported"

#: Where the key file is named when no service setting does (tests, command line tools).
KEY_PATH_ENV = "KOKUHO_AUDIT_KEY_PATH"
MIN_KEY_BYTES = 32

log = logging.getLogger(__name__)

AUDIT_UNSEALED = Instrument(
    "kokuho.audit.unsealed",
    "gauge",
    "{record}",
    "Committed audit records the sealer has not yet chained (measured by the leading sealer).",
)
AUDIT_SEALING_LAG = Instrument(
    "kokuho.audit.sealing_lag",
    "gauge",
    "s",
    "Age of the oldest committed audit record not yet sealed; 0 when none waits.",
)


class Outcome(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    FAILED = "failed"


@dataclass(frozen=True)
class AuditEntry:
    """What a caller supplies; the log adds ids, time and MACs."""

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
    """A stored record. ``seq``, ``prev_hash`` and ``hash`` are None until it is sealed."""

    seq: int | None
    occurred_at: datetime
    user_id: str
    terminal_id: str | None
    operation: str
    subjects: tuple[str, ...]
    outcome: Outcome
    status_code: int | None
    request_id: str | None
    detail: dict[str, Any]
    prev_hash: str | None
    hash: str | None
    id: int | None = None
    entry_id: str | None = None
    entry_mac: str | None = None
    scheme: str = SCHEME_KEYED
    appended_at: datetime | None = None
    sealed_at: datetime | None = None

    @property
    def sealed(self) -> bool:
        return self.seq is not None


# --- the key ------------------------------------------------------------------------------


class AuditKeyMissing(RuntimeError):
    """No usable audit key: the service must not write (or verify) audit records."""


@dataclass(frozen=True)
class AuditKey:
    """The HMAC key of the audit chain; held by the service, never by its database."""

    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_KEY_BYTES:
            raise AuditKeyMissing(f"an audit key needs at least {MIN_KEY_BYTES} bytes")

    @classmethod
    def generate(cls) -> AuditKey:
        return cls(secrets.token_bytes(MIN_KEY_BYTES))

    @classmethod
    def from_file(cls, path: Path | str) -> AuditKey:
        """A key file holds at least 32 random bytes as base64 or hex text (one line), e.g.
        ``head -c 32 /dev/urandom | base64 > audit.key``."""
        try:
            text = Path(path).read_text("ascii").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise AuditKeyMissing(f"cannot read the audit key file {path}: {exc}") from exc
        secret: bytes | None = None
        with contextlib.suppress(ValueError):
            secret = bytes.fromhex(text)
        if secret is None:
            try:
                secret = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise AuditKeyMissing(f"{path}: not base64 or hex") from exc
        if len(secret) < MIN_KEY_BYTES:
            raise AuditKeyMissing(f"{path}: an audit key needs at least {MIN_KEY_BYTES} bytes")
        return cls(secret)

    @property
    def key_id(self) -> str:
        """A public fingerprint (which key, never the key)."""
        return hashlib.sha256(b"kokuho-audit-key-id:" + self.secret).hexdigest()[:16]

    def mac(self, data: bytes) -> str:
        return hmac.new(self.secret, data, hashlib.sha256).hexdigest()


_process_key: AuditKey | None = None


def use_key(key: AuditKey) -> AuditKey:
    """Make ``key`` this process's audit key. A second, different key is refused: one process
    writes one service's records (tests share the development key)."""
    global _process_key
    if _process_key is not None and not hmac.compare_digest(_process_key.secret, key.secret):
        raise AuditKeyMissing(
            f"this process already uses audit key {_process_key.key_id}, not {key.key_id}"
        )
    _process_key = key
    return key


def current_key() -> AuditKey:
    """This process's audit key: the one ``load_key``/``use_key`` set, else the file named by
    ``KOKUHO_AUDIT_KEY_PATH``; otherwise ``AuditKeyMissing`` (fail closed)."""
    if _process_key is not None:
        return _process_key
    path = os.environ.get(KEY_PATH_ENV)
    if not path:
        raise AuditKeyMissing(
            "no audit key: set audit_key_path (KOKUHO_<SERVICE>_AUDIT_KEY_PATH) or "
            f"{KEY_PATH_ENV} to the key file; the audit log is not written without it"
        )
    return use_key(AuditKey.from_file(path))


def load_key(settings: ServiceSettings | None = None) -> AuditKey:
    """The service's key from ``settings.audit_key_path`` (or ``KOKUHO_AUDIT_KEY_PATH``).
    Raises ``AuditKeyMissing``, so a service without its key refuses to start."""
    path = getattr(settings, "audit_key_path", None) if settings is not None else None
    if path is not None:
        return use_key(AuditKey.from_file(path))
    return current_key()


def dev_key_path(directory: Path | None = None) -> Path:
    """The development audit key (``<repo>/.local/dev-audit-key/audit.key``, mode 0600), made
    on first use; for ``make run`` and the tests only."""
    if directory is None:
        from kokuho.platform.token import repo_root

        directory = repo_root() / ".local" / "dev-audit-key"
    path = directory / "audit.key"
    if path.is_file():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f"audit.key.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(base64.b64encode(secrets.token_bytes(MIN_KEY_BYTES)).decode() + "\n")
    try:
        os.link(tmp, path)  # fails if another process made it first: theirs is kept
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path


# --- canonical documents and MACs -----------------------------------------------------------


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


#: The canonical form MACs cover (made once: ``json.dumps`` with these options builds one per call)
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def _dumps(document: dict[str, Any]) -> bytes:
    return _CANONICAL.encode(document).encode("utf-8")


def _time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


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
    """The pre-0006 (unkeyed) record document; only used to check a chain being imported."""
    return _dumps(
        {
            "seq": seq,
            "occurred_at": _time(occurred_at),
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
    )


def record_hash(**fields: Any) -> str:
    """The pre-0006 unkeyed hash (sha256 of ``canonical_json``)."""
    return hashlib.sha256(canonical_json(**fields)).hexdigest()


def entry_document(record: AuditRecord) -> dict[str, Any]:
    """What ``entry_mac`` covers: everything the appender wrote."""
    return {
        "v": "kokuho-audit-entry/1",
        "entry_id": str(record.entry_id),
        "occurred_at": _time(record.occurred_at),
        "user_id": record.user_id,
        "terminal_id": record.terminal_id,
        "operation": record.operation,
        "subject_addressee_numbers": list(record.subjects),
        "outcome": str(record.outcome),
        "status_code": record.status_code,
        "request_id": record.request_id,
        "detail": record.detail,
        "scheme": record.scheme,
    }


def entry_mac(key: AuditKey, record: AuditRecord) -> str:
    return key.mac(_dumps(entry_document(record)))


def chain_mac(
    key: AuditKey,
    record: AuditRecord,
    seq: int,
    prev_hash: str,
    document: dict[str, Any] | None = None,
) -> str:
    """The sealed record's ``hash``: its content, its MAC, its position and its predecessor
    (``document``: the record's ``entry_document`` when the caller has it already)."""
    return key.mac(
        _dumps(
            {
                "v": "kokuho-audit-chain/1",
                "seq": seq,
                "prev_hash": prev_hash,
                "entry": entry_document(record) if document is None else document,
                "entry_mac": record.entry_mac,
            }
        )
    )


def _unsigned(
    entry: AuditEntry, occurred_at: datetime, detail_text: str, entry_id: uuid.UUID
) -> AuditRecord:
    """The record of ``entry`` before its MAC; its detail is what ``detail_text`` (the
    detail's JSON, as stored) parses to, which is what the MAC covers."""
    return AuditRecord(
        seq=None,
        occurred_at=occurred_at,
        user_id=entry.user_id,
        terminal_id=entry.terminal_id,
        operation=entry.operation,
        subjects=tuple(entry.subjects),
        outcome=Outcome(entry.outcome),
        status_code=entry.status_code,
        request_id=entry.request_id,
        detail=_check_json(json.loads(detail_text)),
        prev_hash=None,
        hash=None,
        entry_id=str(entry_id),
    )


def _prepare(entry: AuditEntry, key: AuditKey, occurred_at: datetime) -> AuditRecord:
    record = _unsigned(entry, occurred_at, json.dumps(entry.detail), uuid.uuid4())
    return replace(record, entry_mac=entry_mac(key, record))


def _sealed(record: AuditRecord, key: AuditKey, seq: int, prev_hash: str) -> AuditRecord:
    return replace(
        record, seq=seq, prev_hash=prev_hash, hash=chain_mac(key, record, seq, prev_hash)
    )


# --- appending ------------------------------------------------------------------------------


class AuditLog(Protocol):
    async def append(
        self, entry: AuditEntry, *, conn: asyncpg.Connection | None = None
    ) -> AuditRecord: ...

    async def append_all(self, entries: Sequence[AuditEntry]) -> list[AuditRecord]: ...


PoolSource: TypeAlias = asyncpg.Pool | Callable[[], asyncpg.Pool]


class PostgresAuditLog:
    """The audit log in the service database. ``pool`` may be a callable returning the pool
    (for pools created in the app's lifespan). ``key`` defaults to the process's audit key
    (``current_key``); without one, ``append`` raises ``AuditKeyMissing``."""

    def __init__(self, pool: PoolSource, *, key: AuditKey | None = None) -> None:
        self._pool = pool
        self._key = key
        self._group = GroupAppend(self._get_pool)

    def _get_pool(self) -> asyncpg.Pool:
        return self._pool if isinstance(self._pool, asyncpg.Pool) else self._pool()

    def _signed(self, entry: AuditEntry) -> tuple[AuditRecord, AppendRow]:
        key = self._key or current_key()
        # The detail's JSON text made once, for the record and the row: an audited read's own
        # Python was a tenth of its CPU (issue 15). The stored text parses to the detail the
        # MAC covers (ensure_ascii changes escapes only).
        detail_text = json.dumps(entry.detail, ensure_ascii=False)
        entry_id = uuid.uuid4()
        record = _unsigned(entry, datetime.now(UTC), detail_text, entry_id)
        mac = entry_mac(key, record)
        row: AppendRow = (
            entry_id,
            record.occurred_at,
            record.user_id,
            record.terminal_id,
            record.operation,
            list(record.subjects),
            record.outcome.value,
            record.status_code,
            record.request_id,
            detail_text,
            mac,
        )
        return replace(record, entry_mac=mac), row

    async def append(
        self, entry: AuditEntry, *, conn: asyncpg.Connection | None = None
    ) -> AuditRecord:
        """Insert an unsealed record: on ``conn`` when it is given (inside its transaction
        when it has one: the record commits or rolls back with the caller's effects), else on
        its own, together with the other records appended on their own meanwhile (ADR 0117).
        Waits for no other request's transaction."""
        record, row = self._signed(entry)
        if conn is not None:
            new_id = await conn.fetchval(APPEND_ONE, *row)
        else:
            (new_id,) = await self._group.append([row])
        return replace(record, id=new_id)

    async def append_all(self, entries: Sequence[AuditEntry]) -> list[AuditRecord]:
        """Insert ``entries`` on their own, all or none (in one statement, ADR 0117)."""
        signed = [self._signed(entry) for entry in entries]
        ids = await self._group.append([row for _, row in signed])
        return [replace(record, id=new_id) for (record, _), new_id in zip(signed, ids, strict=True)]


class InMemoryAuditLog:
    """Fake for unit tests: the same records and MACs (sealed at once), kept in a list."""

    def __init__(self, key: AuditKey | None = None) -> None:
        self.key = key or AuditKey.generate()
        self.records: list[AuditRecord] = []
        self._lock = asyncio.Lock()

    async def append(
        self, entry: AuditEntry, *, conn: asyncpg.Connection | None = None
    ) -> AuditRecord:
        async with self._lock:
            prev = (self.records[-1].hash or GENESIS_HASH) if self.records else GENESIS_HASH
            n = len(self.records) + 1
            record = replace(_prepare(entry, self.key, datetime.now(UTC)), id=n)
            record = _sealed(record, self.key, n, prev)
            self.records.append(record)
            return record

    async def append_all(self, entries: Sequence[AuditEntry]) -> list[AuditRecord]:
        return [await self.append(entry) for entry in entries]


# --- schema -------------------------------------------------------------------------------


class AuditSchemaError(RuntimeError):
    """The audit schema is missing, outdated or not owned as ADR 0006 requires."""


def schema_sql() -> str:
    return resources.files("kokuho.platform").joinpath("audit.sql").read_text("utf-8")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def audit_owner_role(app_role: str) -> str:
    """The NOLOGIN role that owns a service's audit schema: ``<app_role>_audit_owner``."""
    suffix = "_audit_owner"
    if len(app_role) + len(suffix) <= 63:
        return app_role + suffix
    digest = hashlib.sha256(app_role.encode()).hexdigest()[:8]
    return f"{app_role[: 63 - len(suffix) - 9]}_{digest}{suffix}"


_VIEW = """
CREATE VIEW public.audit_log AS
SELECT seq, occurred_at, user_id, terminal_id, operation, subject_addressee_numbers, outcome,
       status_code, request_id, detail, prev_hash, hash, id, entry_id, scheme, entry_mac,
       appended_at, sealed_at
FROM audit.log
"""


async def installed_version(conn: asyncpg.Connection) -> int | None:
    if await conn.fetchval("SELECT to_regprocedure('audit.schema_version()')") is None:
        return None
    return int(await conn.fetchval("SELECT audit.schema_version()"))


async def _legacy_table(conn: asyncpg.Connection) -> bool:
    """The pre-0006 ``public.audit_log`` table (owned by the service role) is still there."""
    return bool(
        await conn.fetchval(
            "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relname = 'audit_log' AND c.relkind = 'r'"
        )
    )


async def install(conn: asyncpg.Connection, *, app_role: str | None = None) -> None:
    """Create, upgrade or check the audit schema (idempotent).

    As a superuser (``provision``; the tests' migrations): create the owner role and the schema
    ``audit`` owned by it, upgrade a pre-0006 table in place, and give ``app_role`` only
    USAGE, SELECT and EXECUTE on ``audit.append``/``audit.seal``. As any other role (``migrate``
    as the service role): check that the schema is installed and current (else
    ``AuditSchemaError``: run ``migrate`` with the superuser DSN once) and add the view."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _INSTALL_LOCK_KEY)
        me = await conn.fetchrow(
            "SELECT rolname, rolsuper FROM pg_roles WHERE rolname = current_user"
        )
        if me["rolsuper"]:
            await _install_as_superuser(conn, app_role or me["rolname"], grant=app_role)
            return
        if await _legacy_table(conn) or await installed_version(conn) != SCHEMA_VERSION:
            raise AuditSchemaError(
                "the audit log (ADR 0006) is installed with the superuser DSN: run migrate with "
                "KOKUHO_PG_ADMIN_DSN (provision) once; the service role cannot install it"
            )
        if await conn.fetchval("SELECT to_regclass('public.audit_log')") is None:
            await conn.execute(_VIEW)


async def _install_as_superuser(conn: asyncpg.Connection, app_role: str, grant: str | None) -> None:
    schema_owner = await conn.fetchval(
        "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'audit'"
    )
    owner = schema_owner or audit_owner_role(app_role)
    if grant is not None and owner == grant:
        raise AuditSchemaError(f"schema audit belongs to the service role {grant}; see ADR 0006")
    if schema_owner is None:
        # Roles are cluster-wide: another database may be creating the same one right now.
        await conn.execute(
            "DO $$ BEGIN EXECUTE format('CREATE ROLE %I NOLOGIN', "
            + _literal(owner)
            + "); EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
        await conn.execute(f"CREATE SCHEMA audit AUTHORIZATION {_ident(owner)}")
    if await conn.fetchval(  # only when needed: roles are shared by concurrent installs
        "SELECT NOT rolsuper AND (rolcanlogin OR rolcreatedb OR rolcreaterole OR rolreplication)"
        " FROM pg_roles WHERE rolname = $1",
        owner,
    ):
        await conn.execute(
            f"ALTER ROLE {_ident(owner)} NOLOGIN NOCREATEDB NOCREATEROLE NOREPLICATION"
        )
    await conn.execute(f"SET LOCAL ROLE {_ident(owner)}")
    await conn.execute(schema_sql())
    await conn.execute("RESET ROLE")
    await conn.execute("REVOKE ALL ON SCHEMA audit FROM PUBLIC")
    if await _legacy_table(conn):
        await _import_legacy(conn)
    if grant is not None:
        role = _ident(grant)
        if await conn.fetchval(
            "SELECT NOT rolsuper AND pg_has_role($1, $2, 'MEMBER') FROM pg_roles"
            " WHERE rolname = $1",
            grant,
            owner,
        ):
            await conn.execute(f"REVOKE {_ident(owner)} FROM {role}")
        await conn.execute(
            f"GRANT USAGE ON SCHEMA audit TO {role};"  # noqa: S608 (a quoted role name)
            f"GRANT SELECT ON audit.log, audit.chain_head, audit.purge_checkpoint TO {role};"
            f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"
            f" ON audit.log, audit.chain_head, audit.purge_checkpoint FROM {role};"
            "GRANT EXECUTE ON FUNCTION audit.append(uuid, timestamptz, text, text, text, text[],"
            f" text, integer, text, jsonb, text) TO {role};"
            "GRANT EXECUTE ON FUNCTION audit.append_many(uuid[], timestamptz[], text[], text[],"
            f" text[], jsonb[], text[], integer[], text[], jsonb[], text[]) TO {role};"
            f"GRANT EXECUTE ON FUNCTION audit.seal(bigint, text, bigint[], text[]) TO {role};"
            f"REVOKE EXECUTE ON FUNCTION audit.purge(integer) FROM {role};"
        )
    await conn.execute("DROP VIEW IF EXISTS public.audit_log")
    await conn.execute(_VIEW)
    if grant is not None:
        await conn.execute(f"ALTER VIEW public.audit_log OWNER TO {_ident(grant)}")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


async def _import_legacy(conn: asyncpg.Connection) -> None:
    """Upgrade in place: check the pre-0006 unkeyed chain, import its records unsealed (the
    sealer chains them under the key, after the last purge checkpoint), drop the old table."""
    checkpoint = await conn.fetchrow(
        "SELECT purged_through_seq, last_purged_hash FROM public.audit_purge_checkpoint"
        " ORDER BY purged_through_seq DESC LIMIT 1"
    )
    start_seq, prev = (1, GENESIS_HASH)
    if checkpoint is not None:
        start_seq, prev = checkpoint["purged_through_seq"] + 1, checkpoint["last_purged_hash"]
    head = await conn.fetchrow("SELECT last_seq, last_hash FROM public.audit_chain_head")
    expected = start_seq
    async for row in conn.cursor(
        "SELECT seq, occurred_at, user_id, terminal_id, operation, subject_addressee_numbers,"
        " outcome, status_code, request_id, detail::text AS detail, prev_hash, hash"
        " FROM public.audit_log WHERE seq >= $1 ORDER BY seq",
        start_seq,
        prefetch=2000,
    ):
        fields: dict[str, Any] = {
            "seq": row["seq"],
            "occurred_at": row["occurred_at"],
            "user_id": row["user_id"],
            "terminal_id": row["terminal_id"],
            "operation": row["operation"],
            "subjects": tuple(row["subject_addressee_numbers"]),
            "outcome": row["outcome"],
            "status_code": row["status_code"],
            "request_id": row["request_id"],
            "detail": json.loads(row["detail"]),
            "prev_hash": row["prev_hash"],
        }
        if (
            row["seq"] != expected
            or row["prev_hash"] != prev
            or record_hash(**fields) != row["hash"]
        ):
            raise AuditSchemaError(
                f"the pre-0006 audit chain is broken at record {expected}; it is not imported "
                "(run verify-audit with the previous release and investigate first)"
            )
        prev, expected = row["hash"], expected + 1
    if head is not None and (head["last_seq"] != expected - 1 or head["last_hash"] != prev):
        raise AuditSchemaError("the pre-0006 audit chain does not end at its chain head")
    if checkpoint is not None:
        await conn.execute(
            "INSERT INTO audit.purge_checkpoint (purged_through_seq, last_purged_hash,"
            " purged_count, retention_years, purged_at, purged_by)"
            " SELECT purged_through_seq, last_purged_hash, purged_count, retention_years,"
            " purged_at, purged_by FROM public.audit_purge_checkpoint"
            " ON CONFLICT DO NOTHING"
        )
        await conn.execute(
            "UPDATE audit.chain_head SET last_seq = $1, last_hash = $2"
            " WHERE last_seq < $1 AND NOT EXISTS (SELECT 1 FROM audit.log)",
            checkpoint["purged_through_seq"],
            checkpoint["last_purged_hash"],
        )
    await conn.execute(
        "INSERT INTO audit.log (entry_id, occurred_at, user_id, terminal_id, operation,"
        " subject_addressee_numbers, outcome, status_code, request_id, detail, scheme,"
        " appended_at)"
        " SELECT gen_random_uuid(), occurred_at, user_id, terminal_id, operation,"
        " subject_addressee_numbers, outcome, status_code, request_id, detail, 'imported',"
        " occurred_at FROM public.audit_log ORDER BY seq"
    )
    await conn.execute(
        "DROP TABLE public.audit_log, public.audit_chain_head, public.audit_purge_checkpoint;"
        "DROP FUNCTION IF EXISTS public.audit_purge(integer);"
        "DROP FUNCTION IF EXISTS public.audit_log_guard();"
        "DROP FUNCTION IF EXISTS public.audit_append_only();"
    )


async def purge(conn: asyncpg.Connection, retention_years: int) -> int:
    """Delete sealed records older than the retention (>= 10 years), recording a checkpoint.
    Needs a maintenance login (the superuser): the service role may not purge (C-46)."""
    count: int = await conn.fetchval("SELECT audit.purge($1)", retention_years)
    return count


# --- reading ----------------------------------------------------------------------------------


_SELECT = """
SELECT id, entry_id::text AS entry_id, seq, occurred_at, user_id, terminal_id, operation,
       subject_addressee_numbers, outcome, status_code, request_id, detail::text AS detail,
       scheme, entry_mac, prev_hash, hash, appended_at, sealed_at
FROM audit.log
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
        id=row["id"],
        entry_id=row["entry_id"],
        entry_mac=row["entry_mac"],
        scheme=row["scheme"],
        appended_at=row["appended_at"],
        sealed_at=row["sealed_at"],
    )


# --- sealing ----------------------------------------------------------------------------------


def sealer_lock_key(service: str) -> str:
    return f"kokuho.audit-sealer.{service}"


async def seal_once(conn: asyncpg.Connection, key: AuditKey, *, batch_size: int = 1000) -> int:
    """Chain the oldest committed unsealed records (at most ``batch_size``) after the head;
    returns how many. Safe to race: ``audit.seal`` refuses a batch if the head moved."""
    head = await conn.fetchrow("SELECT last_seq, last_hash FROM audit.chain_head")
    rows = await conn.fetch(_SELECT + " WHERE seq IS NULL ORDER BY id LIMIT $1", batch_size)
    if not rows:
        return 0
    seq, prev = head["last_seq"], head["last_hash"]
    ids: list[int] = []
    hashes: list[str] = []
    for row in rows:
        record = _record(row)
        document = entry_document(record)
        if record.scheme == SCHEME_KEYED and not hmac.compare_digest(
            record.entry_mac or "", key.mac(_dumps(document))
        ):
            log.error(
                "audit record without a valid MAC (edited or inserted without the key); "
                "sealed as it is, verify-audit reports it",
                extra={"audit_id": record.id},
            )
        seq += 1
        prev = chain_mac(key, record, seq, prev, document)
        ids.append(record.id or 0)
        hashes.append(prev)
    sealed: int = await conn.fetchval(
        "SELECT audit.seal($1, $2, $3::bigint[], $4::text[])",
        head["last_seq"],
        head["last_hash"],
        ids,
        hashes,
    )
    return sealed


async def seal_pending(conn: asyncpg.Connection, key: AuditKey | None = None) -> int:
    """Seal everything committed and unsealed now (tests, the ``seal`` command)."""
    key = key or current_key()
    total = 0
    while n := await seal_once(conn, key):
        total += n
    return total


@dataclass(frozen=True)
class Backlog:
    unsealed: int
    oldest_seconds: float | None


async def backlog(conn: asyncpg.Connection) -> Backlog:
    """Committed records waiting for the sealer, and the age of the oldest (for operators)."""
    row = await conn.fetchrow(
        "SELECT count(*) AS n, extract(epoch FROM clock_timestamp() - min(appended_at))::float8"
        " AS age FROM audit.log WHERE seq IS NULL"
    )
    return Backlog(int(row["n"]), row["age"])


class AuditSealer:
    """The one sealer of a service database: the leader by a session advisory lock (like the
    outbox relay), the others wait as standbys. Polls every ``interval`` seconds, and again at
    once after a full batch."""

    def __init__(
        self,
        dsn: str,
        key: AuditKey,
        *,
        service: str,
        batch_size: int = 1000,
        interval: float = 0.1,
        retry_delay: float = 1.0,
        metrics: RuntimeMetrics | None = None,
        measure_interval: float = 5.0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._dsn = dsn
        self._tls = tls
        self._key = key
        self._service = service
        self._metrics = metrics or runtime_metrics()
        for instrument in (AUDIT_UNSEALED, AUDIT_SEALING_LAG):
            self._metrics.define(instrument)
        self._measure_interval = measure_interval
        self._measured_at: float | None = None
        self._lock_key = sealer_lock_key(service)
        self._batch_size = batch_size
        self._interval = interval
        self._retry_delay = retry_delay
        self.is_leader = False
        self.sealed = 0

    async def run(self, stop: asyncio.Event) -> None:
        conn: asyncpg.Connection = await asyncpg.connect(self._dsn, ssl=self._tls)
        try:
            while not stop.is_set() and not await self._try_lead(conn):
                await _wait(stop, max(self._interval, 0.5))
            warned = False
            while not stop.is_set():
                if await conn.fetchval("SELECT to_regclass('audit.log')") is None:
                    if not warned:
                        log.warning("no audit schema in this database; the sealer waits")
                        warned = True
                    await _wait(stop, 5.0)
                    continue
                try:
                    n = await seal_once(conn, self._key, batch_size=self._batch_size)
                except asyncpg.SerializationError as exc:  # another sealer moved the head
                    log.warning("audit sealing raced; retrying", extra={"error": str(exc)})
                    continue
                except (OSError, asyncpg.PostgresError) as exc:
                    log.warning("audit sealing failed; retrying", extra={"error": str(exc)})
                    await _wait(stop, self._retry_delay)
                    continue
                self.sealed += n
                if n < self._batch_size:
                    await self._measure_when_due(conn)
                    await _wait(stop, self._interval)
        finally:
            self.is_leader = False
            self._metrics.forget(self)
            await conn.close()  # also releases the advisory lock

    async def measure(self, conn: asyncpg.Connection) -> None:
        """Report ``kokuho.audit.unsealed`` and ``kokuho.audit.sealing_lag`` (ADR 0092)."""
        waiting = await backlog(conn)
        attributes = {"kokuho.service": self._service}
        self._metrics.report(AUDIT_UNSEALED, self, [(attributes, waiting.unsealed)])
        self._metrics.report(AUDIT_SEALING_LAG, self, [(attributes, waiting.oldest_seconds or 0.0)])
        self._measured_at = time.monotonic()

    async def _measure_when_due(self, conn: asyncpg.Connection) -> None:
        if self._measured_at is None or (
            time.monotonic() - self._measured_at >= self._measure_interval
        ):
            try:
                await self.measure(conn)
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("audit backlog not measured", extra={"error": str(exc)})

    async def _try_lead(self, conn: asyncpg.Connection) -> bool:
        self.is_leader = bool(
            await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", self._lock_key)
        )
        return self.is_leader


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyReport:
    records: int
    problem: Literal["tampered", "missing", "unverifiable"] | None = None
    seq: int | None = None
    message: str = ""
    #: Records not yet sealed (checked by their entry MAC), and the age of the oldest.
    unsealed: int = 0
    oldest_unsealed_seconds: float | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def __str__(self) -> str:
        if not self.ok:
            return f"audit chain BROKEN: {self.message}"
        text = f"audit chain OK: {self.records} records"
        if self.unsealed:
            age = self.oldest_unsealed_seconds or 0.0
            text += f"; {self.unsealed} not yet sealed (oldest {age:.1f} s)"
        return text


def _mac_ok(expected: str, found: str | None) -> bool:
    return found is not None and hmac.compare_digest(expected, found)


def verify_records(
    records: Iterable[AuditRecord],
    *,
    start_seq: int = 1,
    start_hash: str = GENESIS_HASH,
    head: tuple[int, str] | None = None,
    key: AuditKey | None = None,
) -> VerifyReport:
    """Walk a sealed chain in seq order; report the first missing or tampered record."""
    key = key or current_key()
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
        if record.scheme == SCHEME_KEYED and not _mac_ok(entry_mac(key, record), record.entry_mac):
            return VerifyReport(
                count,
                "tampered",
                record.seq,
                f"record {record.seq} is tampered (its content does not match its MAC)",
            )
        if not _mac_ok(chain_mac(key, record, expected_seq, prev), record.hash):
            return VerifyReport(
                count,
                "tampered",
                record.seq,
                f"record {record.seq} is tampered (hash mismatch: not sealed with the key)",
            )
        prev, expected_seq, count = record.hash or "", expected_seq + 1, count + 1
    if head is not None:
        head_seq, head_hash = head
        if head_seq >= expected_seq:
            return VerifyReport(
                count,
                "missing",
                expected_seq,
                f"records {expected_seq}..{head_seq} are missing (chain head is at {head_seq})",
            )
        if head_seq != expected_seq - 1 or head_hash != prev:
            return VerifyReport(
                count,
                "tampered",
                head_seq,
                f"the chain head (record {head_seq}) does not match record {expected_seq - 1}",
            )
    return VerifyReport(count)


async def verify(conn: asyncpg.Connection, *, key: AuditKey | None = None) -> VerifyReport:
    """Verify the whole log in one consistent snapshot: the sealed chain from the latest
    purge checkpoint to the head (gapless, linked, every MAC valid), then every record not yet
    sealed (its entry MAC). Needs the key (``AuditKeyMissing`` without it)."""
    key = key or current_key()
    if await conn.fetchval("SELECT to_regclass('audit.log')") is None:
        return VerifyReport(0, "unverifiable", None, "no audit log (schema audit) in this database")
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        checkpoint = await conn.fetchrow(
            "SELECT purged_through_seq, last_purged_hash FROM audit.purge_checkpoint "
            "ORDER BY purged_through_seq DESC LIMIT 1"
        )
        start_seq, start_hash = 1, GENESIS_HASH
        if checkpoint is not None:
            start_seq = checkpoint["purged_through_seq"] + 1
            start_hash = checkpoint["last_purged_hash"]
        head_rows = await conn.fetch("SELECT last_seq, last_hash FROM audit.chain_head")
        if len(head_rows) != 1:
            return VerifyReport(0, "missing", None, "the audit chain head is missing")
        head = (head_rows[0]["last_seq"], head_rows[0]["last_hash"])
        sealed = [
            _record(row)
            async for row in conn.cursor(
                _SELECT + " WHERE seq >= $1 ORDER BY seq", start_seq, prefetch=2000
            )
        ]
        below = await conn.fetchval("SELECT min(seq) FROM audit.log WHERE seq < $1", start_seq)
        unsealed = [
            _record(row)
            async for row in conn.cursor(_SELECT + " WHERE seq IS NULL ORDER BY id", prefetch=2000)
        ]
        now = await conn.fetchval("SELECT clock_timestamp()")
    report = verify_records(sealed, start_seq=start_seq, start_hash=start_hash, head=head, key=key)
    if not report.ok:
        return report
    if below is not None:
        return VerifyReport(
            report.records,
            "tampered",
            below,
            f"record {below} lies before the purge checkpoint at {start_seq - 1}",
        )
    for record in unsealed:
        if record.scheme == SCHEME_KEYED and not _mac_ok(entry_mac(key, record), record.entry_mac):
            return VerifyReport(
                report.records,
                "tampered",
                None,
                f"record id {record.id} (not yet sealed) does not match its MAC: edited, or "
                "inserted without the key",
            )
    oldest = min((r.appended_at for r in unsealed if r.appended_at), default=None)
    return VerifyReport(
        report.records + len(unsealed),
        unsealed=len(unsealed),
        oldest_unsealed_seconds=(now - oldest).total_seconds() if oldest else None,
    )


# --- investigation (C-49) -------------------------------------------------------------------


async def who_accessed(
    conn: asyncpg.Connection, addressee_number: str, *, since: datetime, until: datetime
) -> list[AuditRecord]:
    """Every record (sealed or not yet) touching ``addressee_number`` with
    since <= occurred_at < until, in append order."""
    rows = await conn.fetch(
        _SELECT + " WHERE subject_addressee_numbers @> ARRAY[$1]::text[]"
        " AND occurred_at >= $2 AND occurred_at < $3 ORDER BY id",
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
        " AND ($3::timestamptz IS NULL OR occurred_at < $3) ORDER BY id",
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
        roles_used: Sequence[str] = (),
    ) -> None:
        self._log = log
        self.user_id = user_id
        #: the user's roles that opened the function (C-43: who used which role, when); in
        #: every record of the request as ``detail.roles_used``
        self.roles_used = tuple(sorted(roles_used))
        self.terminal_id = terminal_id
        self.operation = operation
        self.request_id = request_id
        self.default_subjects = tuple(subjects)
        #: A record was committed on its own (not inside a caller's transaction).
        self.recorded = False
        #: A record was written inside a caller's transaction (lost if it rolls back).
        self.pending = False

    @classmethod
    def of_system(cls, source: PoolSource, actor: str, operation: str) -> RequestAudit:
        """The trail of a job, a command or a consumer (no request, no terminal): ``actor`` is
        ``system:<process>``; ``source`` is what ``PostgresAuditLog`` writes through."""
        return cls(
            PostgresAuditLog(source),
            user_id=actor,
            terminal_id=None,
            operation=operation,
            request_id=None,
        )

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
            self.entry(
                operation,
                subjects=subjects,
                outcome=outcome,
                status_code=status_code,
                detail=detail,
            ),
            conn=conn,
        )
        if conn is None or not conn.is_in_transaction():
            self.recorded = True
        else:
            self.pending = True
        return record

    async def record_all(self, entries: Sequence[AuditEntry]) -> list[AuditRecord]:
        """Append ``entries`` (made by ``entry``) on their own, all or none."""
        records = await self._log.append_all(entries)
        self.recorded = True
        return records

    def entry(
        self,
        operation: str | None = None,
        *,
        subjects: Sequence[str] | None = None,
        outcome: Outcome = Outcome.ALLOWED,
        status_code: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """A record of this request: its user, terminal and request id, and the roles used."""
        return AuditEntry(
            user_id=self.user_id,
            terminal_id=self.terminal_id,
            operation=operation or self.operation,
            subjects=tuple(subjects if subjects is not None else self.default_subjects),
            outcome=outcome,
            status_code=status_code,
            request_id=self.request_id,
            detail=(
                {"roles_used": list(self.roles_used), **(detail or {})}
                if self.roles_used and outcome is not Outcome.DENIED
                else detail or {}
            ),
        )


async def get_request_audit(request: Request) -> RequestAudit:
    # async: FastAPI runs a plain ``def`` dependency in a worker thread, a hop per request
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


KeyPathOption = Annotated[
    Path | None,
    typer.Option(help=f"audit key file (default: ${KEY_PATH_ENV})", envvar=KEY_PATH_ENV),
]


def cli() -> None:
    app = typer.Typer(help="Kokuho audit log maintenance.", add_completion=False)

    @app.command("verify")
    def verify_command(
        dsn: Annotated[str, typer.Option(help="service database DSN")],
        key_path: KeyPathOption = None,
    ) -> None:
        """Check the keyed chain and the records not yet sealed; exit 1 at the first tampered
        or missing record, 2 without the key."""
        try:
            key = AuditKey.from_file(key_path) if key_path else current_key()
        except AuditKeyMissing as exc:
            typer.echo(f"audit chain NOT VERIFIED: {exc}")
            raise typer.Exit(2) from exc
        report: VerifyReport = _run(lambda conn: verify(conn, key=key), dsn)
        typer.echo(str(report))
        if not report.ok:
            raise typer.Exit(1)

    @app.command("seal")
    def seal_command(
        dsn: Annotated[str, typer.Option(help="service database DSN")],
        key_path: KeyPathOption = None,
    ) -> None:
        """Seal the records committed so far (the running service's sealer does this itself)."""
        key = AuditKey.from_file(key_path) if key_path else current_key()
        count: int = _run(lambda conn: seal_pending(conn, key), dsn)
        typer.echo(f"sealed {count} audit records")

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
