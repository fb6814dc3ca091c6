"""deploy/local/run.sh: declared ports, and `stop` ends what `start` left running even when the
`uv run` wrapper of a server died.

Each test copies deploy/local/*.sh into a temporary tree, so the scripts' `.local/` (pid files,
logs, endpoints.json) is the temporary one; the services are dummies on free ports. The shared
PostgreSQL and Kafka and a running `make run` are not touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PATIENCE = 60.0  # seconds a process gets to appear or go away (a bound, never asserted on)

# A stand-in for `python -m kokuho.<name> serve`: listens on --port, writes its pid once listening.
DUMMY_SERVER = """\
import os, socket, sys, time
port = int(sys.argv[sys.argv.index("--port") + 1])
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen()
with open(os.environ["DUMMY_PIDFILE"] + ".tmp", "w") as f:
    f.write(str(os.getpid()))
os.replace(os.environ["DUMMY_PIDFILE"] + ".tmp", os.environ["DUMMY_PIDFILE"])
while True:
    time.sleep(60)
"""
# A stand-in for `uv run`: runs its arguments as a child process and waits for it.
WRAPPER = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def running(pid: int) -> bool:
    """True while pid is a live process (a zombie does not count)."""
    stat = subprocess.run(
        ["ps", "-p", str(pid), "-o", "stat="], capture_output=True, text=True, check=False
    ).stdout.strip()
    return bool(stat) and not stat.startswith("Z")


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting: {what}")
        time.sleep(0.1)


class Tree:
    """A copy of deploy/local/*.sh with its own services/ and .local/."""

    def __init__(self, root: Path) -> None:
        self.root = root
        scripts = root / "deploy" / "local"
        scripts.mkdir(parents=True)
        for script in (REPO / "deploy" / "local").glob("*.sh"):
            shutil.copy2(script, scripts / script.name)
        (root / "services").mkdir()
        self.local = root / ".local"
        self.pkg = root / "pkg"
        dummy = self.pkg / "kokuho" / "dummy"
        dummy.mkdir(parents=True)
        (dummy / "__main__.py").write_text(DUMMY_SERVER)
        self.server_pidfile = root / "server.pid"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(self.pkg),
            "DUMMY_PIDFILE": str(self.server_pidfile),
        }
        self.started: list[int] = []

    def add_service(
        self,
        name: str,
        port: int | None,
        simulators: dict[str, int | None] | None = None,
    ) -> None:
        service = self.root / "services" / name
        service.mkdir()
        text = f'[project]\nname = "kokuho-{name}"\nversion = "0.1.0"\n'
        if port is not None:
            text += f"\n[tool.kokuho]\nport = {port}\n"
        if simulators is not None:
            (service / "simulators").mkdir()
            (service / "simulators" / "simulators.txt").write_text(
                "# <name> <module> <SETTING>\n"
                + "".join(
                    f"{sim} kokuho.sims KOKUHO_X_{i}_URL\n" for i, sim in enumerate(simulators)
                )
            )
            declared = {sim: p for sim, p in simulators.items() if p is not None}
            if declared:
                if port is None:
                    text += "\n[tool.kokuho]\n"
                text += "\n[tool.kokuho.simulators]\n"
                text += "".join(f'"{sim}" = {p}\n' for sim, p in declared.items())
        (service / "pyproject.toml").write_text(text)

    def run_sh(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(self.root / "deploy" / "local" / "run.sh"), *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def spawn(self, pidfile: Path, *command: str) -> None:
        """lib.sh's spawn, as run.sh uses it for `uv run python -m kokuho.<name> serve`."""
        pidfile.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "bash",
                "-c",
                'source "$1" && spawn "$2" "$3" "${@:4}"',
                "spawn",
                str(self.root / "deploy" / "local" / "lib.sh"),
                str(pidfile.with_suffix(".log")),
                str(pidfile),
                *command,
            ],
            cwd=self.root,
            env=self.env,
            check=True,
            timeout=60,
        )
        self.started.append(int(pidfile.read_text()))

    def server_pid(self) -> int:
        wait_until(self.server_pidfile.exists, "the dummy server to listen")
        return int(self.server_pidfile.read_text())

    def dev_issuer(self) -> None:
        """run.sh start creates the token issuer key with uv unless it exists."""
        (self.local / "dev-issuer").mkdir(parents=True)
        (self.local / "dev-issuer" / "public.pem").write_text("not a key\n")


@pytest.fixture
def tree(tmp_path: Path) -> Iterator[Tree]:
    t = Tree(tmp_path)
    yield t
    for pgid in t.started:  # whatever a failed test left behind
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)


def serve_command(port: int) -> list[str]:
    """What run.sh spawns for a service, with a python wrapper standing in for `uv run`."""
    wrapper = [sys.executable, "-c", WRAPPER]
    return [*wrapper, sys.executable, "-m", "kokuho.dummy", "serve", "--port", str(port)]


def test_stop_ends_the_server_after_its_wrapper_died_and_start_leaves_it_alone(
    tree: Tree,
) -> None:
    port = free_port()
    tree.add_service("dummy", port)
    pidfile = tree.local / "run" / "dummy.pid"
    tree.spawn(pidfile, *serve_command(port))
    wrapper = int(pidfile.read_text())
    server = tree.server_pid()
    assert server != wrapper
    assert os.getpgid(server) == wrapper  # the pid file names the server's process group

    os.kill(wrapper, signal.SIGKILL)
    wait_until(lambda: not running(wrapper), "the wrapper to die")
    assert running(server)  # the orphan the old pid file lost track of

    status = tree.run_sh("status")
    assert status.returncode == 0, status.stdout + status.stderr
    assert f"dummy running (process group {wrapper}) on port {port}" in status.stdout

    tree.dev_issuer()
    again = tree.run_sh("start")  # `make run` twice: what runs is left alone
    assert again.returncode == 0, again.stdout + again.stderr
    assert "dummy already running" in again.stdout
    assert running(server)
    assert int(pidfile.read_text()) == wrapper

    stop = tree.run_sh("stop")
    assert stop.returncode == 0, stop.stdout + stop.stderr
    assert f"stopping dummy (process group {wrapper})" in stop.stdout
    wait_until(lambda: not running(server), "stop to end the server")
    assert not pidfile.exists()

    stopped = tree.run_sh("stop")  # and stop twice is fine too
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert "stopping" not in stopped.stdout


def test_stop_ends_a_server_of_ours_on_its_declared_port_when_the_pid_file_is_stale(
    tree: Tree,
) -> None:
    port = free_port()
    tree.add_service("dummy", port)
    gone = subprocess.Popen(["true"])
    gone.wait()
    (tree.local / "run").mkdir(parents=True)
    (tree.local / "run" / "dummy.pid").write_text(f"{gone.pid}\n")
    # A server of ours (its command line names kokuho.dummy) that no pid file tracks.
    server = subprocess.Popen(
        [sys.executable, "-m", "kokuho.dummy", "serve", "--port", str(port)],
        env=tree.env,
        start_new_session=True,
    )
    try:
        assert tree.server_pid() == server.pid
        stop = tree.run_sh("stop")
        assert stop.returncode == 0, stop.stdout + stop.stderr
        assert f"stopping dummy, which no pid file tracks any more (pid {server.pid}" in stop.stdout
        server.wait(timeout=PATIENCE)  # raises when stop left it running
    finally:
        server.kill()
        server.wait()


def test_stop_leaves_alone_another_program_on_a_declared_port(tree: Tree) -> None:
    port = free_port()
    tree.add_service("dummy", port)
    foreign = subprocess.Popen(
        [sys.executable, "-c", DUMMY_SERVER, "--port", str(port)],
        env=tree.env,
        start_new_session=True,
    )
    try:
        assert tree.server_pid() == foreign.pid
        stop = tree.run_sh("stop")
        assert stop.returncode == 0, stop.stdout + stop.stderr
        assert f"port {port} (dummy) is held by pid {foreign.pid}, which is not ours" in stop.stdout
        assert foreign.poll() is None
        tree.dev_issuer()
        start = tree.run_sh("start")
        assert start.returncode == 1
        assert f"port {port} (for dummy) is in use by another process (pid {foreign.pid}" in (
            start.stderr
        )
    finally:
        foreign.kill()
        foreign.wait()


def test_a_service_without_a_declared_port_is_named(tree: Tree) -> None:
    tree.add_service("alpha", free_port())
    tree.add_service("beta", None)
    for command in ("ports", "start"):
        result = tree.run_sh(command)
        assert result.returncode == 1
        assert "service beta declares no port" in result.stderr
        assert "services/beta/pyproject.toml" in result.stderr
    assert not (tree.local / "run").exists()  # start gave up before starting anything


def test_a_port_declared_twice_is_named(tree: Tree) -> None:
    port = free_port()
    tree.add_service("alpha", port)
    tree.add_service("beta", port)
    result = tree.run_sh("start")
    assert result.returncode == 1
    assert f"port {port} is declared twice: by service alpha and by service beta" in result.stderr


def test_simulator_ports_are_declared_and_checked(tree: Tree) -> None:
    port, sim_port = free_port(), free_port()
    tree.add_service("alpha", port, simulators={"one": sim_port, "two": None})
    result = tree.run_sh("ports")
    assert result.returncode == 1
    assert "simulator two (listed in services/alpha/simulators/simulators.txt)" in result.stderr
    assert "declares no port" in result.stderr

    tree.add_service("beta", sim_port)
    result = tree.run_sh("ports")
    assert (
        f"port {sim_port} is declared twice: by simulator one of alpha and by service beta"
        in result.stderr
    )


def test_ports_are_independent_of_the_order_of_the_services(tree: Tree) -> None:
    tree.add_service("zulu", 8001)
    tree.add_service("alpha", 8003, simulators={"sim": 8101})
    result = tree.run_sh("ports")
    assert result.returncode == 0, result.stderr
    rows = [line.split()[:2] for line in result.stdout.splitlines()]
    assert rows == [["8003", "alpha"], ["8001", "zulu"], ["8101", "simulator"]]


def test_the_repository_declares_the_documented_ports() -> None:
    result = subprocess.run(
        ["bash", str(REPO / "deploy" / "local" / "run.sh"), "ports"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    ports = {}
    for line in result.stdout.splitlines():
        fields = line.split()
        name = " ".join(fields[1:3]) if fields[1] == "simulator" else fields[1]
        ports[name] = int(fields[0])
    assert {
        "assessment": 8001,
        "eligibility": 8002,
        "linkage-gateway": 8003,
        "benefits": 8004,
        "collection": 8005,
        "delinquency": 8006,
        "simulator jlis": 8101,
        "simulator intermediate-server": 8102,
        "simulator federation": 8103,
        "simulator portal": 8104,
        "simulator resident-records": 8105,
    }.items() <= ports.items()


def test_prereqs_prints_the_uv_it_finds() -> None:
    result = subprocess.run(
        ["bash", str(REPO / "deploy" / "local" / "prereqs.sh"), "uv-path"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    uv = result.stdout.strip()
    # make test installs uv before the suite runs, so prereqs.sh must find it: "uv" (the bare
    # name it prints when it finds none) is a failure, not a reason to skip.
    assert uv != "uv", "prereqs.sh found no uv although make install put one on this machine"
    assert os.access(uv, os.X_OK)
