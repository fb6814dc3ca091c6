"""Group commit of audit records (ADR 0117).

An audited read appends its record on its own, not inside a transaction of the request's: one
statement and one commit a request, which cost PostgreSQL more CPU than the read itself
(issue 15: ~200 µs of the server's CPU a record alone, ~40 µs a record in a statement of
eight). Records appended on their own therefore go to PostgreSQL together: every record
waiting when a statement can be sent goes in one ``audit.append_many`` call, all or none.

The first appender that finds no flush running starts one, as a task of its own, so that a
request cancelled while it waits cannot cancel the statement carrying the others' records.
The flush appends what is waiting, hands each appender its ids, and goes on while more are
waiting. A lone record on an idle service is sent at once: nothing waits for a timer. A group's
statement that fails stores none of its records; each request's records are then sent again on
their own, so only a request whose own records fail gets the error.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

import asyncpg

#: One record's arguments, in ``audit.append``'s order: entry id, occurred at, user, terminal,
#: operation, subjects, outcome, status code, request id, detail (JSON text), entry MAC.
AppendRow = tuple[
    uuid.UUID,
    datetime,
    str,
    str | None,
    str,
    list[str],
    str,
    int | None,
    str | None,
    str,
    str,
]

APPEND_MANY = (
    "SELECT appended_entry_id, appended_id FROM audit.append_many($1::uuid[],"
    " $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[],"
    " $8::integer[], $9::text[], $10::jsonb[], $11::text[])"
)

APPEND_ONE = "SELECT audit.append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11)"

#: Records in one statement at most; more waiting go in the next one.
MAX_GROUP = 500


def _columns(rows: Sequence[AppendRow]) -> list[list[object]]:
    """``audit.append_many``'s arguments: one array a column (the subjects as JSON arrays:
    PostgreSQL has no array of arrays of differing lengths)."""
    columns: list[list[object]] = [list(column) for column in zip(*rows, strict=True)]
    columns[5] = [json.dumps(subjects) for subjects in columns[5]]
    return columns


class GroupAppend:
    """The records appended on their own through one ``PostgresAuditLog``: see the module."""

    def __init__(self, pool: Callable[[], asyncpg.Pool]) -> None:
        self._pool = pool
        self._waiting: list[tuple[list[AppendRow], asyncio.Future[list[int]]]] = []
        self._flush: asyncio.Task[None] | None = None

    async def append(self, rows: list[AppendRow]) -> list[int]:
        """Append ``rows`` (all in the same statement) and return their ids, in order."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[list[int]] = loop.create_future()
        if self._flush is not None and self._flush.get_loop() is not loop:
            # a flush of a loop that is gone (tests run a loop each): its waiters went with it
            self._flush, self._waiting = None, []
        self._waiting.append((rows, done))
        if self._flush is None or self._flush.done():
            self._flush = loop.create_task(self._flushing(), name="audit group append")
        return await done

    def _next_group(self) -> list[tuple[list[AppendRow], asyncio.Future[list[int]]]]:
        count, taken = 0, 0
        for rows, _ in self._waiting:
            if taken and count + len(rows) > MAX_GROUP:
                break
            count += len(rows)
            taken += 1
        group, self._waiting = self._waiting[:taken], self._waiting[taken:]
        return group

    async def _write(self, rows: list[AppendRow]) -> list[int]:
        async with self._pool().acquire() as conn:
            if len(rows) == 1:  # a lone record: the plain INSERT costs PostgreSQL less
                return [await conn.fetchval(APPEND_ONE, *rows[0])]
            found = await conn.fetch(APPEND_MANY, *_columns(rows))
        ids = {entry_id: new_id for entry_id, new_id in found}
        return [ids[row[0]] for row in rows]

    async def _flushing(self) -> None:
        while self._waiting:
            group = self._next_group()
            try:
                await self._settle_group(group)
            except asyncio.CancelledError:
                for _, done in group + self._waiting:
                    done.cancel()
                self._waiting = []
                raise

    async def _settle_group(
        self, group: list[tuple[list[AppendRow], asyncio.Future[list[int]]]]
    ) -> None:
        if len(group) == 1:
            await self._settle(*group[0])
            return
        try:
            ids = await self._write([row for part, _ in group for row in part])
        except Exception:
            # PostgreSQL may have refused one request's record: each request's records again
            # on their own, so that only that request fails
            for part, done in group:
                await self._settle(part, done)
            return
        at = 0
        for part, done in group:
            _succeed(done, ids[at : at + len(part)])
            at += len(part)

    async def _settle(self, rows: list[AppendRow], done: asyncio.Future[list[int]]) -> None:
        try:
            ids = await self._write(rows)
        except Exception as failed:
            _fail(done, failed)
        else:
            _succeed(done, ids)


def _succeed(done: asyncio.Future[list[int]], ids: list[int]) -> None:
    if not done.done():  # its request was cancelled: the record is stored anyway
        done.set_result(ids)


def _fail(done: asyncio.Future[list[int]], failed: Exception) -> None:
    if not done.done():
        done.set_exception(failed)
