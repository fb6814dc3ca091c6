"""The vault in PostgreSQL, on the caller's transaction connection."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import asyncpg

from kokuho.events.contracts.linkage_gateway import IndividualNumberBound
from kokuho.events.runtime.store import PostgresEventStore, append
from kokuho.linkage_gateway.adapters.keys import LEGACY_INDEX_KEY
from kokuho.linkage_gateway.app.ports import NumberSealer
from kokuho.linkage_gateway.app.records import Confirmation, SealedNumber
from kokuho.linkage_gateway.domain.vault import (
    Binding,
    NumberBound,
    NumberBoundToAnotherPerson,
    PersonDied,
    SecondNumberForPerson,
    VaultEvent,
)

SOURCE = "/kokuho/linkage-gateway"

_SELECT_BINDING = (
    "SELECT addressee_number, integrated_addressee_number, number_index, bound_at, deceased_at"
    " FROM integrated_addressee"
)


def publication_topic(topic: str | None) -> str:
    """The service's own topic (``settings.events_topic``, given by the unit of work)."""
    if topic is None:
        raise RuntimeError("this repository was opened without the service's events topic")
    return topic


def stream_id(addressee_number: str) -> str:
    return f"person-{addressee_number}"


def _binding(row: asyncpg.Record | None) -> Binding | None:
    if row is None:
        return None
    return Binding(
        addressee_number=row["addressee_number"],
        integrated_addressee_number=row["integrated_addressee_number"],
        number_index=row["number_index"],
        bound_at=row["bound_at"],
        deceased=row["deceased_at"] is not None,
    )


class PostgresVault:
    def __init__(self, conn: asyncpg.Connection, *, topic: str | None = None) -> None:
        self._conn = conn
        self._topic = topic  # the unit of work passes settings.events_topic

    async def binding_of(self, addressee_number: str) -> Binding | None:
        # One transaction per person at a time: a registration and a replica event for the same
        # person must not pass each other unseen (the replica would wait for a binding that
        # already committed). Row locks cannot do it: the binding may not exist yet.
        await self._conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('linkage-gateway.person:' || $1, 0))",
            addressee_number,
        )
        row = await self._conn.fetchrow(
            _SELECT_BINDING + " WHERE addressee_number = $1 FOR UPDATE",
            addressee_number,
        )
        return _binding(row)

    async def holder_of(self, number_indexes: Sequence[str]) -> Binding | None:
        row = await self._conn.fetchrow(
            _SELECT_BINDING + " WHERE number_index = ANY($1::text[])", list(number_indexes)
        )
        return _binding(row)

    async def next_integrated_addressee_number(self) -> str:
        # 16 digits: never mistaken for a 12-digit individual number.
        seq = await self._conn.fetchval("SELECT nextval('integrated_addressee_number_seq')")
        return f"{int(seq):016d}"

    async def record(
        self, events: Sequence[VaultEvent], sealed: SealedNumber | None = None
    ) -> None:
        for event in events:
            if isinstance(event, NumberBound):
                if sealed is None:
                    raise ValueError("a binding needs its sealed number")
                await self._insert(event, sealed)
                store = PostgresEventStore(self._conn, source=SOURCE)
                await append(
                    store,
                    stream_id(event.addressee_number),
                    0,
                    [
                        IndividualNumberBound(
                            addressee_number=event.addressee_number, bound_at=event.at
                        )
                    ],
                    topic=publication_topic(self._topic),
                    partition_key=event.addressee_number,
                )
            elif isinstance(event, PersonDied):
                await self._conn.execute(
                    "UPDATE integrated_addressee SET deceased_at = $2, version = version + 1"
                    " WHERE addressee_number = $1",
                    event.addressee_number,
                    event.at,
                )

    async def _insert(self, event: NumberBound, sealed: SealedNumber) -> None:
        try:
            async with self._conn.transaction():  # a savepoint: the unique checks of C-17/C-75
                await self._conn.execute(
                    "INSERT INTO integrated_addressee (addressee_number,"
                    " integrated_addressee_number, number_index, kek_id, wrapped_key, nonce,"
                    " ciphertext, bound_at)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    event.addressee_number,
                    event.integrated_addressee_number,
                    event.number_index,
                    sealed.kek_id,
                    sealed.wrapped_key,
                    sealed.nonce,
                    sealed.ciphertext,
                    event.at,
                )
        except asyncpg.UniqueViolationError as exc:
            # A concurrent registration won the race; report it as the rule it breaks.
            if exc.constraint_name == "integrated_addressee_pkey":
                raise SecondNumberForPerson(event.addressee_number) from None
            raise NumberBoundToAnotherPerson(event.addressee_number) from None

    async def sealed_of(self, addressee_number: str) -> SealedNumber | None:
        row = await self._conn.fetchrow(
            "SELECT kek_id, wrapped_key, nonce, ciphertext FROM integrated_addressee"
            " WHERE addressee_number = $1",
            addressee_number,
        )
        if row is None:
            return None
        return SealedNumber(row["kek_id"], row["wrapped_key"], row["nonce"], row["ciphertext"])

    async def subject_affairs(self, addressee_number: str) -> set[str]:
        rows = await self._conn.fetch(
            "SELECT affair FROM affair_subjects WHERE addressee_number = $1", addressee_number
        )
        return {r["affair"] for r in rows}

    async def add_subject(self, addressee_number: str, affair: str) -> None:
        await self._conn.execute(
            "INSERT INTO affair_subjects (addressee_number, affair) VALUES ($1, $2)"
            " ON CONFLICT DO NOTHING",
            addressee_number,
            affair,
        )

    async def report_for_confirmation(self, addressee_number: str, rule: str, by: str) -> None:
        await self._conn.execute(
            "INSERT INTO binding_confirmations (addressee_number, rule, reported_by)"
            " VALUES ($1, $2, $3)",
            addressee_number,
            rule,
            by,
        )

    async def open_confirmations(self, limit: int, after: int) -> list[Confirmation]:
        rows = await self._conn.fetch(
            "SELECT id, addressee_number, rule, reported_at, reported_by"
            " FROM binding_confirmations WHERE resolved_at IS NULL AND id > $1"
            " ORDER BY id LIMIT $2",
            after,
            limit,
        )
        return [Confirmation(**dict(r)) for r in rows]

    async def addressees_of_integrated(self, integrated: Sequence[str]) -> list[str]:
        rows = await self._conn.fetch(
            "SELECT addressee_number FROM integrated_addressee"
            " WHERE integrated_addressee_number = ANY($1::text[])",
            sorted(set(integrated)),
        )
        return sorted(r["addressee_number"] for r in rows)


async def rotate(pool: asyncpg.Pool, sealer: NumberSealer, *, batch: int = 500) -> int:
    """Rewrap every value not under the active KEK, a batch per transaction. Rows held by
    requests in flight are skipped (SKIP LOCKED) and taken on a later pass, so registrations
    and resolutions go on meanwhile. Returns the number of values rewrapped."""
    total = 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            total += await _rewrap_batch(conn, sealer, batch)
            remaining = await conn.fetchval(
                "SELECT count(*) FROM integrated_addressee WHERE kek_id <> $1",
                sealer.active_kek_id,
            )
        if remaining == 0:
            return total
        await asyncio.sleep(0.02)  # let the transactions holding the rest finish


async def _rewrap_batch(conn: asyncpg.Connection, sealer: NumberSealer, batch: int) -> int:
    rows = await conn.fetch(
        "SELECT addressee_number, kek_id, wrapped_key, nonce, ciphertext"
        " FROM integrated_addressee WHERE kek_id <> $1 LIMIT $2 FOR UPDATE SKIP LOCKED",
        sealer.active_kek_id,
        batch,
    )
    updates = []
    for r in rows:
        new = sealer.rewrap(
            SealedNumber(r["kek_id"], r["wrapped_key"], r["nonce"], r["ciphertext"])
        )
        updates.append((r["addressee_number"], new.kek_id, new.wrapped_key))
    await conn.executemany(
        "UPDATE integrated_addressee SET kek_id = $2, wrapped_key = $3, rewrapped_at = now()"
        " WHERE addressee_number = $1",
        updates,
    )
    return len(updates)


async def keys_in_use(conn: asyncpg.Connection) -> dict[str, int]:
    rows = await conn.fetch("SELECT kek_id, count(*) AS n FROM integrated_addressee GROUP BY 1")
    return {r["kek_id"]: int(r["n"]) for r in rows}


async def reindex(pool: asyncpg.Pool, sealer: NumberSealer, *, batch: int = 500) -> int:
    """Re-index every binding not indexed under the active index key, a batch per transaction
    (each number opened, its index recomputed, the row updated). Rows held by requests in
    flight are skipped and taken on a later pass; lookups meanwhile try every key held.
    Returns the number of bindings re-indexed."""
    total = 0
    current = sealer.active_index_key_id + ":%"
    while True:
        async with pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT addressee_number, kek_id, wrapped_key, nonce, ciphertext"
                " FROM integrated_addressee WHERE number_index NOT LIKE $1"
                " LIMIT $2 FOR UPDATE SKIP LOCKED",
                current,
                batch,
            )
            updates = []
            for r in rows:
                sealed = SealedNumber(r["kek_id"], r["wrapped_key"], r["nonce"], r["ciphertext"])
                number = sealer.open(sealed, addressee_number=r["addressee_number"])
                updates.append((r["addressee_number"], sealer.index(number)))
            await conn.executemany(
                "UPDATE integrated_addressee SET number_index = $2 WHERE addressee_number = $1",
                updates,
            )
            total += len(updates)
            remaining = await conn.fetchval(
                "SELECT count(*) FROM integrated_addressee WHERE number_index NOT LIKE $1", current
            )
        if remaining == 0:
            return total
        await asyncio.sleep(0.02)  # let the transactions holding the rest finish


async def index_keys_in_use(conn: asyncpg.Connection) -> dict[str, int]:
    """Bindings per index key (``legacy``: an older store's bare-hex values)."""
    rows = await conn.fetch(
        "SELECT CASE WHEN position(':' in number_index) > 0"
        " THEN split_part(number_index, ':', 1) ELSE $1 END AS key_id, count(*) AS n"
        " FROM integrated_addressee GROUP BY 1",
        LEGACY_INDEX_KEY,
    )
    return {r["key_id"]: int(r["n"]) for r in rows}
