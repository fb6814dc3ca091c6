"""The chain under test: eligibility's API, eligibility's outbox relay, assessment's API (its
own ``serve``, with assessment's relay) and assessment's consumer, each a process of its own,
on the suite's PostgreSQL and Kafka; the faults that hit them and the restarts that follow."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import httpx

from kokuho.platform.testing import free_port
from tests.faults import checks
from tests.faults.cluster import Broker, Postgres
from tests.faults.processes import GRACE_SECONDS, Process, migrate, service_env

TARGETS = (
    "eligibility-api",
    "eligibility-relay",
    "assessment-api",
    "assessment-consumer",
    "kafka",
    "postgres",
)
HOST = [sys.executable, "-m", "tests.faults.host"]


@dataclass
class Fault:
    target: str
    signal: str
    progress: float
    at: float = 0.0
    escalated: bool = False  # SIGTERM not obeyed within the grace period: SIGKILL followed
    down_seconds: float = 0.0  # until the process was gone
    acknowledged: float | None = None  # from the signal until the API acknowledged again
    recovery: float | None = None  # from the signal until the chain worked end to end again

    def line(self) -> str:
        extra = " (SIGKILL after the grace period)" if self.escalated else ""
        return (
            f"{self.signal} {self.target} at {self.progress:.0%}: gone after"
            f" {self.down_seconds:.1f}s{extra}, commands acknowledged again after"
            f" {self.acknowledged or 0:.1f}s, recovered end to end in {self.recovery or 0:.1f}s"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "target": self.target,
            "signal": self.signal,
            "progress": round(self.progress, 3),
            "escalated_to_sigkill": self.escalated,
            "down_seconds": round(self.down_seconds, 1),
            "acknowledged_again_seconds": round(self.acknowledged or 0, 1),
            "recovery_seconds": round(self.recovery or 0, 1),
        }


def database(admin_dsn: str, name: str) -> str:
    return urlunsplit(urlsplit(admin_dsn)._replace(path=f"/{name}"))


@dataclass
class Chain:
    work: Path
    postgres: Postgres
    broker: Broker
    logs: Path
    processes: dict[str, Process] = field(default_factory=dict)
    unexpected_exits: list[str] = field(default_factory=list)
    hitting: str | None = None

    @property
    def eligibility_dsn(self) -> str:
        return database(self.postgres.admin_dsn, "kokuho_eligibility")

    @property
    def assessment_dsn(self) -> str:
        return database(self.postgres.admin_dsn, "kokuho_assessment")

    @property
    def eligibility_port(self) -> int:
        return self.processes["eligibility-api"].port or 0

    @staticmethod
    def today() -> date:
        return datetime.now(ZoneInfo("Asia/Tokyo")).date()

    def env(self, service: str, port: int, **extra: str) -> dict[str, str]:
        return service_env(
            service,
            work=self.work,
            postgres=self.postgres,
            broker=self.broker,
            port=port,
            extra=extra,
        )

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        for old in self.logs.glob("*.log"):
            old.unlink()
        admin = self.broker.users["admin"]
        for service in ("eligibility", "assessment"):
            prefix = f"KOKUHO_{service.upper()}_"
            env = self.env(
                service,
                free_port(),
                **{f"{prefix}KAFKA_USERNAME": "admin", f"{prefix}KAFKA_PASSWORD": admin},
            )
            migrate(service, env, self.postgres.admin_dsn)
        ports = {name: free_port() for name in TARGETS[:4]}
        demo = {"KOKUHO_ASSESSMENT_DEMO_PARAMETERS": "true"}
        specs = {
            "eligibility-api": (
                [*HOST, "eligibility-api"],
                self.env("eligibility", ports["eligibility-api"]),
            ),
            "eligibility-relay": (
                [*HOST, "eligibility-relay"],
                self.env("eligibility", ports["eligibility-relay"]),
            ),
            "assessment-api": (
                [sys.executable, "-m", "kokuho.assessment", "serve"],
                self.env(
                    "assessment",
                    ports["assessment-api"],
                    **demo,
                    KOKUHO_ASSESSMENT_CONSUME_ELIGIBILITY="false",
                ),
            ),
            "assessment-consumer": (
                [*HOST, "assessment-consumer"],
                self.env("assessment", ports["assessment-consumer"], **demo),
            ),
        }
        for name, (argv, env) in specs.items():
            api = name != "eligibility-relay"
            self.processes[name] = Process(
                name, argv, env, self.logs / f"{name}.log", ports[name] if api else None
            )
            self.processes[name].start()
        for p in self.processes.values():
            p.wait_ready()

    def pid(self, target: str) -> int | None:
        if target == "kafka":
            return self.broker.pid()
        if target == "postgres":
            return self.postgres.pid()
        return self.processes[target].pid()

    def hit(self, fault: Fault, sig: signal.Signals) -> None:
        """Send ``sig`` to the target's process, wait until it is gone (SIGKILL after the grace
        period when SIGTERM is not obeyed), then start it again."""
        self.hitting = fault.target
        try:
            pid = self.pid(fault.target)
            if pid is None:
                raise RuntimeError(f"{fault.target} is not running when its fault is due")
            fault.at = time.monotonic()
            os.kill(pid, sig)
            if not self._gone(fault.target, GRACE_SECONDS if sig == signal.SIGTERM else 30):
                fault.escalated = True
                os.kill(pid, signal.SIGKILL)
                if not self._gone(fault.target, 30):
                    raise RuntimeError(f"{fault.target} (pid {pid}) survived SIGKILL")
            fault.down_seconds = time.monotonic() - fault.at
            self.restart(fault.target)
        finally:
            self.hitting = None

    def _gone(self, target: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pid(target) is None:
                return True
            time.sleep(0.1)
        return False

    def restart(self, target: str) -> None:
        if target == "kafka":
            self.broker.start()
        elif target == "postgres":
            self.postgres.start()
        else:
            self.processes[target].start()

    async def all_ready(self) -> bool:
        async with httpx.AsyncClient(timeout=5) as client:
            for p in self.processes.values():
                if p.port is not None and p.name != "assessment-replay":
                    r = await client.get(f"http://127.0.0.1:{p.port}/readyz")
                    if r.status_code != 200:
                        return False
        return True

    async def watch(self) -> None:
        """A process that exits without a fault is a finding: recorded, and started again."""
        while True:
            await asyncio.sleep(1)
            for name, p in self.processes.items():
                if name != self.hitting and p.popen is not None and p.popen.poll() is not None:
                    self.unexpected_exits.append(f"{name} exited {p.popen.returncode}")
                    print(f"  UNEXPECTED: {name} exited {p.popen.returncode}", flush=True)
                    p.start()

    def counts(self, faults: list[Fault]) -> dict[str, int]:
        return dict(sorted(Counter(f"{f.target} {f.signal}" for f in faults).items()))

    async def replay(self, topics: list[str], groups: tuple[str, ...]) -> tuple[str, float]:
        """A fresh assessment database fed by a consumer group of its own from the beginning
        of every topic assessment consumes; returns its DSN once the group has no lag."""
        started = time.monotonic()
        name = "kokuho_assessment_replay"
        port = free_port()
        env = self.env(
            "assessment",
            port,
            KOKUHO_ASSESSMENT_DEMO_PARAMETERS="true",
            KOKUHO_ASSESSMENT_CONSUMER_GROUP_PREFIX="kokuho.assessment.replay",
        )
        env["KOKUHO_ASSESSMENT_DATABASE_DSN"] = (
            f"postgresql://{name}:{name}@127.0.0.1:{self.postgres.port}/{name}"
        )
        migrate(
            "assessment",
            env
            | {
                "KOKUHO_ASSESSMENT_KAFKA_USERNAME": "admin",
                "KOKUHO_ASSESSMENT_KAFKA_PASSWORD": self.broker.users["admin"],
            },
            self.postgres.admin_dsn,
        )
        process = Process(
            "assessment-replay",
            [*HOST, "assessment-consumer"],
            env,
            self.logs / "assessment-replay.log",
            port,
        )
        process.start()
        try:
            process.wait_ready()
            deadline = time.monotonic() + 300
            while True:
                lags = [
                    await checks.lag(
                        self.broker.connection(), f"kokuho.assessment.replay.assessment.{g}", [t]
                    )
                    for g, t in zip(groups, topics, strict=True)
                ]
                if not any(lags):
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the replay did not catch up: lag {lags}")
                await asyncio.sleep(1)
        finally:
            process.stop()
        return database(self.postgres.admin_dsn, name), time.monotonic() - started

    def stop(self) -> None:
        for p in self.processes.values():
            p.stop()
