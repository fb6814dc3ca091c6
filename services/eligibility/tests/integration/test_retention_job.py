"""The retention job (C-95, C-96; ADR 0096) on the real PostgreSQL and Kafka, on a database of
its own (the job erases whatever is due, so it must not meet the session's persons): the day
before the fifth anniversary of the loss keeps the details, the day itself erases them; the
person then reads as nothing, a tombstone reaches the compacted topic, the erasure records are
listed to an auditor (audited) and refused to a clerk, and a re-run erases nothing new."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import asyncpg
import httpx
import pytest

from kokuho.eligibility.adapters.unit_of_work import EligibilityUnit
from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort
from kokuho.eligibility.app.retention import SYSTEM_RETENTION, apply_retention
from kokuho.eligibility.bootstrap import build, topics_of
from kokuho.eligibility.config import Settings
from kokuho.eligibility.domain import retention
from kokuho.eligibility.domain.rules import erasable_from
from kokuho.eligibility.parameters import load_rules
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import migrated_database, serving
from kokuho.platform.token import PrivateKey

from .. import builders as b
from ..conftest import MIGRATIONS, find_on_topic
from .test_eligibility_e2e import CLERK, Headers, confirm, enter_move_in

pytestmark = pytest.mark.integration


@pytest.fixture
async def own_settings(
    pg_admin_dsn: str, eligibility_settings: Settings
) -> AsyncIterator[Settings]:
    async with migrated_database(pg_admin_dsn, MIGRATIONS) as dsn:
        yield eligibility_settings.model_copy(update={"database_dsn": dsn})


@pytest.fixture
async def own_client(
    own_settings: Settings, signing_key: PrivateKey
) -> AsyncIterator[httpx.AsyncClient]:
    verifier = TokenVerifier([signing_key.public_key()])  # type: ignore[list-item]
    async with serving(build(own_settings, token_verifier=verifier), "elig-retention") as c:
        yield c


def on(day: date) -> Eligibility:
    return Eligibility(
        load_rules(), clock=lambda: datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
    )


async def test_the_job_erases_on_the_anniversary_and_records_it(
    own_client: httpx.AsyncClient, own_settings: Settings, token: Headers
) -> None:
    client = own_client
    gone, stays = b.addressee(), b.addressee()
    change = await enter_move_in(client, token, b.move_in(gone))
    await confirm(client, token, change["change_id"])
    kept = await enter_move_in(client, token, b.move_in(stays))
    await confirm(client, token, kept["change_id"])
    loss = {
        "addressee_number": gone,
        "reason": "moved_out",
        "fact_date": (date.today() - timedelta(days=1)).isoformat(),
        "notification_date": date.today().isoformat(),
        "identity_verification": b.ID,
    }
    entered = await client.post(
        f"/api/v1/households/{change['nhi_household_number']}/losses",
        json=loss,
        headers=token("clerk-a", CLERK),
    )
    assert entered.status_code == 201, entered.text
    assert (await confirm(client, token, entered.json()["change_id"])).status_code == 200

    pool = await asyncpg.create_pool(own_settings.database_dsn, min_size=1, max_size=2)
    try:
        last_loss = await pool.fetchval(
            "SELECT max(loss_date) FROM qualification_periods WHERE addressee_number = $1", gone
        )
        first = erasable_from(last_loss, load_rules())
        day_before = first - timedelta(days=1)

        def units() -> EligibilityUnitPort:
            return EligibilityUnit(lambda: pool, topics=topics_of(own_settings))

        early = await apply_retention(units, on(day_before), dry_run=False)
        assert early.erased == {}
        assert early.kept == {
            retention.WITHIN_RETENTION: [gone],
            retention.STILL_INSURED: [stays],
        }
        done = await apply_retention(units, on(first), dry_run=False)
        again = await apply_retention(units, on(first + timedelta(days=1)), dry_run=False)
        audit_before = await pool.fetchval("SELECT count(*) FROM audit_log")
    finally:
        await pool.close()
    assert done.erased == {retention.PERSONAL_DETAILS: [gone]}
    assert done.kept == {retention.STILL_INSURED: [stays]}
    assert (again.erased, again.records) == ({}, 0)

    person = await client.get(f"/api/v1/persons/{gone}", headers=token("clerk-a", CLERK))
    assert person.status_code == 200, person.text
    assert person.json()["details"] is None
    other = await client.get(f"/api/v1/persons/{stays}", headers=token("clerk-a", CLERK))
    assert other.json()["details"] is not None
    await find_on_topic(
        own_settings.kafka_connection(),  # its own user reads its topic
        own_settings.personal_details_topic,
        lambda key, value: key == gone.encode() and value is None,
    )

    refused = await client.get("/api/v1/erasure-records", headers=token("clerk-a", CLERK))
    assert refused.status_code == 403
    listed = await client.get(
        "/api/v1/erasure-records", params={"limit": 3}, headers=token("aud-1", "auditor")
    )
    assert listed.status_code == 200, listed.text
    first_page = listed.json()
    rest = await client.get(
        "/api/v1/erasure-records",
        params={"cursor": first_page["next_cursor"]},
        headers=token("aud-1", "auditor"),
    )
    items = first_page["items"] + rest.json()["items"]
    assert {i["store"] for i in items} == set(retention.STORES)
    assert {(i["subject"], i["erased_on"], i["erased_by"]) for i in items} == {
        (gone, first.isoformat(), SYSTEM_RETENTION)
    }
    conn = await asyncpg.connect(own_settings.database_dsn)
    try:
        audited = await conn.fetch(
            "SELECT subject_addressee_numbers FROM audit_log WHERE user_id = 'aud-1'"
        )
        assert await conn.fetchval("SELECT count(*) FROM audit_log") > audit_before
    finally:
        await conn.close()
    assert [gone] in [list(r[0]) for r in audited]
