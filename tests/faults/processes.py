"""The chain's processes, each started like `make run` starts a service (own session, environment
as deploy/local/run.sh gives it), and restarted after a fault as an orchestrator would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.faults.cluster import ROOT, Broker, Postgres

#: how long a SIGTERM'd process may take before SIGKILL (an orchestrator's grace period)
GRACE_SECONDS = 15.0


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def pid(self) -> int | None:
        if self.popen is None or self.popen.poll() is not None:
            return None
        return self.popen.pid

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen is not None and self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.popen.returncode}); see {self.log}")
            if self.port is None:
                return
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not come up within {timeout}s; see {self.log}")

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(10)


def service_env(
    service: str,
    *,
    work: Path,
    postgres: Postgres,
    broker: Broker,
    port: int,
    broker_user: str | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """What deploy/local/run.sh gives a service, on the suite's own cluster and broker."""
    prefix = f"KOKUHO_{service.upper().replace('-', '_')}_"
    db = f"kokuho_{service.replace('-', '_')}"
    user = broker_user or service
    base = {k: v for k, v in os.environ.items() if not k.startswith("KOKUHO_")}
    return base | {
        "KOKUHO_SERVICE_NAME": service,
        "KOKUHO_ENDPOINTS": str(broker.directory / "endpoints.json"),
        f"{prefix}HTTP_HOST": "127.0.0.1",
        f"{prefix}HTTP_PORT": str(port),
        f"{prefix}DATABASE_DSN": f"postgresql://{db}:{db}@127.0.0.1:{postgres.port}/{db}",
        f"{prefix}KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        f"{prefix}KAFKA_USERNAME": user,
        f"{prefix}KAFKA_PASSWORD": broker.users[user],
        f"{prefix}AUTH_PUBLIC_KEY_PATH": str(work / "issuer" / "public.pem"),
        f"{prefix}ALLOWED_TERMINAL_IDS": "t1",
        f"{prefix}AUDIT_KEY_PATH": str(work / "audit" / "audit.key"),
        "PYTHONUNBUFFERED": "1",
        **(extra or {}),
    }


def migrate(service: str, env: dict[str, str], admin_dsn: str) -> None:
    """``python -m kokuho.<service> migrate`` with the superuser DSN and the broker's admin."""
    module = f"kokuho.{service.replace('-', '_')}"
    done = subprocess.run(
        [sys.executable, "-m", module, "migrate"],
        env=env | {"KOKUHO_PG_ADMIN_DSN": admin_dsn},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{service} migrate failed: {done.stdout}{done.stderr}")
