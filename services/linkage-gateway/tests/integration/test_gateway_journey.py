"""The gateway's own journey across the services, on the real PostgreSQL and Kafka (issue 4,
"Done when"):

a move-in at eligibility plus the individual number registered at the gateway → an
insured-change record sent to the federation simulator (KKH-IDO) → the federation's daily
continuation file (KKH-SKK) comes back, staff confirm the difference, and it reaches
eligibility as an event → an e-application signed under the test authority reaches assessment
without the number. Afterwards no 12-digit string with a valid check digit is found in any
database, on any topic the journey used, or in any log line: the number lives only sealed in
the vault.

Every topic and consumer group is the test's own (``own_topics``): a running demo neither takes
the journey's events nor leaves its data where the journey scans.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from kokuho.assessment import bootstrap as assessment_bootstrap
from kokuho.assessment import config as assessment_config
from kokuho.eligibility import bootstrap as eligibility_bootstrap
from kokuho.eligibility import config as eligibility_config
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import topic_text
from kokuho.linkage_gateway import bootstrap as gateway_bootstrap
from kokuho.linkage_gateway import config as gateway_config
from kokuho.linkage_gateway.adapters.federation_simulator import FederationSimulator
from kokuho.linkage_gateway.adapters.portal_simulator import (
    PortalSimulator,
    ResidentRecordSimulator,
)
from kokuho.linkage_gateway.adapters.signature import X509SignatureVerifier
from kokuho.linkage_gateway.app.ports import SignatureCheck, SignedApplication
from kokuho.linkage_gateway.synthetic import synthetic_number
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import (
    OwnTopics,
    captured_logs,
    database_text,
    eventually,
    individual_numbers_by_place,
    individual_numbers_in,
    migrated_database,
    serving,
    staff_headers,
)
from kokuho.platform.token import PrivateKey, new_private_key

from ..ca import CertificateAuthority

pytestmark = pytest.mark.integration

SERVICES = Path(__file__).resolve().parents[3]


class AuthorityVerifier:
    """The real X.509 verifier, trusting only the test authority (C-12)."""

    def __init__(self, authority: CertificateAuthority) -> None:
        self.authority = authority

    def verify(self, application: SignedApplication, at: datetime) -> SignatureCheck:
        return X509SignatureVerifier([self.authority.root], [self.authority.crl()]).verify(
            application, at
        )


def migrations(service: str) -> Path:
    return SERVICES / service / "migrations"


def headers(key: PrivateKey, user: str, *roles: str) -> dict[str, str]:
    return staff_headers(key, user, *roles, terminal_id="T-GW")


async def row(dsn: str, sql: str, *args: object) -> asyncpg.Record | None:
    conn = await asyncpg.connect(dsn)
    try:
        found: asyncpg.Record | None = await conn.fetchrow(sql, *args)
        return found
    finally:
        await conn.close()


def test_the_scan_finds_a_number_and_ignores_hashes_and_identifiers() -> None:
    number = synthetic_number(random.Random(7)).value
    assert individual_numbers_in(f'{{"n":"{number}"}}') == {number}
    assert individual_numbers_in(f"D,x,{number},") == {number}
    wrong = number[:11] + str((int(number[11]) + 1) % 10)
    assert individual_numbers_in(f" {wrong} ") == set()
    assert individual_numbers_in(f"'relativeCreated': 7486.{number}") == set()
    hashed = f"\\xab{number}cd{number}ef00"
    identifier = f"12345678-1234-1234-1234-{number}"
    assert individual_numbers_in(f"{hashed} {identifier}") == set()


async def test_move_in_federation_round_trip_and_e_application(
    pg_admin_dsn: str, kafka: KafkaConnection, own_topics: OwnTopics, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    key = new_private_key("ES256")
    verifier = TokenVerifier([key.public_key()])  # type: ignore[list-item]
    federation = FederationSimulator()
    portal, residents, authority = (
        PortalSimulator(),
        ResidentRecordSimulator(),
        CertificateAuthority(),
    )

    head = f"4{uuid.uuid4().int % 10**9:09d}"
    number = synthetic_number(random.Random()).value
    moved_in = date.today() - timedelta(days=3)

    with captured_logs() as logs:
        async with (
            migrated_database(
                pg_admin_dsn, SERVICES / "eligibility" / "migrations"
            ) as eligibility_dsn,
            migrated_database(
                pg_admin_dsn, SERVICES / "assessment" / "migrations"
            ) as assessment_dsn,
            migrated_database(
                pg_admin_dsn, SERVICES / "linkage-gateway" / "migrations"
            ) as gateway_dsn,
        ):
            eligibility_app = eligibility_bootstrap.build(
                eligibility_config.Settings(
                    database_dsn=eligibility_dsn,
                    kafka_bootstrap_servers=kafka.bootstrap_servers,
                    turning_75_daily=False,
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
                    federation_outbox=None,
                    **own_topics.linkage_gateway(),
                ),
                federation=federation,
                portal=portal,
                residents=residents,
                signatures=AuthorityVerifier(authority),
                token_verifier=verifier,
            )

            async with (
                serving(eligibility_app, "eligibility") as eligibility,
                serving(assessment_app, "assessment"),
                serving(gateway_app, "linkage-gateway") as gateway,
            ):
                # ② the individual number, registered at the gateway and only there.
                r = await gateway.post(
                    "/api/v1/individual-numbers",
                    json={"addressee_number": head, "individual_number": number},
                    headers=headers(key, "clerk-a", "eligibility.clerk"),
                )
                assert r.status_code == 201, r.text
                assert number not in r.text

                # ① the move-in, entered by one clerk and confirmed by another.
                r = await eligibility.post(
                    "/api/v1/households",
                    json={
                        "householder_addressee_number": head,
                        "members": [
                            {
                                "addressee_number": head,
                                "reason": "moved_in",
                                "fact_date": moved_in.isoformat(),
                                "notification_date": moved_in.isoformat(),
                                "relationship": "householder",
                                "details": {
                                    "name": "試験　一郎",
                                    "name_kana": "シケン　イチロウ",
                                    "sex": "male",
                                    "birth_date": "1985-06-06",
                                    "postal_code": "730-0011",
                                    "address": "広島市中区基町1丁目1-1",
                                    "phone": "082-000-0000",
                                },
                            }
                        ],
                        "identity_verification": {"method": "mn_card"},
                    },
                    headers=headers(key, "clerk-a", "eligibility.clerk"),
                )
                assert r.status_code == 201, r.text
                r = await eligibility.post(
                    f"/api/v1/changes/{r.json()['change_id']}/confirm",
                    headers=headers(key, "clerk-b", "eligibility.clerk"),
                )
                assert r.status_code == 200, r.text
                household = r.json()["nhi_household_number"]

                # ③ the insured change (with the names on the card) goes to the federation.
                change = await eventually(
                    lambda: row(
                        gateway_dsn,
                        "SELECT i.insured_number, c.name FROM insured_changes i"
                        " LEFT JOIN card_names c USING (addressee_number)"
                        " WHERE i.addressee_number = $1 AND c.name IS NOT NULL",
                        head,
                    ),
                    timeout=60.0,
                )
                insured = change["insured_number"]
                r = await gateway.post(
                    "/api/v1/federation/transmissions",
                    headers=headers(key, "batch-1", "batch.operator"),
                )
                assert r.status_code == 201, r.text
                sent = r.json()["transmission"]
                lines = federation.received[sent["file_name"]].decode().splitlines()
                mine = [line for line in lines if f",{head}," in line]
                assert len(mine) == 1
                fields = mine[0].split(",")
                assert fields[:5] == ["D", "acquired", head, household, insured]
                assert fields[8] == moved_in.isoformat()
                assert fields[11] == "試験　一郎"
                # S3: the file to the federation carries the number (KKH-IDO v3), put in by
                # the gateway as the file left; the ledger copy keeps only the mask.
                assert fields[12] == number
                assert individual_numbers_in("\n".join(lines)) == {number}
                ledger = await gateway.get(
                    "/api/v1/federation/transmissions",
                    headers=headers(key, "auditor-1", "auditor"),
                )
                assert sent["file_name"] in [t["file_name"] for t in ledger.json()["items"]]

                # ④ the federation simulator's daily file comes back, its record of the person
                # showing an earlier acquisition date;
                # nothing moves until staff confirm, then eligibility receives the event.
                federation_date = moved_in - timedelta(days=1)
                content = federation.continuation_file(
                    date.today(), federation_acquisition_dates={head: federation_date}
                )
                assert f"D,{head},{insured},{federation_date.isoformat()}," in content
                r = await gateway.post(
                    "/api/v1/federation/continuation-files",
                    json={"file_name": f"KKH-SKK-{suffix}.csv", "content": content},
                    headers=headers(key, "batch-1", "batch.operator"),
                )
                assert r.status_code == 201, r.text
                assert r.json()["differences"] == 1
                listing = await gateway.get(
                    "/api/v1/federation/differences",
                    headers=headers(key, "operator-1", "linkage.operator"),
                )
                (difference,) = [
                    d for d in listing.json()["items"] if d["addressee_number"] == head
                ]
                assert difference["kind"] == "acquisition-date"
                assert (
                    await row(
                        eligibility_dsn,
                        "SELECT 1 FROM federation_reviews WHERE addressee_number = $1",
                        head,
                    )
                    is None
                )
                r = await gateway.post(
                    f"/api/v1/federation/differences/{difference['id']}/confirmation",
                    headers=headers(key, "operator-1", "linkage.operator"),
                )
                assert r.status_code == 200, r.text
                review = await eventually(
                    lambda: row(
                        eligibility_dsn,
                        "SELECT kind, federation_acquisition_date, change_id"
                        " FROM federation_reviews WHERE addressee_number = $1",
                        head,
                    ),
                    timeout=60.0,
                )
                assert review["kind"] == "acquisition-date"
                assert review["federation_acquisition_date"] == federation_date
                # a pending ex officio correction for an eligibility clerk to confirm
                assert review["change_id"] is not None

                # ⑤ an e-application signed under the test authority reaches assessment.
                signer = authority.issue("resident")
                residents.by_serial[signer.serial] = head
                receipt = f"J{suffix}"
                portal.submit(
                    signer.sign(
                        receipt,
                        {
                            "individual_number": number,
                            "answers": {"fiscal_year": 2026, "no_income": True},
                        },
                    )
                )
                r = await gateway.post(
                    "/api/v1/e-applications/intake-runs",
                    headers=headers(key, "batch-1", "batch.operator"),
                )
                assert r.status_code == 201, r.text
                assert [(x["receipt_number"], x["status_code"]) for x in r.json()["results"]] == [
                    (receipt, "accepted")
                ]
                declared = await eventually(
                    lambda: row(
                        assessment_dsn,
                        "SELECT income_year, declaration_channel FROM incomes"
                        " WHERE addressee_number = $1 AND source = 'no_income_declaration'",
                        head,
                    ),
                    timeout=60.0,
                )
                assert declared["income_year"] == 2025
                assert declared["declaration_channel"] == "e_application"

            # The number exists nowhere but sealed in the vault: no valid 12-digit number at all
            # in any database, on any topic the journey used, or in the logs.
            places = {
                "eligibility database": await database_text(eligibility_dsn),
                "assessment database": await database_text(assessment_dsn),
                "linkage-gateway database": await database_text(gateway_dsn),
                "eligibility topic": await topic_text(kafka, own_topics.eligibility_events),
                "personal-details topic": await topic_text(kafka, own_topics.personal_details),
                "linkage-gateway topic": await topic_text(kafka, own_topics.linkage_events),
                # (the federation file itself is the one place the number goes: checked above)
                "logs": "\n".join(logs.lines),
            }
            assert head in places["eligibility database"]  # the scan does see the data
            assert head in places["assessment database"]
            assert head in places["linkage-gateway topic"]
            assert individual_numbers_by_place(places) == {}
            conn = await asyncpg.connect(gateway_dsn)
            try:
                sealed = await conn.fetchval(
                    "SELECT count(*) FROM integrated_addressee WHERE addressee_number = $1", head
                )
            finally:
                await conn.close()
            assert sealed == 1
