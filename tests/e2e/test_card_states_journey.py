"""マイナ保険証 states from the online-qualification side to the certificates, across the
services on the real PostgreSQL and Kafka (issue 14, ADRs 0017 and 0019).

A household of four is insured in eligibility; linkage-gateway binds their individual numbers.
The online-qualification side (the intermediate-server simulator process `make run` starts)
reports states for three of them by integrated addressee number; linkage-gateway's
``fetch-card-states`` command publishes them as MynaInsuranceCardStatusChanged (addressee
numbers only) through its outbox; eligibility's consumer records them and the bulk run issues
お知らせ to the registered members and 資格確認書 to the others (also to the one nobody reported).
Then a registration is cancelled on the side: the next fetch publishes that one change only, and
the next bulk run issues that member a 資格確認書 and nothing else; a run after it issues nothing.
No individual number or integrated addressee number reaches the topic or eligibility."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from kokuho.eligibility import bootstrap as eligibility_bootstrap
from kokuho.eligibility import config as eligibility_config
from kokuho.events.individual_numbers import check_digit
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import read_topic
from kokuho.linkage_gateway import bootstrap as gateway_bootstrap
from kokuho.linkage_gateway import config as gateway_config
from kokuho.linkage_gateway.commands import fetch_card_states_command
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import (
    OwnTopics,
    database_text,
    eventually,
    migrated_database,
    serving,
    simulator_process,
    staff_headers,
)
from kokuho.platform.token import PrivateKey, new_private_key

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DOC, NOTICE = "eligibility_confirmation_document", "eligibility_information_notice"


def headers(key: PrivateKey, user: str, *roles: str) -> dict[str, str]:
    return staff_headers(key, user, *roles, terminal_id="T-E2E")


@pytest.fixture
def online_qualification_url() -> Iterator[str]:
    """The intermediate-server simulator (it also plays the online-qualification side)."""
    with simulator_process(
        ROOT / "services/linkage-gateway/simulators", "kokuho.linkage_simulators",
        "intermediate-server",
    ) as url:  # fmt: skip
        yield url


def a_number() -> str:
    """A synthetic individual number (our own generator's check digit)."""
    first = f"{random.randrange(10**10, 10**11)}"
    return first + str(check_digit(first))


def member(number: str, relationship: str, birth: str, moved_in: date) -> dict[str, Any]:
    return {
        "addressee_number": number,
        "reason": "moved_in",
        "fact_date": moved_in.isoformat(),
        "notification_date": moved_in.isoformat(),
        "relationship": relationship,
        "details": {
            "name": "試験　券子",
            "name_kana": "シケン　ケンコ",
            "sex": "female",
            "birth_date": birth,
            "postal_code": "730-0011",
            "address": "広島市中区基町1丁目1-1",
        },
    }


async def test_card_states_through_the_gateway_decide_the_certificates(
    pg_admin_dsn: str,
    kafka: KafkaConnection,
    own_topics: OwnTopics,
    tmp_path: Path,
    online_qualification_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key = new_private_key("ES256")
    verifier = TokenVerifier([key.public_key()])  # type: ignore[list-item]
    base = uuid.uuid4().int % 10**8
    head, spouse, child, elder = (f"5{base:08d}{i}" for i in range(1, 5))
    today = date.today()
    moved_in = today - timedelta(days=20)

    async with (
        migrated_database(
            pg_admin_dsn, ROOT / "services/eligibility/migrations"
        ) as eligibility_dsn,
        migrated_database(
            pg_admin_dsn, ROOT / "services/linkage-gateway/migrations"
        ) as gateway_dsn,
    ):
        eligibility_app = eligibility_bootstrap.build(
            eligibility_config.Settings(
                database_dsn=eligibility_dsn,
                kafka_bootstrap_servers=kafka.bootstrap_servers,
                turning_75_daily=False,
                resident_register_poll_seconds=None,
                print_dir=tmp_path / "print",
                **own_topics.eligibility(),
            ),
            token_verifier=verifier,
        )
        gateway_settings = gateway_config.Settings(
            database_dsn=gateway_dsn,
            kafka_bootstrap_servers=kafka.bootstrap_servers,
            key_directory=tmp_path / "keys",
            create_dev_keys=True,
            federation_outbox=tmp_path / "federation",
            intermediate_server_url=online_qualification_url,
            **own_topics.linkage_gateway(),
        )
        gateway_app = gateway_bootstrap.build(gateway_settings, token_verifier=verifier)
        clerk_a = headers(key, "clerk-a", "eligibility.clerk")
        clerk_b = headers(key, "clerk-b", "eligibility.clerk")
        batch = headers(key, "batch-1", "batch.operator")
        operator = headers(key, "op-1", "linkage.operator")

        async with (
            serving(eligibility_app, "eligibility") as eligibility,
            serving(gateway_app, "linkage-gateway") as gateway,
        ):
            # A household of four, insured (entered and confirmed by two clerks) ...
            r = await eligibility.post(
                "/api/v1/households",
                json={
                    "householder_addressee_number": head,
                    "members": [
                        member(head, "householder", "1975-05-05", moved_in),
                        member(spouse, "spouse", "1977-06-06", moved_in),
                        member(child, "child", "2010-07-07", moved_in),
                        member(elder, "parent", "1958-08-08", moved_in),
                    ],
                    "identity_verification": {"method": "mn_card"},
                },
                headers=clerk_a,
            )
            assert r.status_code == 201, r.text
            r = await eligibility.post(
                f"/api/v1/changes/{r.json()['change_id']}/confirm", headers=clerk_b
            )
            assert r.status_code == 200, r.text

            # ... whose individual numbers linkage-gateway holds (and only it).
            numbers = {who: a_number() for who in (head, spouse, child, elder)}
            integrated: dict[str, str] = {}
            for who, number in numbers.items():
                r = await gateway.post(
                    "/api/v1/individual-numbers",
                    json={"addressee_number": who, "individual_number": number},
                    headers=clerk_a,
                )
                assert r.status_code == 201, r.text
                r = await gateway.get(
                    f"/api/v1/persons/{who}/individual-number",
                    params={"affair": "nhi-eligibility"},
                    headers=operator,
                )
                assert r.status_code == 200, r.text
                integrated[who] = str(r.json()["integrated_addressee_number"])

            # The online-qualification side reports three of them; the elder has no report.
            await report(online_qualification_url, integrated[head], "registered", today)
            await report(online_qualification_url, integrated[spouse], "registered", today)
            await report(online_qualification_url, integrated[child], "not_registered", today)
            assert await fetch_card_states_command(gateway_settings, []) == 0
            assert "3 reported, 3 published" in capsys.readouterr().out

            await eventually(
                lambda: statuses_are(
                    eligibility,
                    clerk_a,
                    {head: "registered", spouse: "registered", child: "not_registered"},
                ),
                timeout=60,
                what="the card states recorded by eligibility",
            )
            r = await eligibility.get(f"/api/v1/persons/{elder}/certificate-basis", headers=clerk_a)
            assert r.status_code == 200, r.text
            assert (r.json()["card_status"], r.json()["kind"]) == (None, DOC)

            first = await bulk_run(eligibility, batch)
            assert (first["candidates"], first["issued"], first["refused"]) == (4, 4, 0)
            held = {who: await held_kinds(eligibility_dsn, who) for who in numbers}
            assert held == {head: {NOTICE}, spouse: {NOTICE}, child: {DOC}, elder: {DOC}}

            # Nothing changed on the side: the gateway publishes nothing new.
            assert await fetch_card_states_command(gateway_settings, []) == 0
            assert "0 published, 3 unchanged" in capsys.readouterr().out

            # The spouse's registration is cancelled: one news, and a 資格確認書 next run.
            await report(
                online_qualification_url, integrated[spouse], "registration_cancelled", today
            )
            assert await fetch_card_states_command(gateway_settings, []) == 0
            assert "1 published, 2 unchanged" in capsys.readouterr().out
            await eventually(
                lambda: statuses_are(eligibility, clerk_a, {spouse: "registration_cancelled"}),
                timeout=60,
                what="the cancellation recorded by eligibility",
            )
            r = await eligibility.get(
                f"/api/v1/persons/{spouse}/certificate-basis", headers=clerk_a
            )
            assert (r.json()["kind"], r.json()["reason"]) == (DOC, "registration_cancelled")
            second = await bulk_run(eligibility, batch)
            assert (second["issued"], second["kept"], second["refused"]) == (1, 3, 0)
            assert DOC in await held_kinds(eligibility_dsn, spouse)
            assert await held_kinds(eligibility_dsn, head) == {NOTICE}
            third = await bulk_run(eligibility, batch)
            assert (third["issued"], third["kept"]) == (0, 4)

            # Addressee numbers only on the topic and in eligibility.
            records = await read_topic(kafka, own_topics.linkage_events)
            published = [
                r.value for r in records if r.value and b"myna_insurance_card_status" in r.value
            ]
            assert len(published) == 4
            assert {r.key for r in records if r.value in published} == {
                head.encode(),
                spouse.encode(),
                child.encode(),
            }
            text = await database_text(eligibility_dsn)
            for secret in [*numbers.values(), *integrated.values()]:
                assert not any(secret.encode() in value for value in published)
                assert secret not in text


async def report(url: str, integrated: str, status: str, as_of: date) -> None:
    """The online-qualification side's state of one person (the simulator's control call)."""
    async with httpx.AsyncClient(timeout=10) as client:
        r = await client.put(
            f"{url}/simulator/card-states",
            json={
                "integrated_addressee_number": integrated,
                "status": status,
                "as_of": as_of.isoformat(),
            },
        )
    assert r.status_code == 204, r.text


async def statuses_are(
    eligibility: httpx.AsyncClient, clerk: dict[str, str], want: dict[str, str]
) -> bool:
    for who, status in want.items():
        r = await eligibility.get(f"/api/v1/persons/{who}/certificate-basis", headers=clerk)
        if r.status_code != 200 or r.json()["card_status"] != status:
            return False
    return True


async def bulk_run(eligibility: httpx.AsyncClient, batch: dict[str, str]) -> dict[str, Any]:
    r = await eligibility.post("/api/v1/jobs/certificates", headers=batch)
    assert r.status_code == 200, r.text
    run: dict[str, Any] = r.json()
    assert run["status"] == "done"
    return run


async def held_kinds(dsn: str, addressee: str) -> set[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT kind FROM certificates WHERE addressee_number = $1 AND collected_date IS NULL",
            addressee,
        )
    finally:
        await conn.close()
    return {r[0] for r in rows}
