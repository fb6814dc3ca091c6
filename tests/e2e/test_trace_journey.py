"""One trace from a counter request to every consumer, across real services (issue 17, ADR 0092).

A clerk confirms a move-in at eligibility's counter API with a caller's ``traceparent``. The
in-memory span exporter then holds, in that one trace: the confirm request's server span, the
relay's publish span for each event it caused, and a process span for every consumer group of
the running services (assessment, linkage-gateway, ...) subscribed to a topic the trace published
to — and so on down the chain, for what those consumers published in turn. Real PostgreSQL and
Kafka.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from opentelemetry.trace import SpanKind

from kokuho.assessment import bootstrap as assessment_bootstrap
from kokuho.assessment import config as assessment_config
from kokuho.eligibility import bootstrap as eligibility_bootstrap
from kokuho.eligibility import config as eligibility_config
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.linkage_gateway import bootstrap as gateway_bootstrap
from kokuho.linkage_gateway import config as gateway_config
from kokuho.linkage_gateway.synthetic import synthetic_number
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.service import ServiceKit
from kokuho.platform.telemetry import spans_in_memory
from kokuho.platform.testing import (
    OwnTopics,
    eventually,
    migrated_database,
    serving,
    staff_headers,
)
from kokuho.platform.token import PrivateKey, new_private_key

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
TRACE_ID = uuid.uuid4().hex
CALLER_SPAN = "a1b2c3d4e5f60718"


def headers(key: PrivateKey, user: str, *roles: str, **extra: str) -> dict[str, str]:
    return staff_headers(key, user, *roles, terminal_id="T-E2E", **extra)


def expected_groups(apps: list[FastAPI], topics: set[str]) -> set[str]:
    """The consumer groups of the running services that read any of ``topics``."""
    groups = set()
    for app in apps:
        kit = app.state.kit
        assert isinstance(kit, ServiceKit)
        eventing = kit.eventing
        assert eventing is not None
        for sub in eventing.subscriptions:
            if topics & set(sub.topics):
                groups.add(eventing.group_id(sub))
    return groups


async def test_a_confirmed_move_in_is_one_trace_to_every_consumer(
    pg_admin_dsn: str, kafka: KafkaConnection, own_topics: OwnTopics, tmp_path: Path
) -> None:
    key = new_private_key("ES256")
    verifier = TokenVerifier([key.public_key()])  # type: ignore[list-item]
    head = f"3{uuid.uuid4().int % 10**9:09d}"
    number = synthetic_number(random.Random()).value
    moved_in = date.today() - timedelta(days=3)

    with spans_in_memory() as exporter:
        async with (
            migrated_database(pg_admin_dsn, ROOT / "services/eligibility/migrations") as e_dsn,
            migrated_database(pg_admin_dsn, ROOT / "services/assessment/migrations") as a_dsn,
            migrated_database(pg_admin_dsn, ROOT / "services/linkage-gateway/migrations") as g_dsn,
        ):
            apps = [
                eligibility_bootstrap.build(
                    eligibility_config.Settings(
                        database_dsn=e_dsn,
                        kafka_bootstrap_servers=kafka.bootstrap_servers,
                        **own_topics.eligibility(),
                    ),
                    token_verifier=verifier,
                ),
                assessment_bootstrap.build(
                    assessment_config.Settings(
                        database_dsn=a_dsn,
                        kafka_bootstrap_servers=kafka.bootstrap_servers,
                        **own_topics.assessment(),
                    ),
                    token_verifier=verifier,
                ),
                gateway_bootstrap.build(
                    gateway_config.Settings(
                        database_dsn=g_dsn,
                        kafka_bootstrap_servers=kafka.bootstrap_servers,
                        key_directory=tmp_path / "keys",
                        create_dev_keys=True,
                        federation_outbox=None,
                        **own_topics.linkage_gateway(),
                    ),
                    token_verifier=verifier,
                ),
            ]
            async with (
                serving(apps[0], "eligibility") as eligibility,
                serving(apps[1], "assessment"),
                serving(apps[2], "linkage-gateway") as gateway,
            ):
                r = await gateway.post(
                    "/api/v1/individual-numbers",
                    json={"addressee_number": head, "individual_number": number},
                    headers=headers(key, "clerk-a", "eligibility.clerk"),
                )
                assert r.status_code == 201, r.text
                r = await eligibility.post(
                    "/api/v1/households",
                    json=move_in(head, moved_in),
                    headers=headers(key, "clerk-a", "eligibility.clerk"),
                )
                assert r.status_code == 201, r.text
                change = r.json()["change_id"]
                r = await eligibility.post(
                    f"/api/v1/changes/{change}/confirm",
                    headers=headers(
                        key,
                        "clerk-b",
                        "eligibility.clerk",
                        traceparent=f"00-{TRACE_ID}-{CALLER_SPAN}-01",
                    ),
                )
                assert r.status_code == 200, r.text

                def every_consumer() -> set[str] | None:
                    spans = in_trace(exporter)
                    published = {attribute(s, "messaging.destination.name") for s in publish(spans)}
                    expected = expected_groups(apps, published)
                    seen = {attribute(s, "messaging.consumer.group.name") for s in process(spans)}
                    # the chain's last link: linkage-gateway registers the replica and says so
                    # on its own topic, which the other services read in turn
                    done = own_topics.linkage_events in published
                    return expected if done and expected <= seen else None

                expected = await eventually(every_consumer, timeout=90)
            spans = in_trace(exporter)

    services = {group.split(".")[-2] for group in expected}
    assert {"assessment", "linkage-gateway"} <= services
    server = [s for s in spans if s.kind is SpanKind.SERVER]
    assert [s.name for s in server] == ["POST /api/v1/changes/{change_id}/confirm"]
    (request,) = server
    assert request.parent is not None
    assert f"{request.parent.span_id:016x}" == CALLER_SPAN
    # one tree: every span's parent is the caller's span or a span of the trace
    ids = {s.context.span_id for s in spans} | {int(CALLER_SPAN, 16)}
    orphans = [s.name for s in spans if s.parent is None or s.parent.span_id not in ids]
    assert orphans == []
    # the request's events are published and processed as its children; what a consumer
    # publishes in turn is the child of that consumer's process span
    origins = {request.context.span_id} | {s.context.span_id for s in process(spans)}
    for span in publish(spans) + process(spans):
        assert span.parent is not None
        assert span.parent.span_id in origins, span.name
    direct = {
        attribute(s, "messaging.consumer.group.name")
        for s in process(spans)
        if s.parent is not None and s.parent.span_id == request.context.span_id
    }
    assert {group.split(".")[-2] for group in direct} >= {"assessment", "linkage-gateway"}


def in_trace(exporter: Any) -> list[Any]:
    return [s for s in exporter.get_finished_spans() if s.context.trace_id == int(TRACE_ID, 16)]


def publish(spans: list[Any]) -> list[Any]:
    return [s for s in spans if s.kind is SpanKind.PRODUCER and s.name.endswith(" publish")]


def process(spans: list[Any]) -> list[Any]:
    return [s for s in spans if s.kind is SpanKind.CONSUMER and s.name.endswith(" process")]


def attribute(span: Any, name: str) -> str:
    return str((span.attributes or {})[name])


def move_in(head: str, moved_in: date) -> dict[str, Any]:
    return {
        "householder_addressee_number": head,
        "members": [
            {
                "addressee_number": head,
                "reason": "moved_in",
                "fact_date": moved_in.isoformat(),
                "notification_date": moved_in.isoformat(),
                "relationship": "householder",
                "details": {
                    "name": "試験　花子",
                    "name_kana": "シケン　ハナコ",
                    "sex": "female",
                    "birth_date": "1980-05-05",
                    "postal_code": "730-0011",
                    "address": "広島市中区基町1丁目1-1",
                    "phone": "082-000-0000",
                },
            }
        ],
        "identity_verification": {"method": "mn_card"},
    }
