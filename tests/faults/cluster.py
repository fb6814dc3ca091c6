"""The suite's own PostgreSQL cluster and Kafka broker (never the shared ones from `make up`:
the suite kills both).

PostgreSQL: ``kokuho.platform.testing.fresh_cluster`` (deploy/local/postgres.sh with
KOKUHO_PG_DIR and a free KOKUHO_PG_PORT), restarted with the same script after a fault.
Kafka: deploy/local/kafka.sh keeps its state in .local/kafka and rewrites .local/endpoints.json,
both shared, so the broker is assembled here from the same pieces: the jars `make up` fetched,
deploy/local/kafka/server.properties.template, SCRAM users formatted into the storage and the
ACLs of deploy/kafka_access.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from kokuho.events.runtime.connection import KafkaConnection, connection_from_endpoints
from kokuho.events.runtime.topics import TopicSpec, ensure_topics
from kokuho.platform.testing import free_port, fresh_cluster

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "local"
KAFKA_LIBS = ROOT / ".local" / "kafka" / "libs"
#: the broker users the chain needs (the ACLs are applied for every user kafka_access names)
USERS = ("admin", "eligibility", "assessment")


def java_tool(*args: str, log: IO[str] | None = None) -> str:
    out = subprocess.run(
        [
            "java",
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={DEPLOY / 'kafka' / 'tools-log4j2.xml'}",
            "-cp",
            f"{KAFKA_LIBS}/*",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"kafka tool {args[0]} failed: {out.stdout}{out.stderr}")
    return out.stdout


@dataclass
class Broker:
    directory: Path
    port: int = field(default_factory=free_port)
    controller_port: int = field(default_factory=free_port)
    users: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def endpoints(self) -> dict[str, Any]:
        return {
            "bootstrap_servers": self.bootstrap,
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "SCRAM-SHA-512",
            "users": self.users,
        }

    def connection(self, user: str = "admin") -> KafkaConnection:
        return connection_from_endpoints(self.endpoints, user, where="the fault suite's broker")

    def prepare(self) -> None:
        if not any(KAFKA_LIBS.glob("kafka_*.jar")):
            raise RuntimeError(f"no Kafka jars in {KAFKA_LIBS}: run `make up` once first")
        self.users = {u: secrets.token_urlsafe(18) for u in USERS}
        data = self.directory / "data"
        data.mkdir(parents=True)
        template = (DEPLOY / "kafka" / "server.properties.template").read_text()
        values = {
            "KAFKA_PORT": str(self.port),
            "KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "KAFKA_DATA_DIR": str(data),
            "KAFKA_ADMIN_PASSWORD": self.users["admin"],
        }
        rendered = re.sub(r"@([A-Z_]+)@", lambda m: values.get(m.group(1), m.group(0)), template)
        unknown = {
            m
            for line in rendered.splitlines()
            if not line.startswith("#")
            for m in re.findall(r"@[A-Z_]+@", line)
        }
        if unknown:  # the template grew a setting this suite does not fill in yet
            raise RuntimeError(f"server.properties.template: unfilled {sorted(unknown)}")
        # a small broker: the suite makes a few dozen partitions, not the test suite's thousands
        (self.directory / "server.properties").write_text(rendered)
        scram = []
        for name, password in self.users.items():
            scram += ["--add-scram", f"SCRAM-SHA-512=[name={name},password={password}]"]
        cluster_id = java_tool("kafka.tools.StorageTool", "random-uuid").strip()
        java_tool(
            "kafka.tools.StorageTool",
            "format",
            "-t",
            cluster_id,
            "-c",
            str(self.directory / "server.properties"),
            *scram,
        )
        (self.directory / "endpoints.json").write_text(
            json.dumps({"kafka": self.endpoints, "postgres": {}, "services": {}})
        )

    def start(self) -> None:
        log = open(self.directory / "kafka.out", "ab")  # noqa: SIM115 - the child keeps it
        self.process = subprocess.Popen(
            [
                "java",
                "-Xms256m",
                "-Xmx512m",
                "-XX:+UseG1GC",
                "-XX:MaxGCPauseMillis=20",
                "-Djava.awt.headless=true",
                f"-Dkafka.logs.dir={self.directory / 'logs'}",
                f"-Dlog4j2.configurationFile={DEPLOY / 'kafka' / 'log4j2.xml'}",
                "-cp",
                f"{KAFKA_LIBS}/*",
                "kafka.Kafka",
                str(self.directory / "server.properties"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    async def ready(self, timeout: float = 120) -> None:
        from aiokafka.admin import AIOKafkaAdminClient

        deadline = time.monotonic() + timeout
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"Kafka exited; see {self.directory}/kafka.out")
            admin = AIOKafkaAdminClient(
                **self.connection().client_options(), request_timeout_ms=5000
            )
            try:
                await admin.start()
                await admin.list_topics()
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
            finally:
                await admin.close()
            await asyncio.sleep(0.5)

    async def provision(self) -> None:
        """Every Kokuho topic (as deploy/kafka_access.py derives them, one replica) and every
        user's ACLs, as `make up` gives the shared broker."""
        access = _kafka_access()
        specs = {
            t.name: TopicSpec(t.name, t.partitions, 1, compacted=t.compacted)
            for s in access.all_access(replicas=1)
            for t in s.owned
        }
        await ensure_topics(self.connection(), list(specs.values()))
        await access.apply(self.connection())

    def pid(self) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None
        return self.process.pid

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def _kafka_access() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("kafka_access", ROOT / "deploy/kafka_access.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["kafka_access"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@dataclass
class Postgres:
    """A cluster of the suite's own (fresh_cluster); its postmaster can be killed and started
    again with deploy/local/postgres.sh (same KOKUHO_PG_DIR and port)."""

    admin_dsn: str
    directory: Path

    @property
    def port(self) -> int:
        return urlsplit(self.admin_dsn).port or 0

    def pid(self) -> int | None:
        try:
            pid = int((self.directory / "data" / "postmaster.pid").read_text().split()[0])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            return None
        return pid

    def start(self) -> None:
        env = os.environ | {"KOKUHO_PG_DIR": str(self.directory), "KOKUHO_PG_PORT": str(self.port)}
        for _ in range(30):  # a killed postmaster's backends may hold the shared memory briefly
            done = subprocess.run(
                [str(DEPLOY / "postgres.sh"), "start"],
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            if done.returncode == 0:
                return
            time.sleep(1)
        raise RuntimeError(f"PostgreSQL did not start again: {done.stdout}{done.stderr}")


def own_postgres(stack: ExitStack, admin_dsn: str) -> Postgres:
    fresh = stack.enter_context(fresh_cluster(admin_dsn, label="faults"))
    directory = Path(
        subprocess.run(
            ["psql", fresh, "-XAtqc", "SHOW data_directory"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
    ).parent
    return Postgres(fresh, directory)
