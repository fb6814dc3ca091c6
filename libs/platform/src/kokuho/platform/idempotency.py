"""``Idempotency-Key`` for POST, recorded in the same transaction as the handler's effects.

A handler takes ``idem: IdempotencyDep`` and, inside its own transaction::

    async with pool.acquire() as conn, conn.transaction():
        await idem.begin(conn)            # reserve the key, or replay / refuse
        ... load, decide, append events ...
        out = EnrolmentOut(...)
        await idem.complete(conn, out, status_code=201)
    return out

``begin`` (a no-op when the request has no ``Idempotency-Key``):

- takes ``pg_try_advisory_xact_lock`` on (user, key): if another request with the same key is
  in flight, 409 problem ``idempotency-key-in-flight``;
- ``INSERT ... ON CONFLICT DO NOTHING`` into ``idempotency_keys`` (scope: user id + key);
- if the key was already used: with a different method, path or body (sha256 of the canonical
  JSON body) -> 422 problem ``idempotency-key-reuse``; with the same request -> raises
  ``IdempotentReplay``, which ``install_idempotency(app)`` turns into the stored response with
  ``Idempotent-Replayed: true``. The handler does not run further.

``complete`` stores the status and JSON body in the same transaction. If the transaction rolls
back (or the process dies), the key is not recorded either, so a retry runs afresh; effects
are never applied without the key. Keys are kept ``RETENTION`` (24 h) and removed by
``purge_expired(conn)``.

``InMemoryIdempotencyStore`` is the fake for unit tests (``begin()``/``complete()`` without a
connection). Schema: ``await install(conn)`` (idempotent).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, Protocol

import asyncpg
from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response

from kokuho.events.individual_numbers import contains_individual_number
from kokuho.platform.problems import Problem

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 255

SCHEMA = """
CREATE TABLE IF NOT EXISTS idempotency_keys (
    user_id text NOT NULL,
    key text NOT NULL,
    method text NOT NULL,
    path text NOT NULL,
    request_hash text NOT NULL,
    status_code integer,
    response_body bytea,
    content_type text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created_idx ON idempotency_keys (created_at);
"""


@dataclass(frozen=True)
class IdempotencyScope:
    user_id: str
    key: str
    method: str
    path: str
    request_hash: str


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: bytes
    content_type: str


class IdempotentReplay(Exception):
    """Raised by ``begin`` when the request was already answered."""

    def __init__(self, stored: StoredResponse) -> None:
        super().__init__("idempotent replay")
        self.stored = stored
        self.audit_status = stored.status_code


def in_flight() -> Problem:
    return Problem(
        409,
        "idempotency-key-in-flight",
        detail="A request with this Idempotency-Key is still being processed; retry later.",
    )


def reuse() -> Problem:
    return Problem(
        422,
        "idempotency-key-reuse",
        detail="This Idempotency-Key was used for a different request.",
    )


class IdempotencyStore(Protocol):
    async def reserve(
        self, scope: IdempotencyScope, conn: asyncpg.Connection | None
    ) -> StoredResponse | None:
        """Reserve the key (None) or return the stored response; raise 409/422 problems."""
        ...

    async def save(
        self, scope: IdempotencyScope, response: StoredResponse, conn: asyncpg.Connection | None
    ) -> None: ...

    async def release(self, scope: IdempotencyScope) -> None:
        """Forget an uncompleted reservation (the handler failed)."""
        ...


class PostgresIdempotencyStore:
    """Keys in the service database, inside the handler's transaction (``conn`` required)."""

    async def reserve(
        self, scope: IdempotencyScope, conn: asyncpg.Connection | None
    ) -> StoredResponse | None:
        conn = _in_transaction(conn)
        got_lock = await conn.fetchval(
            "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 7))",
            f"{scope.user_id}\x1f{scope.key}",
        )
        if not got_lock:
            raise in_flight()
        inserted = await conn.fetchval(
            "INSERT INTO idempotency_keys (user_id, key, method, path, request_hash) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, key) DO NOTHING RETURNING true",
            scope.user_id,
            scope.key,
            scope.method,
            scope.path,
            scope.request_hash,
        )
        if inserted:
            return None
        row = await conn.fetchrow(
            "SELECT method, path, request_hash, status_code, response_body, content_type "
            "FROM idempotency_keys WHERE user_id = $1 AND key = $2",
            scope.user_id,
            scope.key,
        )
        if row is None:  # purged in between: treat as new
            raise in_flight()
        if (row["method"], row["path"], row["request_hash"]) != (
            scope.method,
            scope.path,
            scope.request_hash,
        ):
            raise reuse()
        if row["status_code"] is None:
            raise in_flight()
        return StoredResponse(row["status_code"], bytes(row["response_body"]), row["content_type"])

    async def save(
        self, scope: IdempotencyScope, response: StoredResponse, conn: asyncpg.Connection | None
    ) -> None:
        conn = _in_transaction(conn)
        await conn.execute(
            "UPDATE idempotency_keys SET status_code = $3, response_body = $4, content_type = $5 "
            "WHERE user_id = $1 AND key = $2",
            scope.user_id,
            scope.key,
            response.status_code,
            response.body,
            response.content_type,
        )

    async def release(self, scope: IdempotencyScope) -> None:
        return None  # the rolled-back transaction took the reservation with it


def _in_transaction(conn: asyncpg.Connection | None) -> asyncpg.Connection:
    if conn is None or not conn.is_in_transaction():
        raise RuntimeError(
            "PostgresIdempotencyStore needs the handler's connection in a transaction"
        )
    return conn


class InMemoryIdempotencyStore:
    """Fake for unit tests; same semantics, no database."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], tuple[IdempotencyScope, StoredResponse | None]] = {}

    async def reserve(
        self, scope: IdempotencyScope, conn: asyncpg.Connection | None
    ) -> StoredResponse | None:
        existing = self.entries.get((scope.user_id, scope.key))
        if existing is None:
            self.entries[(scope.user_id, scope.key)] = (scope, None)
            return None
        first, stored = existing
        if (first.method, first.path, first.request_hash) != (
            scope.method,
            scope.path,
            scope.request_hash,
        ):
            raise reuse()
        if stored is None:
            raise in_flight()
        return stored

    async def save(
        self, scope: IdempotencyScope, response: StoredResponse, conn: asyncpg.Connection | None
    ) -> None:
        self.entries[(scope.user_id, scope.key)] = (scope, response)

    async def release(self, scope: IdempotencyScope) -> None:
        entry = self.entries.get((scope.user_id, scope.key))
        if entry is not None and entry[1] is None:
            del self.entries[(scope.user_id, scope.key)]


def body_hash(body: bytes) -> str:
    """sha256 of the canonical JSON of the body (or of the raw bytes if it is not JSON)."""
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


class Idempotency:
    """The idempotency handle of one request (``IdempotencyDep``)."""

    def __init__(self, store: IdempotencyStore, scope: IdempotencyScope | None) -> None:
        self.store = store
        self.scope = scope
        self.completed = False

    @property
    def key(self) -> str | None:
        return self.scope.key if self.scope else None

    async def begin(self, conn: asyncpg.Connection | None = None) -> None:
        if self.scope is None:
            return
        stored = await self.store.reserve(self.scope, conn)
        if stored is not None:
            self.completed = True
            raise IdempotentReplay(stored)

    async def complete(
        self, conn: asyncpg.Connection | None, body: Any, *, status_code: int = 200
    ) -> None:
        """Record the response (a pydantic model or JSON-able value) with the effects."""
        if self.scope is None:
            return
        payload = json.dumps(jsonable_encoder(body), ensure_ascii=False).encode("utf-8")
        await self.store.save(
            self.scope, StoredResponse(status_code, payload, "application/json"), conn
        )
        self.completed = True


def store_of(request: Request) -> IdempotencyStore:
    store: IdempotencyStore | None = getattr(request.app.state, "idempotency_store", None)
    if store is None:
        raise RuntimeError("app.state.idempotency_store is not set; pass one to create_app")
    return store


async def _idempotency(request: Request) -> Any:
    key = request.headers.get(HEADER)
    store = store_of(request)
    if key is None:
        yield Idempotency(store, None)
        return
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise Problem(
            400, "invalid-idempotency-key", detail="Idempotency-Key must be 1..255 printable chars."
        )
    if contains_individual_number(key):  # the key is stored with the response
        raise Problem(
            400,
            "invalid-idempotency-key",
            detail="Idempotency-Key must not carry an individual number.",
        )
    user = getattr(request.state, "staff_user", None)
    if user is None:
        raise RuntimeError("IdempotencyDep needs a route guarded by auth.require_roles(...)")
    scope = IdempotencyScope(
        user_id=user.user_id,
        key=key,
        method=request.method,
        path=request.url.path,
        request_hash=body_hash(await request.body()),
    )
    handle = Idempotency(store, scope)
    try:
        yield handle
    finally:
        if not handle.completed:
            await store.release(scope)


IdempotencyDep = Annotated[Idempotency, Depends(_idempotency, scope="function")]


def install_idempotency(app: FastAPI, store: IdempotencyStore | None) -> None:
    """Set the store and the replay handler (``create_app`` does this)."""
    app.state.idempotency_store = store

    async def on_replay(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, IdempotentReplay)
        return Response(
            exc.stored.body,
            status_code=exc.stored.status_code,
            media_type=exc.stored.content_type,
            headers={REPLAYED_HEADER: "true"},
        )

    app.add_exception_handler(IdempotentReplay, on_replay)


async def install(conn: asyncpg.Connection) -> None:
    await conn.execute(SCHEMA)


async def purge_expired(conn: asyncpg.Connection, older_than: timedelta = RETENTION) -> int:
    result: str = await conn.execute(
        "DELETE FROM idempotency_keys WHERE created_at < now() - $1::interval", older_than
    )
    return int(result.split()[-1])
