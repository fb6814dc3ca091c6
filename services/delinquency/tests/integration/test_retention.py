"""The delinquency retention job (C-95, C-96; ADR 0100) on the real PostgreSQL, then the
service on it with Kafka: a case closed fully paid is kept the day before the fifth
anniversary of its closing and erased on the day itself (its stream, published outbox rows,
case view and charge dates), one erasure record per store; a case still open, and one closed
by a write-off, are never erased; a case whose event waits in the outbox is kept until the
relay has published it; a dry run changes nothing; a re-run erases nothing new; a read
afterwards finds nothing; the records are listed to an auditor, audited."""

from __future__ import annotations

from datetime import date, timedelta

import asyncpg
import pytest

from kokuho.delinquency.adapters.retention import RetentionUnit
from kokuho.delinquency.adapters.unit_of_work import DelinquencyUnit
from kokuho.delinquency.app.cases import apply
from kokuho.delinquency.app.retention import apply_retention
from kokuho.delinquency.bootstrap import build
from kokuho.delinquency.commands import retention_command
from kokuho.delinquency.config import Settings
from kokuho.delinquency.domain import retention as r
from kokuho.delinquency.domain.lifecycle import NoteDunning, NoteLapse, NotePayment
from kokuho.delinquency.domain.model import Part
from kokuho.delinquency.domain.review import Review
from kokuho.delinquency.parameters import load_retention, load_rules
from kokuho.platform.audit import RequestAudit
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.retention import OUTBOX_PENDING, SYSTEM_RETENTION
from kokuho.platform.testing import (
    RetentionRuns,
    erasure_records_listed,
    retention_command_runs_today,
    serving,
    staff_headers,
)
from kokuho.platform.token import new_private_key

from .conftest import NOW, SUPERVISOR

PAID, PENDING, OPEN, WRITTEN_OFF = "9960000001", "9960000002", "9960000003", "9960000004"
DUE = date(2026, 6, 30)
CLOSED = date(2026, 10, 1)  # the day the paid cases were paid in full
RULES = load_rules()


def dunned() -> list[object]:
    notice = NoteDunning(2026, 1, DUE, 24_000, DUE + timedelta(days=31), "n1", DUE + timedelta(20))
    return [notice, Review(date(2026, 8, 10), RULES)]


def paid(amount: int) -> NotePayment:
    return NotePayment(f"p-{amount}", (Part(2026, 1, amount),), (), "bank", CLOSED)


async def test_retention_of_cases(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    period = load_retention()
    assert (period.years, period.confidence) == (5, "unconfirmed")
    pool = await asyncpg.create_pool(settings.database_dsn, min_size=1, max_size=2)
    try:
        trail = RequestAudit.of_system(lambda: pool, "system:test", "seed")
        unit = DelinquencyUnit(lambda: pool, audit=trail, topic=settings.events_topic)
        lapse = NoteLapse(2026, 1, 24_000, date(2029, 1, 10), RULES)
        made = {
            PAID: [*dunned(), paid(24_000)],
            PENDING: [*dunned(), paid(24_000)],
            OPEN: [*dunned(), paid(10_000)],
            WRITTEN_OFF: [*dunned(), lapse],
        }
        async with unit:
            for household, commands in made.items():
                for command in commands:
                    await apply(unit, household, command)
        views = {
            row[0]: row[1] for row in await pool.fetch("SELECT household, status FROM case_views")
        }
        assert views == {PAID: "closed", PENDING: "closed", OPEN: "open", WRITTEN_OFF: "closed"}
        await pool.execute(
            "INSERT INTO charge_dates VALUES ($1, 2026, 1, $2), ($3, 2026, 1, $2)", PAID, DUE, OPEN
        )
        # the relay published what the others had on the topic; an event of PENDING's stream
        # still waits (its case's own events are private: one written as the relay would see it)
        await pool.execute("UPDATE outbox SET published_at = now()")
        await pool.execute(
            "INSERT INTO outbox (event_id, topic, key) SELECT event_id, $2, $1 FROM events"
            " WHERE stream_id = 'case-' || $1 ORDER BY version DESC LIMIT 1",
            PENDING,
            settings.events_topic,
        )

        run = RetentionRuns(pool, apply_retention, RetentionUnit, period)
        tables = ("events", "outbox", "case_views", "charge_dates", "erasure_records")

        before = await run.counts(tables)
        day_before = await run(date(2031, 9, 30))  # the fifth anniversary is 2031-10-01
        assert (day_before.erased, day_before.records) == ({}, 0)
        assert day_before.kept == {}  # closed less than 5 years ago: not even a candidate
        dry = await run(date(2031, 10, 1), dry_run=True)
        assert dry.erased == {r.CASE: [PAID, PENDING]}
        assert dry.as_dict()["dry_run"] is True
        assert dry.records == 0
        assert await run.counts(tables) == before  # the dry run changed nothing

        itself = await run(date(2031, 10, 1))
        assert itself.erased == {r.CASE: [PAID]}
        assert itself.kept == {OUTBOX_PENDING: [PENDING]}
        assert itself.records == len(r.STORES)
        left = {row[0] for row in await pool.fetch("SELECT DISTINCT stream_id FROM events")}
        assert left == {f"case-{h}" for h in (PENDING, OPEN, WRITTEN_OFF)}
        assert (
            await pool.fetchval("SELECT count(*) FROM charge_dates WHERE household = $1", PAID) == 0
        )
        assert (
            await pool.fetchval("SELECT count(*) FROM charge_dates WHERE household = $1", OPEN) == 1
        )

        again = await run(date(2031, 10, 2))
        assert (again.erased, again.records) == ({}, 0)  # nothing new; PENDING still waits
        await pool.execute("UPDATE outbox SET published_at = now()")  # the relay caught up
        caught_up = await run(date(2031, 10, 3))
        assert caught_up.erased == {r.CASE: [PENDING]}
        years_later = await run(date(2040, 1, 1))  # unpaid and written off: never erased
        assert (years_later.erased, years_later.records) == ({}, 0)
        assert years_later.kept == {r.WRITTEN_OFF: [WRITTEN_OFF]}
        views = {row[0] for row in await pool.fetch("SELECT household FROM case_views")}
        assert views == {OPEN, WRITTEN_OFF}
        recorded = await pool.fetch(
            "SELECT data_class, subject, store, erased_on, erased_by FROM erasure_records"
        )
        audited = await pool.fetch(
            "SELECT subject_addressee_numbers FROM audit_log WHERE user_id = $1",
            SYSTEM_RETENTION,
        )
    finally:
        await pool.close()
    assert {(x["subject"], x["store"], x["erased_on"]) for x in recorded} == {
        (h, store, day)
        for h, day in ((PAID, date(2031, 10, 1)), (PENDING, date(2031, 10, 3)))
        for store in r.STORES
    }
    assert {(x["data_class"], x["erased_by"]) for x in recorded} == {(r.CASE, SYSTEM_RETENTION)}
    assert sorted(list(x[0]) for x in audited) == [[PAID], [PENDING]]

    key = new_private_key()
    app = build(settings, token_verifier=TokenVerifier([key.public_key()]), clock=lambda: NOW)
    async with serving(app, "delinquency") as client:
        gone = await client.get(
            f"/api/v1/cases/{PAID}", headers=staff_headers(key, "U-SUP", SUPERVISOR)
        )
        assert gone.status_code == 404, gone.text
        kept = await client.get(
            f"/api/v1/cases/{OPEN}", headers=staff_headers(key, "U-SUP", SUPERVISOR)
        )
        assert kept.status_code == 200, kept.text
        listed = await erasure_records_listed(
            client,
            staff_headers(key, "U-OFF", "delinquency.officer"),
            staff_headers(key, "U-AUD", "auditor"),
        )
        assert {(x["subject"], x["store"]) for x in listed} == {
            (h, s) for h in (PAID, PENDING) for s in r.STORES
        }
    conn = await asyncpg.connect(settings.database_dsn)
    try:
        read = await conn.fetch(
            "SELECT subject_addressee_numbers, detail FROM audit_log WHERE user_id = 'U-AUD'"
        )
    finally:
        await conn.close()
    assert [sorted(x[0]) for x in read] == [[PAID, PENDING]]

    # the command: today's run for Japan's day (nothing of the test closed 5 years ago);
    # an unknown argument is refused
    await retention_command_runs_today(
        lambda args: retention_command(settings, args), lambda: capsys.readouterr().out
    )
