"""``python -m tests.faults`` (``make test-faults``): the fault suite of issue 17 (ADR 0098).

Options (environment): FAULTS_COMMANDS (20000), FAULTS_WORKERS (16), FAULTS_ROUNDS (3),
FAULTS_TARGETS (all; a comma-separated subset while working on one), FAULTS_DEADLINE_SECONDS
(2400: the load and the faults together, then the suite fails).
Exit status 0 when every check passed, 1 otherwise; figures on stdout and in
.local/faults/latest.json.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
import traceback
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

from kokuho.events.contracts import eligibility, linkage_gateway
from kokuho.platform.audit import dev_key_path
from kokuho.platform.token import dev_issuer_key
from tests.faults import checks
from tests.faults.chain import TARGETS, Chain, Fault
from tests.faults.cluster import ROOT, Broker, own_postgres
from tests.faults.load import Load, Refused

OUT = ROOT / ".local" / "faults"
RECOVERY_LIMIT = 120.0
SIGNALS = (signal.SIGKILL, signal.SIGTERM)
CONSUMED = [eligibility.EVENTS_TOPIC, linkage_gateway.TOPIC]
GROUPS = ("eligibility", "e-applications")  # assessment's subscriptions


def targets() -> list[str]:
    """FAULTS_TARGETS (comma-separated, for working on one target): every target by default."""
    named = [t for t in os.environ.get("FAULTS_TARGETS", "").split(",") if t]
    unknown = set(named) - set(TARGETS)
    if unknown:
        raise SystemExit(f"FAULTS_TARGETS: unknown {sorted(unknown)}; known: {', '.join(TARGETS)}")
    return named or list(TARGETS)


def shared_admin_dsn() -> str:
    """Only the credentials are taken (fresh_cluster moves the port): the suite never connects
    to the shared cluster."""
    try:
        return str(
            json.loads((ROOT / ".local/endpoints.json").read_text())["postgres"]["admin_dsn"]
        )
    except (OSError, ValueError, KeyError):
        return "postgresql://kokuho_admin:kokuho_admin@127.0.0.1:55432/postgres"


async def wait_for(what: str, probe, timeout: float) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while True:
        try:
            if await probe():
                return time.monotonic() - start
        except Exception:
            pass
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"{what}: not within {timeout:.0f}s")
        await asyncio.sleep(0.5)


class Suite:
    def __init__(self, chain: Chain, load: Load, commands: int, rounds: int) -> None:
        self.chain, self.load, self.commands, self.rounds = chain, load, commands, rounds
        self.targets = targets()
        self.faults: list[Fault] = []
        self.faults_done = False
        self.failures: list[str] = []

    async def worker(self, client: httpx.AsyncClient) -> None:
        while self.load.sent < self.commands or not self.faults_done:
            await self.load.household(client)

    async def injector(self, client: httpx.AsyncClient) -> None:
        try:
            while len(self.load.acked) < self.commands * 0.2:  # noqa: ASYNC110 - a count, polled
                await asyncio.sleep(0.5)
            for _ in range(self.rounds):
                for target in self.targets:
                    for sig in SIGNALS:
                        await self.inject(client, target, sig)
                        await asyncio.sleep(1.0)
        finally:
            self.faults_done = True

    async def inject(self, client: httpx.AsyncClient, target: str, sig: signal.Signals) -> None:
        fault = Fault(target, sig.name, progress=len(self.load.acked) / self.commands)
        self.faults.append(fault)
        await asyncio.to_thread(self.chain.hit, fault, sig)
        household = await self.load.canary(client)
        fault.acknowledged = time.monotonic() - fault.at
        try:
            await wait_for(
                f"recovery after {sig.name} to {target}",
                lambda: self.visible(household),
                timeout=300,
            )
            await wait_for("every API ready", self.chain.all_ready, timeout=300)
        except TimeoutError as exc:
            self.failures.append(str(exc))
        fault.recovery = time.monotonic() - fault.at
        print(f"  {fault.line()}", flush=True)

    async def visible(self, household: str) -> bool:
        conn = await asyncpg.connect(self.chain.assessment_dsn, timeout=5)
        try:
            return bool(
                await conn.fetchval(
                    "SELECT 1 FROM households WHERE nhi_household_number = $1", household
                )
            )
        finally:
            await conn.close()

    async def progress(self) -> None:
        start = time.monotonic()
        while not (self.faults_done and self.load.sent >= self.commands):
            await asyncio.sleep(15)
            rate = len(self.load.acked) / (time.monotonic() - start)
            print(
                f"  progress: {len(self.load.acked)} acknowledged, {self.load.attempts} requests,"
                f" {len(self.faults)} faults, {rate:.0f} commands/s",
                flush=True,
            )


async def drained(chain: Chain, groups: list[str]) -> bool:
    conn = await asyncpg.connect(chain.eligibility_dsn, timeout=5)
    try:
        if await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"):
            return False
    finally:
        await conn.close()
    for group in groups:
        if await checks.lag(
            chain.broker.connection(), group, CONSUMED[:1] if "elig" in group else CONSUMED[1:]
        ):
            return False
    return True


async def run(stack: ExitStack, work: Path) -> dict[str, object]:
    commands = int(os.environ.get("FAULTS_COMMANDS", "20000"))
    workers = int(os.environ.get("FAULTS_WORKERS", "16"))
    rounds = int(os.environ.get("FAULTS_ROUNDS", "3"))
    # a chain that never recovers must not hold CI until its job is killed
    deadline = float(os.environ.get("FAULTS_DEADLINE_SECONDS", "2400"))
    started = time.monotonic()
    print("[faults] starting PostgreSQL and Kafka of the suite's own", flush=True)
    key = dev_issuer_key(work / "issuer")
    dev_key_path(work / "audit")
    postgres = own_postgres(stack, shared_admin_dsn())
    broker = Broker(Path(tempfile.mkdtemp(prefix="kokuho-faults-kafka-")))
    stack.callback(shutil.rmtree, broker.directory, True)
    broker.prepare()
    broker.start()
    stack.callback(broker.stop)
    await broker.ready()
    await broker.provision()
    chain = Chain(work, postgres, broker, OUT / "logs")
    stack.callback(chain.stop)
    print("[faults] migrating and starting eligibility and assessment", flush=True)
    await asyncio.to_thread(chain.start)
    setup = time.monotonic() - started
    print(
        f"[faults] chain up in {setup:.0f}s; {commands} commands, {workers} workers,"
        f" {rounds} faults per target and signal on {', '.join(targets())}",
        flush=True,
    )
    load = Load(f"http://127.0.0.1:{chain.eligibility_port}", key, chain.today())
    suite = Suite(chain, load, commands, rounds)
    load_started = time.monotonic()
    async with httpx.AsyncClient(
        base_url=load.base_url, limits=httpx.Limits(max_connections=workers + 4)
    ) as client:
        watchdog = asyncio.create_task(chain.watch())
        reporter = asyncio.create_task(suite.progress())
        work = asyncio.gather(
            suite.injector(client), *(suite.worker(client) for _ in range(workers))
        )
        try:
            await asyncio.wait_for(work, timeout=deadline)
        except TimeoutError:
            suite.failures.append(f"the load and the faults did not finish within {deadline:.0f}s")
            print(f"[faults] FAILED: {suite.failures[-1]}", flush=True)
        except Refused as exc:
            suite.failures.append(f"a command was refused: {exc}")
            print(f"[faults] FAILED: a command was refused: {exc}", flush=True)
        finally:
            work.cancel()  # the other counters, when one was refused
            watchdog.cancel()
            reporter.cancel()
    load_seconds = time.monotonic() - load_started
    print("[faults] load done; waiting for the outbox and the consumers to drain", flush=True)
    groups = [f"kokuho.assessment.{g}" for g in GROUPS]
    drain = await wait_for("drain", lambda: drained(chain, groups), timeout=300)
    messages = await checks.read_topic(broker.connection(), eligibility.EVENTS_TOPIC)
    topic = checks.check_topic(load.acked, messages)
    expected_rows = checks.expected_members(load.acked, messages)
    live_rows = await checks.live_members(chain.assessment_dsn)
    entered = await checks.entries(chain.eligibility_dsn)
    acked_entries = [a.change_id for a in load.acked if not a.kind.startswith("confirm-")]
    print("[faults] replaying every consumed topic into a fresh assessment database", flush=True)
    replay_dsn, replay_seconds = await chain.replay(CONSUMED, GROUPS)
    live_dump = await checks.dump(chain.assessment_dsn)
    replay_dump = await checks.dump(replay_dsn)
    differing = sorted(
        t for t in live_dump.keys() | replay_dump.keys() if live_dump.get(t) != replay_dump.get(t)
    )
    recoveries = [f.recovery for f in suite.faults if f.recovery is not None]
    report: dict[str, object] = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commands_target": commands,
        "commands_sent": load.sent,
        "commands_acknowledged": len(load.acked),
        "http_requests": load.attempts,
        "refused": load.refused,
        "faults_injected": len(suite.faults),
        "faults": [f.as_dict() for f in suite.faults],
        "faults_by_target_and_signal": chain.counts(suite.faults),
        "unexpected_exits": chain.unexpected_exits,
        "events_expected": topic.expected,
        "events_found": topic.found,
        "lost": len(topic.lost)
        + len(expected_rows - live_rows)
        + len(set(acked_entries) - set(entered)),
        "duplicated": len(topic.duplicated)
        + len(entered)
        - len(set(entered))
        + len(set(entered) - set(acked_entries)),
        "unexpected_events": len(topic.unexpected),
        "redelivered_same_event_id": topic.redelivered,
        "out_of_order": len(topic.out_of_order),
        "read_model_rows_expected": len(expected_rows),
        "read_model_missing_or_wrong": sorted(map(str, expected_rows - live_rows))[:20],
        "read_model_unexpected": sorted(map(str, live_rows - expected_rows))[:20],
        "entries_acknowledged": len(acked_entries),
        "entries_recorded": len(entered),
        "details": {
            "lost_events": topic.lost[:20],
            "duplicated_events": topic.duplicated[:20],
            "unexpected_events": topic.unexpected[:20],
            "out_of_order": topic.out_of_order[:20],
        },
        "recovery_seconds_max": round(max(recoveries), 1) if recoveries else None,
        "recovery_seconds_median": round(statistics.median(recoveries), 1) if recoveries else None,
        "recovery_seconds_max_by_target": {
            t: round(max(f.recovery or 0 for f in suite.faults if f.target == t), 1)
            for t in dict.fromkeys(f.target for f in suite.faults)
        },
        "replay_identical": not differing,
        "replay_tables": sorted(live_dump),
        "replay_differing_tables": differing,
        "replay_seconds": round(replay_seconds, 1),
        "drain_seconds": round(drain, 1),
        "setup_seconds": round(setup, 1),
        "load_seconds": round(load_seconds, 1),
        "total_seconds": round(time.monotonic() - started, 1),
    }
    failures = suite.failures + verdict(report, commands, rounds, recoveries)
    report["failures"] = failures
    report["passed"] = not failures
    return report


def verdict(
    report: dict[str, object], commands: int, rounds: int, recoveries: list[float]
) -> list[str]:
    out = []
    if int(report["commands_acknowledged"]) < commands:  # type: ignore[call-overload]
        out.append(f"only {report['commands_acknowledged']} commands acknowledged")
    if report["faults_injected"] != rounds * len(targets()) * len(SIGNALS):
        out.append(f"{report['faults_injected']} faults injected")
    for name in ("lost", "duplicated", "unexpected_events", "out_of_order"):
        if report[name]:
            out.append(f"{name}: {report[name]}")
    if report["read_model_unexpected"]:
        out.append("rows in assessment's read model no acknowledged command explains")
    if any(r > RECOVERY_LIMIT for r in recoveries):
        out.append(f"recovery over {RECOVERY_LIMIT:.0f}s: max {max(recoveries):.1f}s")
    if not report["replay_identical"]:
        out.append(f"replayed read models differ: {report['replay_differing_tables']}")
    if report["refused"]:
        out.append(f"{len(report['refused'])} commands refused")  # type: ignore[arg-type]
    return out


def print_report(report: dict[str, object]) -> None:
    print("\n[faults] figures")
    for key in (
        "commands_sent",
        "commands_acknowledged",
        "http_requests",
        "faults_injected",
        "faults_by_target_and_signal",
        "lost",
        "duplicated",
        "out_of_order",
        "unexpected_events",
        "redelivered_same_event_id",
        "unexpected_exits",
        "recovery_seconds_max",
        "recovery_seconds_median",
        "recovery_seconds_max_by_target",
        "replay_identical",
        "replay_tables",
        "drain_seconds",
        "replay_seconds",
        "load_seconds",
        "total_seconds",
    ):
        print(f"  {key}: {report[key]}")
    for failure in report["failures"]:  # type: ignore[attr-defined]
        print(f"  FAILED: {failure}")
    print(
        f"[faults] {'PASSED' if report['passed'] else 'FAILED'} (figures in {OUT / 'latest.json'})"
    )


def main() -> int:
    # the clients' own complaints while the broker is down are expected; the figures tell
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kokuho-faults-") as tmp, ExitStack() as stack:
        try:
            report = asyncio.run(run(stack, Path(tmp)))
        except (Exception, asyncio.CancelledError) as exc:
            report = {"passed": False, "failures": [f"the suite could not run: {exc!r}"]}
            traceback.print_exc()
            print(f"[faults] FAILED: {exc!r}", file=sys.stderr)
    (OUT / "latest.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    if "commands_sent" in report:
        print_report(report)
    return 0 if report.get("passed") else 1


if __name__ == "__main__":
    sys.exit(main())
