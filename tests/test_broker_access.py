"""The broker's access control on the real local broker (issue 16, ADR 0086): every client
authenticates as its own user, and the ACLs deploy/kafka_access.py derives from the transfer
registry and the services' topics are exactly what each user may do. A department's user reads
its feed and is refused (authorization error) on every other topic; a service cannot write
another service's topic."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)

from kokuho.events.runtime.access import bindings, granted
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.topics import TopicSpec, ensure_topics

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


kafka_access = _load("kafka_access", ROOT / "deploy/kafka_access.py")


@pytest.fixture(scope="module")
async def every_topic(kafka: KafkaConnection) -> list[str]:
    """Every topic the ACL source names (services' own and dead-letter topics, every feed),
    created when missing: a refusal must not be the answer for a topic that does not exist."""
    if kafka.security_protocol == "PLAINTEXT":
        pytest.fail("the tests' broker does not authenticate clients (a test container?)")
    names = {t.name for a in kafka_access.all_access(replicas=1) for t in a.owned}
    compacted = {
        t.name for a in kafka_access.all_access(replicas=1) for t in a.owned if t.compacted
    }
    names |= {t for d in kafka_access.all_departments() for t in d.feeds}
    await ensure_topics(
        kafka, [TopicSpec(n, 3, 1, compacted=n in compacted) for n in sorted(names)]
    )
    return sorted(names)


async def read(connection: KafkaConnection, topic: str, group: str) -> None:
    """Join ``group`` on ``topic``, fetch and commit: what a consumer does."""
    consumer = AIOKafkaConsumer(
        topic,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **connection.client_options(),
    )
    try:
        await consumer.start()
        await consumer.getmany(timeout_ms=500)
        await consumer.commit()
    finally:
        await consumer.stop()


async def refused_writes(connection: KafkaConnection, topics: list[str]) -> dict[str, str]:
    """Try to write one record to each topic; the outcome per topic (the refused ones say
    ``TopicAuthorizationFailedError``)."""
    producer = AIOKafkaProducer(**connection.client_options(), request_timeout_ms=10_000)
    await producer.start()

    async def attempt(topic: str) -> str:
        try:
            await producer.send_and_wait(topic, b"must not arrive", key=b"acl-test")
        except TopicAuthorizationFailedError:
            return "TopicAuthorizationFailedError"
        except Exception as exc:  # reported, and the assertion fails
            return f"{type(exc).__name__}: {exc}"
        return "written"

    try:
        outcomes = await asyncio.gather(*(attempt(t) for t in topics))
    finally:
        await producer.stop()
    return dict(zip(topics, outcomes, strict=True))


async def test_the_broker_holds_exactly_the_rules_of_the_source(
    kafka: KafkaConnection, every_topic: list[str]
) -> None:
    """What `make up` applied is what deploy/kafka_access.py derives: no rule missing, none
    more (on Kokuho's topics and groups; the tests' grants on their own topics aside)."""
    users = kafka_access.all_users()
    wanted = {b for u in users for b in bindings(f"User:{u.user}", u.rules())}
    principals = {f"User:{u.user}" for u in users}
    prefixes = ("kokuho.", *(u.group_prefix for u in users))
    held = {b for b in await granted(kafka) if b[3] in principals and b[1].startswith(prefixes)}
    assert held == wanted


def test_every_service_and_department_is_a_user_of_its_own() -> None:
    users = [u.user for u in kafka_access.all_users()]
    assert len(users) == len(set(users))
    assert {a.service for a in kafka_access.all_access()} <= set(users)
    departments = {d.department: d.feeds for d in kafka_access.all_departments()}
    # the registry's event feeds: the long-term-care division reads its eligibility feed and
    # its current-state companion
    assert departments["ltc-insurance-division"] == (
        "kokuho.feeds.ltc-insurance.eligibility",
        "kokuho.feeds.ltc-insurance.eligibility-state",
    )


async def test_a_client_without_a_valid_password_is_not_let_in(
    kafka_login: Callable[[str], KafkaConnection], every_topic: list[str]
) -> None:
    wrong = kafka_login("ltc-insurance-division").as_user("ltc-insurance-division", "wrong")
    with pytest.raises(KafkaConnectionError):  # authentication fails: no connection at all
        await read(wrong, every_topic[0], "ltc-insurance-division.acl-test")


async def test_a_department_reads_its_feed_and_is_refused_every_other_topic(
    kafka_login: Callable[[str], KafkaConnection], every_topic: list[str]
) -> None:
    departments = kafka_access.all_departments()
    assert departments, "the transfer registry names no event feed"
    for department in departments:
        user = kafka_login(department.user)
        group = f"{department.group_prefix}acl-test-{uuid.uuid4().hex[:8]}"
        for feed in department.feeds:
            await read(user, feed, group)  # no error: allowed, group and commit included
            with pytest.raises(GroupAuthorizationFailedError):
                await read(user, feed, f"kokuho.eligibility.acl-test-{uuid.uuid4().hex[:8]}")
        for topic in every_topic:
            if topic in department.feeds:
                continue
            with pytest.raises(TopicAuthorizationFailedError):
                await read(user, topic, group)
        # a reader only: not even its own feed can be written
        writes = await refused_writes(user, list(department.feeds))
        assert set(writes.values()) == {"TopicAuthorizationFailedError"}, writes


async def test_a_service_cannot_write_another_services_topic(
    kafka_login: Callable[[str], KafkaConnection], every_topic: list[str]
) -> None:
    every = kafka_access.all_access(replicas=1)
    for access in every:
        own = {t.name for t in access.owned} | set(access.dead_letters)
        others = [t for t in every_topic if t not in own]
        assert others
        writes = await refused_writes(kafka_login(access.user), others)
        assert set(writes.values()) == {"TopicAuthorizationFailedError"}, (access.user, writes)
