"""Audited requests under open-loop load (issues 9 and 15): does an audited request wait on
another's open transaction?

An eligibility service is started as operators start it (`python -m kokuho.eligibility migrate`,
`seed`, `serve` in their own processes, on a database and topics of the bench's own), then
requests arrive at a fixed rate whatever the answers (open loop: each latency is counted from
the moment the request was due, so a stalled server cannot hide its queue). Measured:

- audited reads `GET /api/v1/households/{n}` at 100 and 200 req/s, against the same app's
  `/healthz` at the same rate (the baseline: same process, same client, no audit, no database);
- audited writes `POST /api/v1/households` (a counter registration entered for a second clerk)
  at 50 req/s;
- the sealing lag of the records those requests appended (`sealed_at - appended_at`, ADR 0006).

Goals (issue 15): read p99 <= 20 ms at 200 req/s, write p99 <= 50 ms at 50 req/s, read
throughput >= 0.5x /healthz, sealed within 1 s at p99.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient

from bench.infra import ROOT, grant_bench_topics, kafka_as, user_env
from bench.load import LoadResult, closed_loop, open_loop, percentile, request_bytes
from bench.process_cpu import cpu_seconds, postgres_cpu_seconds
from bench.report import Goal, Row
from kokuho.events.runtime.access import revoke
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.topics import (
    TopicSpec,
    ensure_topics,
    with_dead_letters,
)
from kokuho.platform.audit import AuditKey
from kokuho.platform.testing import free_port
from kokuho.platform.token import dev_issuer_key, dev_issuer_public_key_path, mint_token

CLERK = "eligibility.clerk"
TERMINAL = "t-bench"
#: The other services' topics eligibility consumes (settings ``<name>_topic``).
CONSUMED = ("benefits", "delinquency", "assessment", "collection")


def service_env(
    dsn: str, port: int, user: KafkaConnection, key_path: Path, run: str
) -> dict[str, str]:
    """The service's environment; it connects to the broker as eligibility's own ``user``."""
    prefix = "KOKUHO_ELIGIBILITY_"
    own = {k: v for k, v in os.environ.items() if not k.startswith("KOKUHO_")}
    return own | {
        f"{prefix}DATABASE_DSN": dsn,
        **user_env(prefix, user),
        f"{prefix}HTTP_PORT": str(port),
        f"{prefix}AUTH_PUBLIC_KEY_PATH": str(dev_issuer_public_key_path()),
        f"{prefix}ALLOWED_TERMINAL_IDS": TERMINAL,
        f"{prefix}AUDIT_KEY_PATH": str(key_path),
        f"{prefix}EVENTS_TOPIC": f"bench.{run}.eligibility.events",
        f"{prefix}PERSONAL_DETAILS_TOPIC": f"bench.{run}.eligibility.personal-details",
        f"{prefix}LINKAGE_TOPIC": f"bench.{run}.linkage-gateway.events",
        # The topics it consumes, the bench's own (empty): not the demo's real ones.
        **{f"{prefix}{other.upper()}_TOPIC": f"bench.{run}.{other}.events" for other in CONSUMED},
        f"{prefix}CONSUMER_GROUP_PREFIX": f"bench-{run}",
        f"{prefix}TURNING_75_DAILY": "false",
        f"{prefix}SEED_HOUSEHOLDS": "300",
        f"{prefix}LOG_LEVEL": "WARNING",
    }


def command(step: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kokuho.eligibility", step],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"eligibility {step} failed:\n{done.stdout}\n{done.stderr}")


@asynccontextmanager
async def eligibility_service(
    admin_dsn: str,
    kafka: KafkaConnection,
    served: tuple[str, ...] = ("-m", "kokuho.eligibility", "serve"),
) -> AsyncIterator[tuple[str, str, int]]:
    """(base URL, service DSN, pid of the served process) of an eligibility service on the
    bench's own database; ``served``: the arguments of the Python that serves it."""
    run = uuid.uuid4().hex[:10]
    name = f"kokuho_bench_{run}"
    host = urlsplit(admin_dsn).netloc.rsplit("@", 1)[-1]
    dsn = f"postgresql://{name}:{name}@{host}/{name}"
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        key_path = Path(tmp) / "audit.key"
        key_path.write_text(AuditKey.generate().secret.hex())
        key_path.chmod(0o600)
        user = kafka_as("eligibility", bootstrap=kafka.bootstrap_servers)
        env = service_env(dsn, port, user, key_path, run)
        # The bench's own topics, made as the operators' migrate makes the contract's: without
        # them the relay retried the seed's events every 100 ms throughout (CPU taken from the
        # requests measured) and the service took over 30 s to stop.
        topics = with_dead_letters(
            [
                TopicSpec(env["KOKUHO_ELIGIBILITY_EVENTS_TOPIC"]),
                TopicSpec(env["KOKUHO_ELIGIBILITY_PERSONAL_DETAILS_TOPIC"], compacted=True),
                TopicSpec(env["KOKUHO_ELIGIBILITY_LINKAGE_TOPIC"]),
                *(TopicSpec(env[f"KOKUHO_ELIGIBILITY_{o.upper()}_TOPIC"]) for o in CONSUMED),
            ]
        )
        await ensure_topics(kafka, topics)
        # eligibility's user gets on the bench's topics what it has on the real ones (ADR 0086)
        grants = await grant_bench_topics(
            kafka,
            user,
            owned=[env[f"KOKUHO_ELIGIBILITY_{t}_TOPIC"] for t in ("EVENTS", "PERSONAL_DETAILS")],
            consumed=[env[f"KOKUHO_ELIGIBILITY_{o.upper()}_TOPIC"] for o in ("LINKAGE", *CONSUMED)],
            group_prefix=f"bench-{run}.eligibility.",
        )
        # migrate as the operator runs it: the superusers of PostgreSQL and of the broker
        command(
            "migrate",
            env
            | {
                "KOKUHO_PG_ADMIN_DSN": admin_dsn,
                "KOKUHO_ELIGIBILITY_KAFKA_USERNAME": kafka.username,
                "KOKUHO_ELIGIBILITY_KAFKA_PASSWORD": kafka.password,
            },
        )
        command("seed", env)
        log = (Path(tmp) / "serve.log").open("w")
        server = subprocess.Popen(  # noqa: ASYNC220 (started once, then only signalled)
            [sys.executable, *served],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            await wait_ready(base, server)
            yield base, dsn, server.pid
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                print("  (the service did not stop within 30 s of SIGTERM; killed)")
                server.kill()
                server.wait()
            log.close()
            tail = (Path(tmp) / "serve.log").read_text().splitlines()[-5:]
            if server.returncode not in (0, -signal.SIGTERM, -signal.SIGKILL):
                print("\n".join(tail))
            await drop(admin_dsn, name)
            await drop_topics(kafka, [t.name for t in topics])
            await revoke(kafka, grants)


def clerk_headers() -> dict[str, str]:
    """The bearer token of a clerk at the bench's terminal (the development issuer's key)."""
    token = mint_token(
        dev_issuer_key(),
        user_id="bench-clerk",
        roles=[CLERK],
        terminal_id=TERMINAL,
        audience="kokuho.eligibility",
    )
    return {"Authorization": f"Bearer {token}"}


async def seeded_households(dsn: str) -> list[str]:
    """The household numbers the service's seed made."""
    conn = await asyncpg.connect(dsn)
    try:
        return [r[0] for r in await conn.fetch("SELECT nhi_household_number FROM households")]
    finally:
        await conn.close()


async def with_cpu(pid: int, load: Awaitable[LoadResult]) -> LoadResult:
    """Run ``load``; print its line and the CPU a request of the served process and of
    PostgreSQL (where an audited read's cost goes: a ratio to /healthz's figure is bounded by
    them on a machine of two cores)."""
    server, postgres = cpu_seconds(pid), postgres_cpu_seconds()
    result = await load
    answered = max(1, len(result.latencies) + result.failed)
    server_us = (cpu_seconds(pid) - server) / answered * 1e6
    postgres_us = (postgres_cpu_seconds() - postgres) / answered * 1e6
    print(result.line(), flush=True)
    print(
        f"{'  CPU a request':<34} served process {server_us:6.0f} us, PostgreSQL"
        f" {postgres_us:6.0f} us, generator {result.generator_cost * 1e6:4.0f} us",
        flush=True,
    )
    return result


async def wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(300):
            if server.poll() is not None:
                raise SystemExit("the eligibility service stopped while starting")
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("the eligibility service did not become ready")


async def drop_topics(kafka: KafkaConnection, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        await admin.delete_topics(names)
    finally:
        await admin.close()


async def drop(admin_dsn: str, name: str) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for role in (f"{name}_audit_owner", name):
            await conn.execute(f'DROP ROLE IF EXISTS "{role}"')
    finally:
        await conn.close()


def registration(i: int, run: str) -> dict[str, Any]:
    """A move-in of one person, entered by a clerk (a counter change, audited, pending)."""
    addressee = f"98{int(run, 16) % 10_000:04d}{i:04d}"
    return {
        "householder_addressee_number": addressee,
        "members": [
            {
                "addressee_number": addressee,
                "reason": "moved_in",
                "fact_date": date.today().isoformat(),
                "notification_date": date.today().isoformat(),
                "relationship": "householder",
                "details": {
                    "name": "試験　太郎",
                    "name_kana": "シケン　タロウ",
                    "sex": "male",
                    "birth_date": "1980-04-01",
                    "address": "広島市中区試験町1-1",
                },
            }
        ],
        "identity_verification": {"method": "mn_card"},
    }


async def sealing_lag(dsn_admin: str, since: float) -> tuple[float, float, int]:
    """p50 and p99 (ms) of sealed_at - appended_at of the records appended since ``since``
    (epoch seconds), after waiting for the sealer to take them all."""
    conn = await asyncpg.connect(dsn_admin)
    try:
        for _ in range(100):
            if not await conn.fetchval("SELECT count(*) FROM audit.log WHERE seq IS NULL"):
                break
            await asyncio.sleep(0.1)
        rows = await conn.fetch(
            "SELECT extract(epoch FROM sealed_at - appended_at) * 1000 AS lag"
            " FROM audit.log WHERE appended_at >= to_timestamp($1) AND sealed_at IS NOT NULL",
            since,
        )
        unsealed = await conn.fetchval("SELECT count(*) FROM audit.log WHERE seq IS NULL")
    finally:
        await conn.close()
    lags = [float(r["lag"]) for r in rows]
    if not lags:
        return 0.0, 0.0, int(unsealed)
    return percentile(lags, 50), percentile(lags, 99), int(unsealed)


async def run(admin_dsn: str, kafka: KafkaConnection, seconds: float = 10.0) -> list[Row]:
    """Print each measurement as it is made; return the summary rows."""
    auth = clerk_headers()
    rows: list[Row] = []

    def show(result: LoadResult) -> LoadResult:
        print(result.line(), flush=True)
        return result

    async with eligibility_service(admin_dsn, kafka) as (base, dsn, pid):
        host = urlsplit(base).netloc
        database = dsn.rsplit("/", 1)[1]
        service_admin = admin_dsn.rsplit("/", 1)[0] + "/" + database
        households = await seeded_households(dsn)

        def read(i: int) -> bytes:
            path = f"/api/v1/households/{households[i % len(households)]}"
            return request_bytes("GET", path, host, auth)

        healthz = request_bytes("GET", "/healthz", host)
        # Warm up (first requests compile routes, fill the pool).
        await closed_loop(base, "warm-up", 1.0, read, connections=4)

        # Saturation throughput: audited reads against /healthz of the same process (closed
        # loop, 8 connections); the generator's own ceiling is printed beside each.
        sat_health = await with_cpu(
            pid,
            closed_loop(base, "max /healthz (closed loop)", seconds / 2, lambda i: healthz),
        )
        sat_read = await with_cpu(
            pid, closed_loop(base, "max audited GET (closed loop)", seconds / 2, read)
        )
        rows.append(
            Row(
                "REST audited GET throughput",
                sat_read.achieved,
                "req/s",
                baseline=sat_health.achieved,
                baseline_name="/healthz, same process",
                goal=Goal(">=", 0.5, on="ratio"),
                note=f"generator ceiling ~{1 / sat_health.generator_cost:,.0f} req/s",
            )
        )
        for rate in (100, 200):
            since = time.time()
            got = show(await open_loop(base, "audited GET /households/{n}", rate, seconds, read))
            p50, p99, left = await sealing_lag(service_admin, since)
            print(
                f"{'  sealing lag of those records':<34} p50 {p50:7.1f} ms p99 {p99:7.1f} ms"
                f" unsealed after: {left}"
            )
            base_got = show(
                await open_loop(base, "baseline /healthz", rate, seconds, lambda i: healthz)
            )
            rows.append(
                Row(
                    f"REST audited GET p99 @{rate}/s",
                    got.ms(99),
                    "ms",
                    baseline=base_got.ms(99),
                    baseline_name=f"/healthz p99 @{rate}/s",
                    goal=Goal("<=", 20) if rate == 200 else None,
                    note=f"achieved {got.achieved:.0f}/s, failed {got.failed}",
                )
            )
            rows.append(
                Row(f"audit sealing lag p99 (GET @{rate}/s)", p99, "ms", goal=Goal("<=", 1000))
            )
        run_id = uuid.uuid4().hex[:6]
        since = time.time()

        def write(i: int) -> bytes:
            headers = auth | {"Idempotency-Key": f"bench-{run_id}-{i}"}
            return request_bytes(
                "POST", "/api/v1/households", host, headers, registration(i, run_id)
            )

        got = show(
            await open_loop(base, "audited POST /households", 50, seconds, write, frozenset({201}))
        )
        p50, p99, left = await sealing_lag(service_admin, since)
        print(
            f"{'  sealing lag of those records':<34} p50 {p50:7.1f} ms p99 {p99:7.1f} ms"
            f" unsealed after: {left}"
        )
        rows.append(
            Row(
                "REST audited POST p99 @50/s",
                got.ms(99),
                "ms",
                goal=Goal("<=", 50),
                note=f"achieved {got.achieved:.0f}/s, failed {got.failed}",
            )
        )
        rows.append(Row("audit sealing lag p99 (POST @50/s)", p99, "ms", goal=Goal("<=", 1000)))
    return rows


if __name__ == "__main__":
    from bench.infra import endpoints
    from bench.report import table

    print(table(asyncio.run(run(*endpoints(), float(sys.argv[1]) if len(sys.argv) > 1 else 10.0))))
