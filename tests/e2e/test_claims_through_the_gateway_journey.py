"""The federation's claims and carry-over list through linkage-gateway to a high-cost decision,
on the real PostgreSQL and Kafka (issue 11, ADR 0083, 0084).

The federation's monthly KKH-KGK list goes to the gateway, which publishes the carry-over on
its topic for benefits; the gateway fetches the month's KKH-RZP claims file from the federation
and hands it to benefits' ``POST /api/v1/claim-imports`` over HTTP as its own service
principal (benefits served on a real port, the gateway's key and benefits' principal list from
files, as ``make run`` and Kubernetes configure them). Benefits' monthly run then decides
255,600 yen (区分ウ, 多数回 after 3 months carried over: limit 44,400 on 300,000 borne),
publishes the payment and renders the notice. The same files again change nothing, and the
same month run again changes nothing. The gateway's identity is refused where benefits does
not list it.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from cryptography.hazmat.primitives import serialization

from kokuho.benefits import bootstrap as benefits_bootstrap
from kokuho.benefits import config as benefits_config
from kokuho.events.contracts import benefits as contracts
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import read_topic
from kokuho.linkage_gateway import bootstrap as gateway_bootstrap
from kokuho.linkage_gateway import config as gateway_config
from kokuho.linkage_gateway.adapters.federation_simulator import FederationSimulator
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.documents.checks import text_of
from kokuho.platform.service_identity import ServiceCredentials, ServicePrincipals
from kokuho.platform.testing import (
    OwnTopics,
    eventually,
    migrated_database,
    serving,
    serving_on_port,
)
from kokuho.platform.token import PrivateKey, mint_token, new_private_key

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
HOUSEHOLD, PERSON = "9920000301", "9910000301"
AUDIENCES = ["kokuho.benefits", "kokuho.linkage-gateway"]
CARRY_OVER = (
    f"H,KKH-KGK,1,2026-08-05,confirmed,2026-07\nD,{HOUSEHOLD},{PERSON},340001,3,2026-06\nT,1\n"
)
CLAIMS = (
    "H,KKH-RZP,1,2026-08-20,2026-08\n"
    f"D,R0301,2026-07,{HOUSEHOLD},{PERSON},U,0,1310000001,I,M,,,10,100000,1000000,300000\n"
    "T,1\n"
)
RATE = {
    "nhi_household_number": HOUSEHOLD,
    "income_year": 2024,
    "householder_tax_exempt": False,
    "members": [
        {
            "addressee_number": PERSON,
            "age_band": "under_70",
            "resident_tax_exempt": False,
            "old_proviso_income": 3_000_000,
        }
    ],
}
APPLICATION = {
    "nhi_household_number": HOUSEHOLD,
    "payee_addressee_number": PERSON,
    "bank_code": "0001",
    "branch_code": "001",
    "account_type": "ordinary",
    "account_number": "7654321",
    "holder_kana": "コクホ　タロウ",
}


def staff(key: PrivateKey, user: str, role: str) -> dict[str, str]:
    token = mint_token(key, user_id=user, roles=[role], terminal_id="T-E2E", audience=AUDIENCES)
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}


def gateway_identity(directory: Path) -> tuple[Path, Path, PrivateKey]:
    """The gateway's key pair and benefits' principal list, as files (run.sh's layout)."""
    key = new_private_key()
    directory.mkdir(parents=True, exist_ok=True)
    private = directory / "linkage-gateway.key"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (directory / "linkage-gateway.pem").write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    principals = directory / "benefits-principals.toml"
    principals.write_text(
        "[principals.linkage-gateway]\n"
        'public_key_path = "linkage-gateway.pem"\n'
        'permissions = ["benefits.claim-imports"]\n'
    )
    return private, principals, key


async def fetch(dsn: str, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def run_month(benefits: httpx.AsyncClient, key: PrivateKey) -> dict[str, Any]:
    started = await benefits.post(
        "/api/v1/monthly-runs",
        json={"treatment_month": "2026-07"},
        headers=staff(key, "batch-1", "batch.operator"),
    )
    assert started.status_code == 202, started.text

    async def finished() -> dict[str, Any] | None:
        status = await benefits.get(
            "/api/v1/monthly-runs/2026-07", headers=staff(key, "clerk-1", "benefits.clerk")
        )
        body: dict[str, Any] = status.json()
        return body if body["status"] == "finished" else None

    return await eventually(finished, what="the monthly run finished")


async def test_claims_and_a_carry_over_through_the_gateway_give_a_decision_payment_and_notice(
    pg_admin_dsn: str, kafka: KafkaConnection, own_topics: OwnTopics, tmp_path: Path
) -> None:
    key = new_private_key()
    service_key, principals, gateway_key = gateway_identity(tmp_path / "service-keys")
    async with (
        migrated_database(pg_admin_dsn, ROOT / "services/benefits/migrations") as b_dsn,
        migrated_database(pg_admin_dsn, ROOT / "services/linkage-gateway/migrations") as g_dsn,
    ):
        benefits_app = benefits_bootstrap.build(
            benefits_config.Settings(
                database_dsn=b_dsn,
                kafka_bootstrap_servers=kafka.bootstrap_servers,
                monthly_run_poll_seconds=0.2,
                **own_topics.benefits(),
            ),
            token_verifier=TokenVerifier(
                [key.public_key()],  # type: ignore[list-item]
                audience="kokuho.benefits",
                service_principals=ServicePrincipals.load(principals),
            ),
        )
        with serving_on_port(benefits_app, "benefits") as benefits_url:
            federation = FederationSimulator()
            federation.claims_files["2026-08"] = CLAIMS.encode()  # the federation's month
            gateway_app = gateway_bootstrap.build(
                gateway_config.Settings(
                    database_dsn=g_dsn,
                    kafka_bootstrap_servers=kafka.bootstrap_servers,
                    key_directory=tmp_path / "vault-keys",
                    create_dev_keys=True,
                    federation_outbox=None,
                    benefits_url=benefits_url,
                    service_key_path=service_key,
                    **own_topics.linkage_gateway(),
                ),
                federation=federation,
                token_verifier=TokenVerifier(
                    [key.public_key()],  # type: ignore[list-item]
                    audience="kokuho.linkage-gateway",
                ),
            )
            async with (
                serving(gateway_app, "linkage-gateway") as gateway,
                httpx.AsyncClient(base_url=benefits_url, timeout=60) as benefits,
            ):
                await journey(gateway, benefits, key, gateway_key, b_dsn, g_dsn, own_topics, kafka)


async def journey(
    gateway: httpx.AsyncClient,
    benefits: httpx.AsyncClient,
    key: PrivateKey,
    gateway_key: PrivateKey,
    b_dsn: str,
    g_dsn: str,
    own_topics: OwnTopics,
    kafka: KafkaConnection,
) -> None:
    clerk, batch = "benefits.clerk", "batch.operator"
    rated = await benefits.post(
        "/api/v1/copayment-rate-decisions", json=RATE, headers=staff(key, "clerk-1", clerk)
    )
    assert rated.status_code == 201, rated.text
    listed = await gateway.post(
        "/api/v1/federation/high-cost-carry-over-lists",
        json={"file_name": "KKH-KGK-202607.csv", "content": CARRY_OVER},
        headers=staff(key, "operator-1", batch),
    )
    assert listed.status_code == 201, listed.text
    applied = await benefits.post(
        "/api/v1/high-cost-applications", json=APPLICATION, headers=staff(key, "clerk-1", clerk)
    )
    assert applied.status_code == 201, applied.text
    await eventually(
        lambda: fetch(
            b_dsn, "SELECT 1 FROM carry_overs WHERE nhi_household_number = $1", HOUSEHOLD
        ),
        what="the carry-over list through the gateway's topic",
    )

    # The month's claims file fetched from the federation by the gateway and handed to
    # benefits, which takes it from the gateway's principal.
    forwarded = await gateway.post(
        "/api/v1/federation/claims-files/fetches",
        json={"processing_month": "2026-08"},
        headers=staff(key, "operator-1", batch),
    )
    assert forwarded.status_code == 201, forwarded.text
    delivery = forwarded.json()
    assert (delivery["status"], delivery["recipient"], delivery["month"]) == (
        "delivered",
        "benefits",
        "2026-08",
    )
    assert delivery["receipt"]["claims"] == 1
    assert len(await fetch(b_dsn, "SELECT * FROM claims")) == 1
    [imported] = await fetch(
        b_dsn,
        "SELECT user_id, terminal_id, outcome FROM audit_log"
        " WHERE operation = 'POST /api/v1/claim-imports'",
    )
    assert tuple(imported) == ("service:linkage-gateway", None, "allowed")
    [recorded] = await fetch(g_dsn, "SELECT status, received_by FROM claims_file_deliveries")
    assert tuple(recorded) == ("delivered", "operator-1")

    first = await run_month(benefits, key)
    assert (first["counts"]["decided"], first["counts"]["paid_amount"]) == (1, 255_600)
    decision = await benefits.get(
        f"/api/v1/households/{HOUSEHOLD}/high-cost-decisions/2026-07",
        headers=staff(key, "clerk-1", clerk),
    )
    assert (decision.json()["benefit"], decision.json()["many_times"]) == (255_600, True)
    paid = contracts.BenefitPaymentOrdered.event_type.encode()
    records = await read_topic(
        kafka,
        own_topics.benefits_events,
        until=lambda rs: any(paid in r.value for r in rs),
    )
    payments = [
        json.loads(r.value)["data"]
        for r in records
        if json.loads(r.value)["type"] == contracts.BenefitPaymentOrdered.event_type
    ]
    assert [p["amount"] for p in payments] == [255_600]
    notice = await benefits.get(
        f"/api/v1/households/{HOUSEHOLD}/high-cost-decisions/2026-07/notice",
        headers=staff(key, "clerk-1", clerk),
    )
    assert notice.headers["content-type"] == "application/pdf"
    assert "255,600円" in text_of(notice.content)

    # Again: the same files and the same month change nothing.
    events_before = await fetch(b_dsn, "SELECT count(*) FROM events")
    refetched = await gateway.post(
        "/api/v1/federation/claims-files/fetches",
        json={"processing_month": "2026-08"},
        headers=staff(key, "operator-1", batch),
    )
    assert refetched.status_code == 409, refetched.text
    again = await gateway.post(
        "/api/v1/federation/claims-files",
        json={"file_name": "KKH-RZP-202608-again.csv", "content": CLAIMS},
        headers=staff(key, "operator-1", batch),
    )
    assert again.status_code == 409, again.text
    assert again.json()["type"].endswith("claims-file-already-delivered")
    relisted = await gateway.post(
        "/api/v1/federation/high-cost-carry-over-lists",
        json={"file_name": "KKH-KGK-202607.csv", "content": CARRY_OVER},
        headers=staff(key, "operator-1", batch),
    )
    assert relisted.status_code == 409
    rerun = await run_month(benefits, key)
    assert (rerun["counts"]["decided"], rerun["counts"]["unchanged"]) == (0, 1)
    assert rerun["counts"]["payments"] == 0
    assert await fetch(b_dsn, "SELECT count(*) FROM events") == events_before
    assert len(await fetch(b_dsn, "SELECT * FROM claims")) == 1
    assert len(await fetch(b_dsn, "SELECT * FROM benefit_payments")) == 1

    # The gateway's identity is good for the claims file only: staff-only elsewhere.
    token = ServiceCredentials("linkage-gateway", gateway_key).token_for("benefits")
    refused = await benefits.post(
        "/api/v1/monthly-runs",
        json={"treatment_month": "2026-07"},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
    )
    assert refused.status_code == 403
