"""A released pool connection is not reset by a query (ADR 0107): what it must undo, asyncpg
does without one (the open transaction), and what the reset query would undo no pool user makes.
"""

from __future__ import annotations

import re
from pathlib import Path

from kokuho.platform.database import create_pool
from kokuho.platform.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[3]

#: Statements that leave state in the session past the transaction: only on the dedicated
#: connections of these modules (the relay, the audit sealer, provision and migrate, the test
#: databases' builder), never on a pool connection.
SESSION_STATE = re.compile(
    r"pg_(try_)?advisory_lock\(|add_listener\(|\bLISTEN\b|WITH HOLD|[\"']SET (?!LOCAL)\w"
)
DEDICATED = {
    "libs/events/src/kokuho/events/runtime/relay.py",
    "libs/platform/src/kokuho/platform/audit.py",
    "libs/platform/src/kokuho/platform/database.py",
    "libs/platform/src/kokuho/platform/testing.py",
}


async def test_release_runs_no_reset_query_and_still_ends_an_open_transaction(
    pg_admin_dsn: str,
) -> None:
    settings = ServiceSettings(service_name="pool", database_dsn=pg_admin_dsn)
    pool = await create_pool(settings, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            await conn.execute("CREATE TEMPORARY TABLE kept (n int)")
            # a session setting: RESET ALL (asyncpg's reset query) would undo it
            await conn.execute("SELECT set_config('application_name', 'kept-session', false)")
            tx = conn.transaction()
            await tx.start()
            await conn.execute("INSERT INTO kept VALUES (1)")
        async with pool.acquire() as conn:
            assert await conn.fetchval("SHOW application_name") == "kept-session"
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT count(*) FROM kept") == 0
    finally:
        await pool.close()


def test_no_pool_user_makes_session_state() -> None:
    found = []
    for path in sorted(ROOT.glob("*/*/src/**/*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in DEDICATED:
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if SESSION_STATE.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "session state on a pool connection (ADR 0107):\n" + "\n".join(found)


def test_the_scan_finds_what_it_looks_for() -> None:
    for line in (
        'await conn.execute("SET search_path TO x")',
        "await conn.fetchval('SELECT pg_advisory_lock(1)')",
        "await conn.add_listener('c', f)",
        'await conn.execute("DECLARE c CURSOR WITH HOLD FOR SELECT 1")',
    ):
        assert SESSION_STATE.search(line), line
    assert not SESSION_STATE.search('await conn.execute("SET LOCAL ROLE owner")')
    assert not SESSION_STATE.search("SELECT pg_advisory_xact_lock(1)")
