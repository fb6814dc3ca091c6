"""Event to effect under load (P8, issue 15): how long after a counter change is confirmed at
eligibility does assessment's re-assessment (`PremiumAssessed`) reach Kafka, while audited
counter reads run at 100 req/s?

An eligibility service and an assessment service are started as operators start them
(`migrate`, `seed`, `serve` in their own processes, on databases and topics of the bench's own;
eligibility seeds the demo's synthetic households, assessment learns them from eligibility's
topic and runs FY2026's 本算定 so that every later change is a correction). Then `changes`
counter changes are entered by one clerk and confirmed by another at a fixed rate, alternating
a loss (社保加入 of a member who is not the householder) and an acquisition (a birth into a seeded
household), while `GET /api/v1/households/{n}` runs open loop at 100 req/s. For each change the
time is taken from sending the confirmation until the household's `PremiumAssessed` is read
from assessment's topic by a consumer in this process. Goal: p99 <= 250 ms.

    uv run python -m bench.event_to_effect [--changes 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer

from bench.audited_requests import (
    CLERK,
    TERMINAL,
    drop,
    drop_topics,
    eligibility_service,
    wait_ready,
)
from bench.infra import ROOT, grant_bench_topics, kafka_as, user_env
from bench.load import open_loop, percentile, request_bytes
from bench.report import Goal, Row
from kokuho.events.contracts.assessment import income_facts_topic
from kokuho.events.runtime.access import revoke
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.topics import TopicSpec, ensure_topics, with_dead_letters
from kokuho.platform.audit import AuditKey
from kokuho.platform.testing import free_port
from kokuho.platform.token import dev_issuer_key, dev_issuer_public_key_path, mint_token

FISCAL_YEAR = 2026
PREMIUM_ASSESSED = "jp.kokuho.assessment.premium_assessed.v1"
IDENTITY = {"method": "mn_card"}


def assessment_env(
    dsn: str, port: int, user: KafkaConnection, key_path: Path, run: str, eligibility_topic: str
) -> dict[str, str]:
    """The service's environment; it connects to the broker as assessment's own ``user``."""
    prefix = "KOKUHO_ASSESSMENT_"
    own = {k: v for k, v in os.environ.items() if not k.startswith("KOKUHO_")}
    return own | {
        f"{prefix}DATABASE_DSN": dsn,
        **user_env(prefix, user),
        f"{prefix}HTTP_PORT": str(port),
        f"{prefix}AUTH_PUBLIC_KEY_PATH": str(dev_issuer_public_key_path()),
        f"{prefix}ALLOWED_TERMINAL_IDS": TERMINAL,
        f"{prefix}AUDIT_KEY_PATH": str(key_path),
        f"{prefix}EVENTS_TOPIC": f"bench.{run}.assessment.events",
        f"{prefix}ELIGIBILITY_TOPIC": eligibility_topic,
        f"{prefix}LINKAGE_TOPIC": f"bench.{run}.linkage-gateway.events",
        f"{prefix}CONSUMER_GROUP_PREFIX": f"bench-{run}",
        f"{prefix}LOG_LEVEL": "WARNING",
    }


def assessment_command(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "kokuho.assessment", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"assessment {args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@asynccontextmanager
async def assessment_service(
    admin_dsn: str, kafka: KafkaConnection, eligibility_topic: str
) -> AsyncIterator[tuple[str, str, dict[str, str]]]:
    """(base URL, service DSN, its environment) of an assessment service consuming
    ``eligibility_topic``, on a database and topics of the bench's own."""
    run = uuid.uuid4().hex[:10]
    name = f"kokuho_bench_{run}"
    host = urlsplit(admin_dsn).netloc.rsplit("@", 1)[-1]
    dsn = f"postgresql://{name}:{name}@{host}/{name}"
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        key_path = Path(tmp) / "audit.key"
        key_path.write_text(AuditKey.generate().secret.hex())
        key_path.chmod(0o600)
        user = kafka_as("assessment", bootstrap=kafka.bootstrap_servers)
        env = assessment_env(dsn, port, user, key_path, run, eligibility_topic)
        topics = with_dead_letters(
            [
                TopicSpec(env["KOKUHO_ASSESSMENT_EVENTS_TOPIC"]),
                TopicSpec(env["KOKUHO_ASSESSMENT_LINKAGE_TOPIC"]),
            ]
        )
        await ensure_topics(kafka, topics)
        events = env["KOKUHO_ASSESSMENT_EVENTS_TOPIC"]
        grants = await grant_bench_topics(
            kafka,
            user,
            owned=[events, income_facts_topic(events)],
            consumed=[eligibility_topic, env["KOKUHO_ASSESSMENT_LINKAGE_TOPIC"]],
            group_prefix=f"bench-{run}.assessment.",
        )
        # migrate as the operator runs it: the superusers of PostgreSQL and of the broker
        assessment_command(
            ["migrate"],
            env
            | {
                "KOKUHO_PG_ADMIN_DSN": admin_dsn,
                "KOKUHO_ASSESSMENT_KAFKA_USERNAME": kafka.username,
                "KOKUHO_ASSESSMENT_KAFKA_PASSWORD": kafka.password,
            },
        )
        log = (Path(tmp) / "serve.log").open("w")
        server = subprocess.Popen(  # noqa: ASYNC220 (started once, then only signalled)
            [sys.executable, "-m", "kokuho.assessment", "serve"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            await wait_ready(base, server)
            yield base, dsn, env
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()
            await drop(admin_dsn, name)
            await drop_topics(kafka, [t.name for t in topics])
            await revoke(kafka, grants)


async def fetch(dsn: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


async def wait_for_households(dsn: str, expected: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        (row,) = await fetch(dsn, "SELECT count(*) AS n FROM households")
        if row["n"] >= expected:
            return
        await asyncio.sleep(0.5)
    raise SystemExit(f"assessment did not learn the {expected} households within {timeout:.0f} s")


class Arrivals:
    """Records of ``types`` (None: any) on ``topic``, read as they come: key -> times."""

    def __init__(
        self, kafka: KafkaConnection, topic: str, types: frozenset[str] | None = None
    ) -> None:
        self.consumer = AIOKafkaConsumer(
            topic, **kafka.client_options(), auto_offset_reset="latest", group_id=None
        )
        self.types = types
        self.seen: dict[str, list[float]] = {}
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Arrivals:
        await self.consumer.start()
        await self.consumer.seek_to_end()
        self.task = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.task is not None
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.consumer.stop()

    async def _read(self) -> None:
        async for record in self.consumer:
            now = time.perf_counter()
            if record.value is None:
                continue
            envelope = json.loads(record.value)
            if record.key is not None and (
                self.types is None or envelope.get("type") in self.types
            ):
                self.seen.setdefault(record.key.decode(), []).append(now)

    def first_after(self, household: str, since: float) -> float | None:
        return next((t for t in self.seen.get(household, []) if t >= since), None)


def stages(figures: list[float]) -> str:
    """p50/p95/p99/max of one stage of the changes (ms), to see where the tail is."""
    if not figures:
        return "none measured"
    marks = " ".join(f"p{q} {percentile(figures, q):.0f}" for q in (50, 95, 99))
    return f"{len(figures)} changes: {marks} max {max(figures):.0f} ms"


def changes_of(rows: list[asyncpg.Record], count: int, run: str) -> list[dict[str, Any]]:
    """Alternating losses (a member who is not the householder) and births, one a household."""
    today = date.today().isoformat()
    losses = [r for r in rows if r["relationship"] != "householder"]
    households = sorted({r["nhi_household_number"] for r in rows})
    planned: list[dict[str, Any]] = []
    used: set[str] = set()
    while len(planned) < count:
        if len(planned) % 2 == 0:
            while losses and losses[-1]["nhi_household_number"] in used:
                losses.pop()
            if not losses:
                break
            r = losses.pop()
            used.add(r["nhi_household_number"])
            body = {
                "addressee_number": r["addressee_number"],
                "reason": "joined_employee_insurance",
                "fact_date": today,
                "notification_date": today,
                "identity_verification": IDENTITY,
            }
            planned.append({"household": r["nhi_household_number"], "kind": "losses", "body": body})
            continue
        free = [h for h in households if h not in used]
        if not free:
            break
        household = free[0]
        used.add(household)
        baby = f"97{int(run, 16) % 10_000:04d}{len(planned):04d}"
        body = {
            "member": {
                "addressee_number": baby,
                "reason": "birth",
                "fact_date": today,
                "notification_date": today,
                "relationship": "child",
                "details": {
                    "name": "試験　次郎",
                    "name_kana": "シケン　ジロウ",
                    "sex": "male",
                    "birth_date": today,
                    "address": "広島市中区試験町1-1",
                },
            },
            "identity_verification": IDENTITY,
        }
        planned.append({"household": household, "kind": "acquisitions", "body": body})
    return planned


async def run(
    admin_dsn: str, kafka: KafkaConnection, changes: int = 200, rate: float = 10.0
) -> list[Row]:
    key = dev_issuer_key()

    def token(user: str, roles: list[str], audience: str) -> dict[str, str]:
        minted = mint_token(key, user_id=user, roles=roles, terminal_id=TERMINAL, audience=audience)
        return {"Authorization": f"Bearer {minted}"}

    clerk_a = token("bench-clerk-a", [CLERK], "kokuho.eligibility")
    clerk_b = token("bench-clerk-b", [CLERK], "kokuho.eligibility")
    async with eligibility_service(admin_dsn, kafka) as (base, dsn, _):
        run_id = dsn.rsplit("/", 1)[1].removeprefix("kokuho_bench_")
        eligibility_topic = f"bench.{run_id}.eligibility.events"  # eligibility_service's naming
        rows = await fetch(
            dsn,
            "SELECT nhi_household_number, addressee_number, relationship"
            " FROM qualification_periods WHERE open ORDER BY period_id",
        )
        households = sorted({r["nhi_household_number"] for r in rows})
        async with assessment_service(admin_dsn, kafka, eligibility_topic) as (_, a_dsn, env):
            await wait_for_households(a_dsn, len(households))
            assessment_command(["annual-run", str(FISCAL_YEAR)], env)
            topic = env["KOKUHO_ASSESSMENT_EVENTS_TOPIC"]
            planned = changes_of(rows, changes, run_id)
            host = urlsplit(base).netloc

            def read(i: int) -> bytes:
                path = f"/api/v1/households/{households[i % len(households)]}"
                return request_bytes("GET", path, host, clerk_a)

            latencies: list[float] = []
            missing = 0
            async with (
                Arrivals(kafka, topic, frozenset({PREMIUM_ASSESSED})) as arrivals,
                # where the time goes: the change's own event on eligibility's topic
                Arrivals(kafka, eligibility_topic) as published,
                httpx.AsyncClient(base_url=base, timeout=30) as client,
            ):
                await asyncio.sleep(1.0)  # the consumer is at the end of the topic
                load_seconds = len(planned) / rate + 5
                load = asyncio.create_task(
                    open_loop(base, "audited GET /households/{n}", 100, load_seconds, read)
                )
                sent: list[tuple[str, float]] = []
                answered: list[float] = []

                async def one(change: dict[str, Any]) -> None:
                    entered = await client.post(
                        f"/api/v1/households/{change['household']}/{change['kind']}",
                        json=change["body"],
                        headers=clerk_a,
                    )
                    if entered.status_code != 201:
                        raise SystemExit(f"change refused: {entered.status_code} {entered.text}")
                    change_id = entered.json()["change_id"]
                    started = time.perf_counter()
                    confirmed = await client.post(
                        f"/api/v1/changes/{change_id}/confirm", headers=clerk_b
                    )
                    if confirmed.status_code != 200:
                        raise SystemExit(f"not confirmed: {confirmed.status_code} {confirmed.text}")
                    answered.append((time.perf_counter() - started) * 1000)
                    sent.append((change["household"], started))

                tasks = []
                for change in planned:
                    tasks.append(asyncio.create_task(one(change)))
                    await asyncio.sleep(1 / rate)
                await asyncio.gather(*tasks)
                reads = await load
                deadline = time.perf_counter() + 30
                while time.perf_counter() < deadline:
                    if all(arrivals.first_after(h, t) for h, t in sent):
                        break
                    await asyncio.sleep(0.1)
                on_kafka: list[float] = []
                assessing: list[float] = []
                for household, started in sent:
                    arrived = arrivals.first_after(household, started)
                    if arrived is None:
                        missing += 1
                    else:
                        latencies.append((arrived - started) * 1000)
                    event = published.first_after(household, started)
                    if event is not None:
                        on_kafka.append((event - started) * 1000)
                        if arrived is not None:
                            assessing.append((arrived - event) * 1000)
    print(reads.line(), flush=True)
    for stage, figures in (
        ("  confirmation answered", answered),
        ("  its event on eligibility's topic", on_kafka),
        ("  then PremiumAssessed on Kafka", assessing),
    ):
        print(f"{stage:<40} {stages(figures)}", flush=True)
    p50 = percentile(latencies, 50) if latencies else float("nan")
    p99 = percentile(latencies, 99) if latencies else float("nan")
    print(
        f"{'event to effect (confirm -> PremiumAssessed on Kafka)':<34} {len(sent)} changes"
        f" ({sum(1 for c in planned if c['kind'] == 'losses')} losses) at {rate:.0f}/s:"
        f" p50 {p50:.0f} ms p95 {percentile(latencies, 95) if latencies else float('nan'):.0f} ms"
        f" p99 {p99:.0f} ms max {max(latencies, default=float('nan')):.0f} ms;"
        f" missing after 30 s: {missing}",
        flush=True,
    )
    return [
        Row(
            "event to effect p99 (P8)",
            p99 if not missing else float("inf"),
            "ms",
            goal=Goal("<=", 250),
            note=(
                f"{len(sent)} confirmed changes at {rate:.0f}/s under audited GET @100/s"
                f" (achieved {reads.achieved:.0f}/s, p99 {reads.ms(99):.0f} ms); missing {missing}"
            ),
        )
    ]


if __name__ == "__main__":
    from bench.infra import endpoints
    from bench.report import table

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0, help="changes confirmed per second")
    args = parser.parse_args()
    print(table(asyncio.run(run(*endpoints(), args.changes, args.rate))))
