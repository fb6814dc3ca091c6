"""ADR 0006: appends take no shared lock, and one sealer per database chains what committed into
one gap-free chain, whatever runs at once (as the service role, on the real PostgreSQL).

No assertion here depends on the wall clock: a test that would have waited on the old chain-head
lock fails by its 30 s deadlock guard, not by a latency bound. Figures are printed (``-s``)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest

from kokuho.events.testing.databases import with_database
from kokuho.events.testing.waiting import eventually
from kokuho.platform import audit
from kokuho.platform.audit import AuditEntry, AuditSealer, Outcome, PostgresAuditLog
from kokuho.platform.database import migrate, provision

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Service:
    dsn: str  # the service's own login
    role: str
    admin_dsn: str


@pytest.fixture
async def service(pg_admin_dsn: str) -> AsyncIterator[Service]:
    """A service database made as ``make run`` makes it: provision, then migrate as the role."""
    name = f"svc_{uuid.uuid4().hex[:10]}"
    host = pg_admin_dsn.split("@", 1)[1].rsplit("/", 1)[0]
    dsn = f"postgresql://{name}:pw_{name}@{host}/{name}"
    await provision(pg_admin_dsn, dsn)
    await migrate(dsn, [])
    yield Service(dsn, name, with_database(pg_admin_dsn, name))
    admin = await asyncpg.connect(pg_admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'DROP ROLE IF EXISTS "{audit.audit_owner_role(name)}"')
        await admin.execute(f'DROP ROLE IF EXISTS "{name}"')
    finally:
        await admin.close()


#: Long enough never to fire on a slow machine; only a request waiting on another one
#: (the pre-0006 chain-head lock) reaches it.
DEADLOCK_GUARD = 30.0


@pytest.fixture
async def pool(service: Service) -> AsyncIterator[asyncpg.Pool]:
    the_pool = await asyncpg.create_pool(service.dsn, min_size=2, max_size=24)
    try:
        yield the_pool
    finally:
        await the_pool.close()


def entry(marker: str) -> AuditEntry:
    return AuditEntry(
        user_id="U1", operation="POST /x", outcome=Outcome.ALLOWED, detail={"m": marker}
    )


async def test_two_open_appends_do_not_wait_for_each_other(
    service: Service, pool: asyncpg.Pool
) -> None:
    """Under the pre-0006 design the second append waited on the chain head until the first
    transaction ended, so this test deadlocked (the guard fires)."""
    log = PostgresAuditLog(pool)
    async with pool.acquire() as a, pool.acquire() as b:
        ta, tb = a.transaction(), b.transaction()
        await ta.start()
        await tb.start()
        await asyncio.wait_for(log.append(entry("a"), conn=a), DEADLOCK_GUARD)
        await asyncio.wait_for(log.append(entry("b"), conn=b), DEADLOCK_GUARD)
        await asyncio.wait_for(tb.commit(), DEADLOCK_GUARD)  # b commits while a is still open
        async with pool.acquire() as sealer:
            assert await audit.seal_pending(sealer) == 1  # b, committed; a is not visible yet
            await ta.commit()
            assert await audit.seal_pending(sealer) == 1
            report = await audit.verify(sealer)
        rows = await pool.fetch("SELECT seq, detail->>'m' AS m FROM audit.log ORDER BY seq")
    assert [(r["seq"], r["m"]) for r in rows] == [(1, "b"), (2, "a")]  # commit order
    assert (report.ok, report.records, report.unsealed) == (True, 2, 0), str(report)


async def test_an_append_in_a_rolled_back_transaction_leaves_no_trace(
    pool: asyncpg.Pool,
) -> None:
    log = PostgresAuditLog(pool)

    async def failing_handler(conn: asyncpg.Connection) -> None:
        async with conn.transaction():
            await log.append(entry("gone"), conn=conn)
            raise RuntimeError("the handler failed")

    async with pool.acquire() as conn:
        with pytest.raises(RuntimeError):
            await failing_handler(conn)
        await log.append(entry("kept"), conn=conn)
        await audit.seal_pending(conn)
        report = await audit.verify(conn)
        rows = await conn.fetch("SELECT seq, detail->>'m' AS m FROM audit.log")
    assert [(r["seq"], r["m"]) for r in rows] == [(1, "kept")]
    assert (report.ok, report.records) == (True, 1)


async def test_a_stored_detail_is_the_one_its_mac_covers(pool: asyncpg.Pool) -> None:
    """The append writes the detail's JSON text as given and MACs it as parsed back (tuples as
    lists, keys as strings, text unescaped): what is stored verifies; a float is refused and
    nothing is stored."""
    log = PostgresAuditLog(pool)
    detail = {
        "roles_used": ("eligibility.clerk",),
        1: "a number as key",
        "氏名": "試験　花子",
        "nested": {"z": [1, {"y": None}], "a": True},
        "escapes": 'quote" back\\ tab\t line\n \u2028',
    }
    async with pool.acquire() as conn:
        record = await log.append(
            AuditEntry(user_id="U1", operation="GET /x", outcome=Outcome.ALLOWED, detail=detail),
            conn=conn,
        )
        with pytest.raises(ValueError, match="floats"):
            await log.append(
                AuditEntry(
                    user_id="U1", operation="GET /x", outcome=Outcome.ALLOWED, detail={"f": 1.5}
                ),
                conn=conn,
            )
        stored = await conn.fetchval("SELECT detail::text FROM audit.log WHERE id = $1", record.id)
        count = await conn.fetchval("SELECT count(*) FROM audit.log")
        await audit.seal_pending(conn)
        report = await audit.verify(conn)
    assert record.detail == {
        "roles_used": ["eligibility.clerk"],
        "1": "a number as key",
        "氏名": "試験　花子",
        "nested": {"z": [1, {"y": None}], "a": True},
        "escapes": 'quote" back\\ tab\t line\n \u2028',
    }
    assert json.loads(stored) == record.detail
    assert count == 1
    assert (report.ok, report.records) == (True, 1), str(report)


async def test_concurrent_writers_and_competing_sealers_make_one_gap_free_chain(
    service: Service, pool: asyncpg.Pool
) -> None:
    """40 writers x 15 transactions, a quarter rolled back, while two AuditSealers (leader
    and standby) run and a third party keeps calling seal_once: one linear chain, every
    committed record in it once, nothing of a rolled-back transaction."""
    log = PostgresAuditLog(pool)
    committed: list[str] = []
    rng = random.Random(6)
    stop = asyncio.Event()
    sealers = [
        AuditSealer(service.dsn, audit.current_key(), service="t", interval=0.05, batch_size=50)
        for _ in range(2)
    ]
    sealer_tasks = [asyncio.create_task(s.run(stop)) for s in sealers]

    async def racer() -> None:
        async with pool.acquire() as conn:
            while not stop.is_set():
                # when the head moved under it, the seal is refused, as it must be
                with contextlib.suppress(asyncpg.SerializationError):
                    await audit.seal_once(conn, audit.current_key(), batch_size=7)
                await asyncio.sleep(0.01)

    async def writer(w: int) -> None:
        for t in range(15):
            records = [f"{w}.{t}.{k}" for k in range(rng.randint(1, 3))]
            rollback = rng.random() < 0.25
            async with pool.acquire() as conn:
                try:
                    async with conn.transaction():
                        for marker in records:
                            await log.append(entry(marker), conn=conn)
                        await asyncio.sleep(rng.random() / 100)
                        if rollback:
                            raise LookupError("roll back")
                except LookupError:
                    continue
            committed.extend(records)

    race = asyncio.create_task(racer())
    await asyncio.wait_for(asyncio.gather(*(writer(w) for w in range(40))), 120)

    async def all_sealed() -> bool:
        async with pool.acquire() as conn:
            return (await audit.backlog(conn)).unsealed == 0

    await eventually(all_sealed, what="the sealers to catch up")
    stop.set()
    await asyncio.gather(*sealer_tasks, race)
    async with pool.acquire() as conn:
        report = await audit.verify(conn)
        rows = await conn.fetch("SELECT seq, detail->>'m' AS m FROM audit.log ORDER BY seq")
    assert report.ok, str(report)
    assert (report.records, report.unsealed) == (len(committed), 0)
    assert [r["seq"] for r in rows] == list(range(1, len(committed) + 1))
    assert sorted(r["m"] for r in rows) == sorted(committed)
    assert sum(1 for s in sealers if s.sealed) >= 1
    assert len(committed) > 300


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def test_figures_appends_beside_a_long_transaction_and_sealing_delay(
    service: Service, pool: asyncpg.Pool
) -> None:
    """Prints: append+commit latency of 2,000 audited transactions (32 at a time) while one
    transaction keeps an appended record open throughout (the old design queued all of them
    behind it), and the delay from commit to seal with the running sealer."""
    log = PostgresAuditLog(pool)
    stop = asyncio.Event()
    sealer = AuditSealer(service.dsn, audit.current_key(), service="t", interval=0.1)
    sealing = asyncio.create_task(sealer.run(stop))
    latencies: list[float] = []
    async with pool.acquire() as holder:
        held = holder.transaction()
        await held.start()
        await log.append(entry("held open"), conn=holder)
        queue = list(range(2000))

        async def worker() -> None:
            while queue:
                i = queue.pop()
                started = time.perf_counter()
                async with pool.acquire() as conn, conn.transaction():
                    await log.append(entry(str(i)), conn=conn)
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(32))), 300)
        elapsed = time.perf_counter() - began
        await held.commit()

    async def all_sealed() -> bool:
        async with pool.acquire() as conn:
            return (await audit.backlog(conn)).unsealed == 0

    await eventually(all_sealed, what="the sealer to catch up")
    stop.set()
    await sealing
    delays = [
        r["d"]
        for r in await pool.fetch(
            "SELECT extract(epoch FROM sealed_at - appended_at)::float8 AS d FROM audit.log"
            " WHERE detail->>'m' <> 'held open'"
        )
    ]
    async with pool.acquire() as conn:
        report = await audit.verify(conn)
    assert (report.ok, report.records) == (True, 2001), str(report)
    print(
        f"\naudit appends beside an open transaction: {len(latencies)} in {elapsed:.2f} s "
        f"({len(latencies) / elapsed:.0f}/s), latency p50 {statistics.median(latencies) * 1000:.1f}"
        f" ms, p99 {_percentile(latencies, 0.99) * 1000:.1f} ms"
        f"\ncommit-to-seal delay: p50 {statistics.median(delays) * 1000:.0f} ms, p99 "
        f"{_percentile(delays, 0.99) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms"
    )


# --- group commit (ADR 0117) ------------------------------------------------------------------


class CountingPool:
    """The pool, counting the connections taken: the group's statements, one a connection."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.taken = 0

    def acquire(self) -> Any:
        self.taken += 1
        return self.pool.acquire()


async def stored(pool: asyncpg.Pool) -> dict[int, tuple[str, str, list[str]]]:
    rows = await pool.fetch(
        "SELECT id, entry_id, entry_mac, detail->>'m' AS m, subject_addressee_numbers AS s"
        " FROM audit.log"
    )
    return {r["id"]: (r["m"], r["entry_mac"], list(r["s"])) for r in rows}


async def test_records_appended_on_their_own_at_once_share_statements(
    pool: asyncpg.Pool,
) -> None:
    """60 requests' records appended at once go to PostgreSQL in fewer statements than records;
    each appender gets its own record's id, ``append_all`` its records in order, and the chain
    made of them verifies."""
    counting = CountingPool(pool)
    log = PostgresAuditLog(lambda: counting)  # type: ignore[arg-type,return-value]

    def subject(i: int) -> AuditEntry:
        return AuditEntry(
            user_id="U1",
            operation="GET /x",
            outcome=Outcome.ALLOWED,
            subjects=tuple(f"{i:010d}" for _ in range(i % 3)),
            detail={"m": f"r{i}"},
        )

    singles = [log.append(subject(i)) for i in range(60)]
    together = log.append_all([subject(100 + i) for i in range(3)])
    *records, trio = await asyncio.gather(*singles, together)
    assert 1 <= counting.taken < 60
    in_db = await stored(pool)
    appended = [*records, *trio]
    assert len(in_db) == len({r.id for r in appended}) == 63
    for record in appended:
        assert in_db[record.id] == (
            record.detail["m"],
            record.entry_mac,
            list(record.subjects),
        )
    assert [r.id for r in trio] == [trio[0].id, trio[0].id + 1, trio[0].id + 2]
    async with pool.acquire() as conn:
        await audit.seal_pending(conn)
        report = await audit.verify(conn)
    assert (report.ok, report.records) == (True, 63), str(report)


def refused(marker: str) -> AuditEntry:
    """A record PostgreSQL refuses (a NUL character in a subject)."""
    return AuditEntry(
        user_id="U1",
        operation="GET /x",
        outcome=Outcome.ALLOWED,
        subjects=("bad\x00",),
        detail={"m": marker},
    )


async def test_a_record_postgresql_refuses_fails_only_its_own_request(
    pool: asyncpg.Pool,
) -> None:
    """A statement of the group refused: every other request's records are stored on their
    own and it alone fails; of an ``append_all`` with a refused record none is stored."""
    log = PostgresAuditLog(pool)
    answers = await asyncio.wait_for(
        asyncio.gather(
            *(log.append(entry(f"ok{i}")) for i in range(5)),
            log.append(refused("bad")),
            log.append_all([entry("all-or-none"), refused("bad-too")]),
            *(log.append(entry(f"ok{i}")) for i in range(5, 10)),
            return_exceptions=True,
        ),
        DEADLOCK_GUARD,
    )
    failed = [i for i, answer in enumerate(answers) if isinstance(answer, BaseException)]
    assert failed == [5, 6], answers
    assert sorted(m for m, _, _ in (await stored(pool)).values()) == sorted(
        f"ok{i}" for i in range(10)
    )


async def test_a_request_cancelled_while_waiting_leaves_the_others(pool: asyncpg.Pool) -> None:
    log = PostgresAuditLog(pool)
    tasks = [asyncio.create_task(log.append(entry(f"t{i}"))) for i in range(12)]
    await asyncio.sleep(0)  # all queued; the first statement is under way
    tasks[7].cancel()
    answers = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(answers[7], asyncio.CancelledError)
    kept = {m for m, _, _ in (await stored(pool)).values()}
    assert {f"t{i}" for i in range(12) if i != 7} <= kept
    # the next appender finds no flush left hanging
    assert (await asyncio.wait_for(log.append(entry("after")), DEADLOCK_GUARD)).id is not None
