"""Changes from the resident register across the services, on the real PostgreSQL and Kafka,
with the register's feed as a real process (the simulator `make run` starts; issue 14).

A household of two is insured and assessed. The register's feed then reports the spouse's
death, a newcomer's move in and the death of someone NHI never knew: eligibility reads it
(``POST /jobs/resident-register``), the death becomes a pending ex officio loss that one clerk
confirms, assessment corrects the household's premium (PremiumAssessed, kind correction) and
linkage-gateway sends the loss in its federation file (KKH-IDO); the move in is a work-list
item due on the 14th day, the stranger a review. The same changes again (re-sent by the
register, and as a file) change nothing.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from kokuho.assessment import bootstrap as assessment_bootstrap
from kokuho.assessment import config as assessment_config
from kokuho.assessment.domain.income_file import COLUMNS
from kokuho.eligibility import bootstrap as eligibility_bootstrap
from kokuho.eligibility import config as eligibility_config
from kokuho.events.individual_numbers import check_digit
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import read_topic
from kokuho.linkage_gateway import bootstrap as gateway_bootstrap
from kokuho.linkage_gateway import config as gateway_config
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import (
    OwnTopics,
    eventually,
    migrated_database,
    serving,
    simulator_process,
    staff_headers,
)
from kokuho.platform.token import PrivateKey, new_private_key

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SIMULATORS = ROOT / "services/eligibility/simulators"


def headers(key: PrivateKey, user: str, *roles: str) -> dict[str, str]:
    return staff_headers(key, user, *roles, terminal_id="T-E2E")


@pytest.fixture
def register_url() -> Iterator[str]:
    """The resident-register simulator as `make run` starts it (python -m, its own process)."""
    with simulator_process(SIMULATORS, "kokuho.eligibility_simulators", "resident-register") as url:
        yield url


def a_number() -> str:
    """A synthetic individual number (our own generator's check digit)."""
    first = f"{random.randrange(10**10, 10**11)}"
    return first + str(check_digit(first))


def fiscal_year(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def member(number: str, relationship: str, birth: str, moved_in: date, name: str) -> dict[str, Any]:
    return {
        "addressee_number": number,
        "reason": "moved_in",
        "fact_date": moved_in.isoformat(),
        "notification_date": moved_in.isoformat(),
        "relationship": relationship,
        "details": {
            "name": name,
            "name_kana": "シケン　カゾク",
            "sex": "female",
            "birth_date": birth,
            "postal_code": "730-0011",
            "address": "広島市中区基町1丁目1-1",
        },
    }


async def test_a_death_from_the_register_is_confirmed_reassessed_and_sent(
    pg_admin_dsn: str,
    kafka: KafkaConnection,
    own_topics: OwnTopics,
    tmp_path: Path,
    register_url: str,
) -> None:
    key = new_private_key("ES256")
    verifier = TokenVerifier([key.public_key()])  # type: ignore[list-item]
    base = uuid.uuid4().int % 10**8
    head, spouse = f"4{base:08d}1", f"4{base:08d}2"
    newcomer, stranger = f"4{base:08d}3", f"4{base:08d}4"
    today = date.today()
    moved_in = today - timedelta(days=10)
    died = today - timedelta(days=1)
    year = fiscal_year(today)
    outbox = tmp_path / "federation"

    async with (
        migrated_database(
            pg_admin_dsn, ROOT / "services/eligibility/migrations"
        ) as eligibility_dsn,
        migrated_database(pg_admin_dsn, ROOT / "services/assessment/migrations") as assessment_dsn,
        migrated_database(
            pg_admin_dsn, ROOT / "services/linkage-gateway/migrations"
        ) as gateway_dsn,
    ):
        eligibility_app = eligibility_bootstrap.build(
            eligibility_config.Settings(
                database_dsn=eligibility_dsn,
                kafka_bootstrap_servers=kafka.bootstrap_servers,
                turning_75_daily=False,
                resident_register_url=register_url,
                resident_register_poll_seconds=None,  # read when the test asks
                **own_topics.eligibility(),
            ),
            token_verifier=verifier,
        )
        assessment_app = assessment_bootstrap.build(
            assessment_config.Settings(
                database_dsn=assessment_dsn,
                kafka_bootstrap_servers=kafka.bootstrap_servers,
                **own_topics.assessment(),
            ),
            token_verifier=verifier,
        )
        gateway_app = gateway_bootstrap.build(
            gateway_config.Settings(
                database_dsn=gateway_dsn,
                kafka_bootstrap_servers=kafka.bootstrap_servers,
                key_directory=tmp_path / "keys",
                create_dev_keys=True,
                federation_outbox=outbox,
                **own_topics.linkage_gateway(),
            ),
            token_verifier=verifier,
        )
        clerk_a = headers(key, "clerk-a", "eligibility.clerk")
        clerk_b = headers(key, "clerk-b", "eligibility.clerk")
        batch = headers(key, "batch-1", "batch.operator")

        async with (
            serving(eligibility_app, "eligibility") as eligibility,
            serving(assessment_app, "assessment") as assessment,
            serving(gateway_app, "linkage-gateway") as gateway,
        ):
            # A household of two, insured (C-11: entered and confirmed by two clerks) ...
            r = await eligibility.post(
                "/api/v1/households",
                json={
                    "householder_addressee_number": head,
                    "members": [
                        member(head, "householder", "1970-05-05", moved_in, "試験　一子"),
                        member(spouse, "spouse", "1972-06-06", moved_in, "試験　花子"),
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
            household = r.json()["nhi_household_number"]

            # ... and assessed on its income.
            lines = [
                ",".join(
                    [who, str(year - 1), birth, "1", "3000000", "2000000"] + ["0"] * 6 + ["taxable"]
                )
                for who, birth in ((head, "1970-05-05"), (spouse, "1972-06-06"))
            ]
            r = await assessment.post(
                "/api/v1/income-imports",
                json={
                    "file_name": "tax.csv",
                    "content": "\n".join([",".join(COLUMNS), *lines]) + "\n",
                },
                headers=batch,
            )
            assert r.status_code == 201, r.text

            async def assess() -> dict[str, Any] | None:
                response = await assessment.post(
                    "/api/v1/assessments",
                    json={"nhi_household_number": household, "fiscal_year": year},
                    headers=headers(key, "assessor-1", "assessment.clerk"),
                )
                return response.json() if response.status_code == 201 else None

            first = await eventually(assess, what="the household's first assessment")

            # The register's feed: a death, a move in, and a person NHI never knew.
            changes = [
                {
                    "change_id": f"E2E{base}D",
                    "kind": "death",
                    "addressee_number": spouse,
                    "fact_date": died.isoformat(),
                    "notified_date": today.isoformat(),
                },
                {
                    "change_id": f"E2E{base}M",
                    "kind": "moved_in",
                    "addressee_number": newcomer,
                    "fact_date": died.isoformat(),
                    "notified_date": today.isoformat(),
                    "household": {
                        "resident_household_number": f"9{base:08d}1",
                        "householder_addressee_number": newcomer,
                    },
                    "details": {
                        "name": "転入　次郎",
                        "name_kana": "テンニュウ　ジロウ",
                        "sex": "male",
                        "birth_date": "1990-01-01",
                        "address": "広島市南区架空町3-3",
                    },
                },
                {
                    "change_id": f"E2E{base}X",
                    "kind": "death",
                    "addressee_number": stranger,
                    "fact_date": died.isoformat(),
                    "notified_date": today.isoformat(),
                },
            ]
            async with httpx.AsyncClient(base_url=register_url, timeout=10) as register:
                for change in changes:
                    r = await register.post("/simulator/changes", json=change)
                    assert r.status_code == 201, r.text
                refused = await register.post(
                    "/simulator/changes",
                    json={**changes[0], "change_id": "E2E-NUMBER", "note": a_number()},
                )
                assert refused.status_code == 422  # the register sends no individual numbers

            r = await eligibility.post("/api/v1/jobs/resident-register", headers=batch)
            assert r.status_code == 200, r.text
            assert r.json()["counts"] == {"pending-change": 1, "work-item": 1, "review": 1}

            # The death is a pending ex officio loss; one clerk confirms it.
            r = await eligibility.get(
                f"/api/v1/resident-register/changes/E2E{base}D", headers=clerk_a
            )
            assert r.status_code == 200, r.text
            assert r.json()["outcome"] == "pending-change"
            assert r.json()["change_status"] == "pending"
            change_id = r.json()["change_id"]
            r = await eligibility.post(f"/api/v1/changes/{change_id}/confirm", headers=clerk_a)
            assert r.status_code == 200, r.text
            assert r.json()["status"] == "confirmed"
            lost = [x for x in r.json()["events"] if x["type"].endswith("qualification_lost.v1")]
            assert len(lost) == 1
            assert lost[0]["data"]["addressee_number"] == spouse
            assert lost[0]["data"]["loss_reason"] == "death"
            assert lost[0]["data"]["loss_date"] == today.isoformat()
            assert lost[0]["data"]["ex_officio"] is True
            assert lost[0]["data"]["entered_by"].startswith("resident-register:")
            assert lost[0]["data"]["confirmed_by"] == "clerk-a"

            # Assessment corrects the household's premium on the loss.
            def corrected(records: Any) -> bool:
                return any(
                    (e := json.loads(x.value))["data"].get("nhi_household_number") == household
                    and e["data"].get("kind") == "correction"
                    for x in records
                )

            records = await read_topic(
                kafka, own_topics.assessment_events, until=corrected, timeout=60
            )
            corrections = [
                e["data"]
                for x in records
                if (e := json.loads(x.value))["data"].get("nhi_household_number") == household
                and e["data"].get("kind") == "correction"
            ]
            assert corrections[-1]["revision"] == first["revision"] + 1
            assert corrections[-1]["annual_amount"] < first["annual_amount"]

            # linkage-gateway has the loss and sends it to the federation (KKH-IDO).
            async def loss_recorded() -> bool:
                conn = await asyncpg.connect(gateway_dsn)
                try:
                    return bool(
                        await conn.fetchval(
                            "SELECT count(*) FROM insured_changes"
                            " WHERE addressee_number = $1 AND change = 'lost'",
                            spouse,
                        )
                    )
                finally:
                    await conn.close()

            await eventually(loss_recorded, what="the loss at linkage-gateway")
            r = await gateway.post(
                "/api/v1/federation/transmissions",
                headers=headers(key, "batch-1", "batch.operator"),
            )
            assert r.status_code == 201, r.text
            sent = (outbox / r.json()["transmission"]["file_name"]).read_text(encoding="utf-8")
            loss_lines = [x for x in sent.splitlines() if x.startswith(f"D,lost,{spouse},")]
            assert len(loss_lines) == 1
            assert f",{today.isoformat()}," in loss_lines[0]

            # The move in is a work-list item due on the 14th day; the stranger is a review.
            r = await eligibility.get("/api/v1/resident-register/work-items", headers=clerk_b)
            work = [i for i in r.json()["items"] if i["addressee_number"] == newcomer]
            assert [(i["kind"], i["due_date"]) for i in work] == [
                ("moved_in", (died + timedelta(days=14)).isoformat())
            ]
            assert work[0]["register_details"]["details"]["name"] == "転入　次郎"
            r = await eligibility.get("/api/v1/resident-register/reviews", headers=clerk_b)
            reviews = [i for i in r.json()["items"] if i["addressee_number"] == stranger]
            assert [i["reason_code"] for i in reviews] == ["unknown-person"]

            # The same changes again: re-sent by the register, and as a file. Nothing changes.
            async def counts() -> tuple[int, int, int]:
                conn = await asyncpg.connect(eligibility_dsn)
                try:
                    events = await conn.fetchval("SELECT count(*) FROM events")
                    changes_ = await conn.fetchval("SELECT count(*) FROM changes")
                    items = await conn.fetchval("SELECT count(*) FROM resident_register_items")
                finally:
                    await conn.close()
                return int(events), int(changes_), int(items)

            before = await counts()
            async with httpx.AsyncClient(base_url=register_url, timeout=10) as register:
                for change in changes:
                    assert (
                        await register.post("/simulator/changes", json=change)
                    ).status_code == 201
            r = await eligibility.post("/api/v1/jobs/resident-register", headers=batch)
            assert r.status_code == 200, r.text
            assert r.json()["counts"] == {"duplicate": 3}
            file = "\n".join(json.dumps(c, ensure_ascii=False) for c in changes)
            r = await eligibility.post(
                "/api/v1/resident-register/files",
                json={"file_name": "register-day.jsonl", "content": file},
                headers=batch,
            )
            assert r.status_code == 201, r.text
            assert r.json()["counts"] == {"duplicate": 3}
            r = await eligibility.post("/api/v1/jobs/resident-register", headers=batch)
            assert r.json()["read"] == 0
            assert await counts() == before
            r = await eligibility.get("/api/v1/changes", headers=clerk_b)
            assert [c for c in r.json()["items"] if spouse in c.get("subjects", [])] == []
            r = await gateway.post(
                "/api/v1/federation/transmissions",
                headers=headers(key, "batch-1", "batch.operator"),
            )
            assert r.json() == {"sent": False, "transmission": None}


async def test_serve_reads_the_feed_on_its_own(
    pg_admin_dsn: str, kafka: KafkaConnection, own_topics: OwnTopics, register_url: str
) -> None:
    """As `make run` wires it: the URL set, eligibility reads the feed every few seconds."""
    key = new_private_key("ES256")
    verifier = TokenVerifier([key.public_key()])  # type: ignore[list-item]
    newcomer = f"5{uuid.uuid4().int % 10**9:09d}"
    day = date.today() - timedelta(days=1)
    async with migrated_database(
        pg_admin_dsn, ROOT / "services/eligibility/migrations"
    ) as eligibility_dsn:
        app = eligibility_bootstrap.build(
            eligibility_config.Settings(
                database_dsn=eligibility_dsn,
                kafka_bootstrap_servers=kafka.bootstrap_servers,
                turning_75_daily=False,
                resident_register_url=register_url,
                resident_register_poll_seconds=5,
                **own_topics.eligibility(),
            ),
            token_verifier=verifier,
        )
        async with serving(app, "eligibility") as eligibility:
            async with httpx.AsyncClient(base_url=register_url, timeout=10) as register:
                r = await register.post(
                    "/simulator/changes",
                    json={
                        "kind": "moved_in",
                        "addressee_number": newcomer,
                        "fact_date": day.isoformat(),
                        "notified_date": day.isoformat(),
                        "details": {
                            "name": "転入　三郎",
                            "name_kana": "テンニュウ　サブロウ",
                            "sex": "male",
                            "birth_date": "1991-03-03",
                            "address": "広島市東区架空町5-5",
                        },
                    },
                )
                assert r.status_code == 201, r.text

            async def listed() -> list[dict[str, Any]]:
                response = await eligibility.get(
                    "/api/v1/resident-register/work-items",
                    headers=headers(key, "clerk-a", "eligibility.clerk"),
                )
                return [i for i in response.json()["items"] if i["addressee_number"] == newcomer]

            (item,) = await eventually(listed, timeout=60, what="the feed read by serve")
            assert item["due_date"] == (day + timedelta(days=14)).isoformat()
