"""The test kit: one copy of every helper the services' tests share.

- ``OwnTopics``: a test's own topic names and consumer-group prefix, so that a running demo
  (``make run``) never takes a test's events and a test never reads the demo's;
- ``serving`` (in process) and ``serving_on_port`` (a real port, for the fuzzer);
- ``simulator_process``: a service's simulator as `make run` starts it (its own process);
- ``staff_headers``: a bearer token for a user with roles;
- ``eventually`` / ``eventually_blocking``: wait for a condition with a deadline (defined in
  ``kokuho.events.testing.waiting`` for the events library's own tests, re-exported here);
- ``database_text``: every row of every table of a database, as text;
- ``individual_numbers_in``: the privacy scan (check-digit-valid 12-digit numbers in a text);
- ``fuzz_by_roles``: schemathesis against every operation of a served API;
- ``LogLines`` and ``migrated_database``.

Reading a topic is ``kokuho.events.testing.kafka``. Test-only libraries (schemathesis,
hypothesis) are imported only by the helper that needs them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import uuid
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import FastAPI

from kokuho.events import runtime as events_runtime
from kokuho.events.contracts import (
    assessment,
    benefits,
    collection,
    delinquency,
    eligibility,
    linkage_gateway,
)
from kokuho.events.runtime.access import AclRule, grant, revoke, service_rules
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.topics import (
    TopicSpec,
    dead_letter_topic,
    ensure_topics,
    with_dead_letters,
)
from kokuho.events.testing.databases import temporary_database
from kokuho.events.testing.waiting import eventually as eventually
from kokuho.events.testing.waiting import eventually_blocking as eventually_blocking
from kokuho.events.transfers import load_registry
from kokuho.platform import audit
from kokuho.platform.database import migrate, migration_files
from kokuho.platform.retention import (
    SYSTEM_RETENTION,
    RetentionJob,
    RetentionPeriod,
    RetentionReport,
)
from kokuho.platform.tls import mutual_context
from kokuho.platform.token import PrivateKey, mint_token

# Every service a test starts writes its audit records with the development audit key (ADR
# 0006); a deployment names its own key and refuses to start without one.
os.environ.setdefault(audit.KEY_PATH_ENV, str(audit.dev_key_path()))

# --- isolation from a running system --------------------------------------------------------


#: Every topic ``OwnTopics.create`` made in this process, deleted at the end of the test session
#: (``delete_created_topics``): a broker that kept every test's topics would run out of memory.
CREATED_TOPICS: list[str] = []
#: The ACLs ``OwnTopics.create`` gave the services' users on those topics (revoked with them).
CREATED_GRANTS: list[dict[str, list[AclRule]]] = []


async def delete_created_topics(kafka: KafkaConnection) -> int:
    """Delete the topics this process's tests made, and the ACLs given on them; returns how
    many topics."""
    while CREATED_GRANTS:
        await revoke(kafka, CREATED_GRANTS.pop())
    names = sorted(set(CREATED_TOPICS))
    if not names:
        return 0
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        doomed = [n for n in names if n in existing]
        for start in range(0, len(doomed), 100):
            await admin.delete_topics(doomed[start : start + 100])
    finally:
        await admin.close()
    CREATED_TOPICS.clear()
    return len(doomed)


#: The services whose broker users the tests' services connect as.
SERVICES = ("assessment", "benefits", "collection", "delinquency", "eligibility", "linkage-gateway")


def kafka_settings(connection: KafkaConnection) -> dict[str, Any]:
    """``connection`` as a service's settings (``kafka_bootstrap_servers``, ``kafka_username``
    ...): for a test's own probe service, or a service given a user by ``service_user``."""
    return {"kafka_bootstrap_servers": connection.bootstrap_servers, **_credentials(connection)}


def _credentials(connection: KafkaConnection) -> dict[str, Any]:
    return {
        "kafka_security_protocol": connection.security_protocol,
        "kafka_sasl_mechanism": connection.sasl_mechanism,
        "kafka_username": connection.username,
        "kafka_password": connection.password,
    }


async def service_user(
    kafka: KafkaConnection,
    users: Mapping[str, KafkaConnection],
    service: str,
    *,
    run: str,
    topics: Iterable[str | None],
) -> dict[str, Any]:
    """Give ``service``'s own broker user its rules on a test's topics named ``<run>.<real
    name>`` (its own, ``<run>.kokuho.<service>.*``, with their dead-letter topics; the others it
    reads) and its consumer groups under ``<run>``; returns the settings that connect as it.
    Without users (a broker without authentication), the settings of ``kafka``."""
    if not users:
        return kafka_settings(kafka)
    own = f"{run}.kokuho.{service}."
    named = sorted({t for t in topics if t})
    owned = [t for t in named if t.startswith(own)]
    consumed = [t for t in named if not t.startswith(own)]
    rules = service_rules(
        owned=[*owned, *(dead_letter_topic(t) for t in owned)],
        consumed=consumed,
        dead_letters=[dead_letter_topic(t) for t in consumed],
        group_prefix=f"{run}.{service}.",
    )
    user = users[service]
    grants = {f"User:{user.username}": rules}
    CREATED_GRANTS.append(grants)
    await grant(kafka, grants)
    return kafka_settings(user)


@dataclass(frozen=True)
class OwnTopics:
    """One test's names for every service topic, and its own consumer-group prefix.

    The services' settings take them as keyword arguments (``**own.eligibility()``), so a test
    publishes, consumes and scans only what it made itself: the services ``make run`` started
    share neither a topic nor a consumer group with it. ``create`` also gives each service's
    own broker user the rules ``deploy/kafka_access.py`` gives it on the real topics, on this
    test's topics (ADR 0086), and the settings carry that user: a service under test reaches
    exactly what it would in production.
    """

    eligibility_events: str
    personal_details: str
    assessment_events: str
    linkage_events: str
    consumer_group_prefix: str
    collection_events: str = ""
    benefits_events: str = ""
    delinquency_events: str = ""
    #: Each service's broker user (``create``): settings keyword arguments by service name.
    users: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    @classmethod
    def fresh(cls, label: str = "t") -> OwnTopics:
        run = f"test.{label}.{uuid.uuid4().hex[:12]}"
        return cls(
            eligibility_events=f"{run}.{eligibility.EVENTS_TOPIC}",
            personal_details=f"{run}.{eligibility.PERSONAL_DETAILS_TOPIC}",
            assessment_events=f"{run}.{assessment.EVENTS_TOPIC}",
            linkage_events=f"{run}.{linkage_gateway.TOPIC}",
            consumer_group_prefix=run,
            collection_events=f"{run}.{collection.EVENTS_TOPIC}",
            benefits_events=f"{run}.{benefits.EVENTS_TOPIC}",
            delinquency_events=f"{run}.{delinquency.EVENTS_TOPIC}",
        )

    @property
    def feed_topic_prefix(self) -> str:
        """In front of the department feed topics of the transfer registry (ADR 0089)."""
        return f"{self.consumer_group_prefix}."

    def specs(self, partitions: int = 3) -> list[TopicSpec]:
        """The topics with their dead-letter topics (personal details compacted), and the
        department feeds of the transfer registry under this run's prefix."""
        feeds = [
            TopicSpec(f"{self.feed_topic_prefix}{topic}", partitions, 1, compacted=compacted)
            for flow in load_registry().feeds()
            for topic, compacted in ((flow.feed_topic, False), (flow.snapshot_topic, True))
            if topic
        ]
        return feeds + with_dead_letters(
            [
                TopicSpec(self.eligibility_events, partitions, 1),
                TopicSpec(self.personal_details, partitions, 1, compacted=True),
                TopicSpec(self.assessment_events, partitions, 1),
                # assessment's restricted income facts, beside its events topic (ADR 0045)
                TopicSpec(assessment.income_facts_topic(self.assessment_events), partitions, 1),
                TopicSpec(self.linkage_events, partitions, 1),
                *(
                    TopicSpec(topic, partitions, 1)
                    for topic in (
                        self.collection_events,
                        self.benefits_events,
                        self.delinquency_events,
                    )
                    if topic
                ),
            ]
        )

    async def create(
        self,
        kafka: KafkaConnection,
        partitions: int = 3,
        *,
        users: dict[str, KafkaConnection] | None = None,
    ) -> OwnTopics:
        """Create the topics (as ``kafka``, the set-up's super user) and give each service in
        ``users`` (its own broker user) its rules on them."""
        specs = self.specs(partitions)
        CREATED_TOPICS.extend(spec.name for spec in specs)
        await ensure_topics(kafka, specs)
        if not users:  # a broker without authentication (a test container)
            return replace(self, users={s: _credentials(kafka) for s in SERVICES})
        grants = {f"User:{c.username}": self.rules(service) for service, c in users.items()}
        CREATED_GRANTS.append(grants)
        await grant(kafka, grants)
        return replace(self, users={s: _credentials(c) for s, c in users.items()})

    def rules(self, service: str) -> list[AclRule]:
        """What ``service``'s user may do on this test's topics: as on the real ones."""
        own = f"{self.consumer_group_prefix}.kokuho.{service}."
        owned = [s.name for s in self.specs() if s.name.startswith(own)]
        named = {v for k, v in self._topics(service).items() if k.endswith("_topic") and v}
        # the department feeds the registry makes it the owner of (ADR 0089), under this run
        feeds = [
            f"{self.feed_topic_prefix}{t}"
            for flow in load_registry().feeds(service)
            for t in flow.feed_topics
        ]
        consumed = sorted(t for t in named if not t.startswith(own) and t not in feeds)
        return service_rules(
            owned=owned,
            consumed=consumed,
            dead_letters=[dead_letter_topic(t) for t in consumed],
            group_prefix=f"{self.consumer_group_prefix}.{service}.",
            feeds=feeds,
        )

    def _topics(self, service: str) -> dict[str, Any]:
        return {
            "eligibility": self.eligibility,
            "assessment": self.assessment,
            "collection": self.collection,
            "benefits": self.benefits,
            "delinquency": self.delinquency,
            "linkage-gateway": self.linkage_gateway,
        }[service]()

    def user(self, service: str) -> dict[str, Any]:
        """The settings that connect as ``service``'s own broker user (after ``create``)."""
        return self.users.get(service, {})

    def eligibility(self) -> dict[str, Any]:
        """Settings of eligibility (``kokuho.eligibility.config.Settings``)."""
        return {
            "events_topic": self.eligibility_events,
            "personal_details_topic": self.personal_details,
            "linkage_topic": self.linkage_events,
            "benefits_topic": self.benefits_events or None,
            "delinquency_topic": self.delinquency_events or None,
            "assessment_topic": self.assessment_events,
            "collection_topic": self.collection_events or None,
            "consumer_group_prefix": self.consumer_group_prefix,
            "feed_topic_prefix": self.feed_topic_prefix,
            **self.user("eligibility"),
        }

    def assessment(self) -> dict[str, Any]:
        """Settings of assessment (``kokuho.assessment.config.Settings``)."""
        return {
            "eligibility_topic": self.eligibility_events,
            "linkage_topic": self.linkage_events,
            "events_topic": self.assessment_events,
            "consumer_group_prefix": self.consumer_group_prefix,
            **self.user("assessment"),
        }

    def collection(self) -> dict[str, Any]:
        """Settings of collection (``kokuho.collection.config.Settings``)."""
        return {
            "events_topic": self.collection_events,
            "assessment_topic": self.assessment_events,
            "delinquency_topic": self.delinquency_events,
            "consumer_group_prefix": self.consumer_group_prefix,
            **self.user("collection"),
        }

    def benefits(self) -> dict[str, Any]:
        """Settings of benefits (``kokuho.benefits.config.Settings``)."""
        return {
            "events_topic": self.benefits_events,
            "linkage_topic": self.linkage_events,
            "delinquency_topic": self.delinquency_events,
            "eligibility_topic": self.eligibility_events,
            "income_facts_topic": assessment.income_facts_topic(self.assessment_events),
            "consumer_group_prefix": self.consumer_group_prefix,
            **self.user("benefits"),
        }

    def delinquency(self) -> dict[str, Any]:
        """Settings of delinquency (``kokuho.delinquency.config.Settings``)."""
        return {
            "events_topic": self.delinquency_events,
            "collection_topic": self.collection_events,
            "consumer_group_prefix": self.consumer_group_prefix,
            **self.user("delinquency"),
        }

    def linkage_gateway(self) -> dict[str, Any]:
        """Settings of linkage-gateway (``kokuho.linkage_gateway.config.Settings``)."""
        return {
            "eligibility_topic": self.eligibility_events,
            "assessment_topic": self.assessment_events,
            "personal_details_topic": self.personal_details,
            "events_topic": self.linkage_events,
            "collection_topic": self.collection_events or None,
            "consumer_group_prefix": self.consumer_group_prefix,
            **self.user("linkage-gateway"),
        }


# --- serving an app ---------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def serving(app: FastAPI, name: str) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan (relay, consumers) and give a client that calls it in process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{name}") as client:
            yield client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving_on_port(app: FastAPI, name: str = "the app") -> Iterator[str]:
    """The app on a real port in its own thread and event loop; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        eventually_blocking(
            lambda: server.started or not thread.is_alive(), timeout=30, what=f"{name} to start"
        )
        assert server.started, f"{name} did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@contextlib.contextmanager
def simulator_process(
    directory: Path,
    module: str,
    name: str,
    extra_args: Sequence[str] = (),
    *,
    tls_verify: Any = None,
) -> Iterator[str]:
    """The simulator ``name`` as `make run` starts it: ``python -m <module> <name> --port <p>``
    (then ``extra_args``) in its own process with ``directory`` (``services/<svc>/simulators``)
    on PYTHONPATH; yields its base URL once ``/healthz`` answers, and ends the process
    afterwards. With ``tls_verify`` (what httpx's ``verify`` takes) it serves HTTPS."""
    port = free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(directory), env.get("PYTHONPATH")) if p)
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", module, name, "--port", str(port), *extra_args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"{'https' if tls_verify is not None else 'http'}://127.0.0.1:{port}"
    verify = tls_verify if tls_verify is not None else True

    def healthy() -> bool:
        assert process.poll() is None, process.stderr.read() if process.stderr else b""
        try:
            return httpx.get(f"{url}/healthz", timeout=1, verify=verify).status_code == 200
        except httpx.TransportError:
            return False

    try:
        eventually_blocking(healthy, timeout=30, interval=0.1, what=f"the {name} simulator")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


#: The local CA's tool: the tests make their certificates as `make run` does (ADR 0094, 0095).
TLS_TOOL = Path(__file__).resolve().parents[5] / "deploy" / "local" / "tls.py"


@dataclass(frozen=True)
class MutualTlsPki:
    """Certificates for a simulator served over mutual TLS and the service calling it."""

    ca: Path  # the local CA (the server's and the client's)
    server_cert: Path  # names 127.0.0.1
    server_key: Path
    client_cert: Path
    client_key: Path
    other_ca: Path  # another authority, with a client certificate of its own
    other_cert: Path
    other_key: Path

    def client(self) -> ssl.SSLContext:
        """The service's context: its certificate, the CA only."""
        return mutual_context(self.ca, self.client_cert, self.client_key)

    def simulator_args(self) -> list[str]:
        """The simulator's ``--tls-*`` options, as run.sh passes them."""
        return [
            *("--tls-cert", str(self.server_cert), "--tls-key", str(self.server_key)),
            *("--tls-client-ca", str(self.ca)),
        ]


def mutual_tls_pki(directory: Path, client: str) -> MutualTlsPki:
    """A CA in ``directory``, a server certificate for 127.0.0.1 and ``client``'s certificate
    from it, and a second CA with a client certificate of its own (for the refusals)."""

    def tool(*args: str) -> Path:
        done = subprocess.run(  # noqa: S603 - our own interpreter and tool
            [sys.executable, str(TLS_TOOL), *args], check=True, capture_output=True, text=True
        )
        return Path(done.stdout.strip())

    ca = ("--ca-dir", str(directory / "ca"))
    server = tool("issue", "counterpart", "--out", str(directory), "--ip", "127.0.0.1", *ca)
    own = tool("issue", client, "--out", str(directory), "--client", *ca)
    other = ("--ca-dir", str(directory / "other-ca"))
    intruder = tool("issue", "intruder", "--out", str(directory), "--client", *other)
    return MutualTlsPki(
        ca=directory / "ca" / "ca.crt",
        server_cert=server,
        server_key=server.with_suffix(".key"),
        client_cert=own,
        client_key=own.with_suffix(".key"),
        other_ca=directory / "other-ca" / "ca.crt",
        other_cert=intruder,
        other_key=intruder.with_suffix(".key"),
    )


# --- staff ------------------------------------------------------------------------------------


def staff_headers(
    key: PrivateKey,
    user: str,
    *roles: str,
    terminal_id: str = "T-TEST",
    amr: tuple[str, ...] = ("iccard",),
    **extra: str,
) -> dict[str, str]:
    """``Authorization`` for ``user`` with ``roles`` (signed by ``key``), plus ``extra``."""
    token = mint_token(key, user_id=user, roles=list(roles), terminal_id=terminal_id, amr=amr)
    return {"Authorization": f"Bearer {token}", **extra}


# --- scanning for what must not be there --------------------------------------------------------


async def database_text(dsn: str) -> str:
    """Every value of every row of every table in every schema, one per line: text as it is,
    ``bytea`` as hex and as raw bytes decoded latin-1 (a plain number is found whatever column
    type holds it)."""
    conn = await asyncpg.connect(dsn)
    try:
        parts: list[str] = []
        for name in await _tables(conn):
            for row in await conn.fetch(f"SELECT * FROM {name}"):  # noqa: S608 (catalog names)
                for value in row.values():
                    if isinstance(value, bytes):
                        parts.append(value.hex())
                        parts.append(value.decode("latin-1"))
                    else:
                        parts.append(str(value))
        return "\n".join(parts)
    finally:
        await conn.close()


async def database_tables(dsn: str) -> list[str]:
    """The tables ``database_text`` scans (``"schema"."table"``)."""
    conn = await asyncpg.connect(dsn)
    try:
        return await _tables(conn)
    finally:
        await conn.close()


async def _tables(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "SELECT schemaname, tablename FROM pg_tables"
        " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        " ORDER BY schemaname, tablename"
    )
    return [f'"{r["schemaname"]}"."{r["tablename"]}"' for r in rows]


# UUIDs and long hexadecimal runs (hashes, sealed bytes shown as hex) are taken out before the
# scan: their digit groups are not numbers. What is left is searched for 12-digit runs that
# stand alone (no digit or letter either side, not the fraction of a decimal such as a log
# record's timestamp) and carry a valid check digit.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEX = re.compile(r"[0-9a-fA-F]{16,}")
_TWELVE = re.compile(r"(?<![0-9A-Za-z.])[0-9]{12}(?![0-9A-Za-z])")


def individual_numbers_in(text: str) -> set[str]:
    """Every 12-digit string with a valid check digit (ministerial-order formula) in ``text``,
    by linkage-gateway's own check-digit function."""
    from kokuho.linkage_gateway.domain.individual_number import check_digit

    text = _HEX.sub(" ", _UUID.sub(" ", text))
    return {m for m in _TWELVE.findall(text) if check_digit(m[:11]) == int(m[11])}


def individual_numbers_by_place(places: Mapping[str, str]) -> dict[str, set[str]]:
    """The places (database, topic, log ... -> its text) where the scan finds a number."""
    found = {where: individual_numbers_in(text) for where, text in places.items()}
    return {where: numbers for where, numbers in found.items() if numbers}


class LogLines(logging.Handler):
    """Every log record of every logger, formatted and raw, for scanning what was logged."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        self.lines.append(repr(record.__dict__))


@contextlib.contextmanager
def captured_logs() -> Iterator[LogLines]:
    """``LogLines`` on the root logger for the duration of the block."""
    lines = LogLines()
    root = logging.getLogger()
    root.addHandler(lines)
    try:
        yield lines
    finally:
        root.removeHandler(lines)


# --- databases ----------------------------------------------------------------------------------


def _template_name(migrations: Path) -> str:
    """The template database of a migrations directory as the code stands: named by the
    directory and by the text of its migrations and of the platform's installers (the
    platform's and the events runtime's modules), so a change to any of them makes a new one."""
    digest = hashlib.sha256()
    for name, sql in migration_files(migrations):
        digest.update(f"{name}\0{sql}\0".encode())
    for package in (Path(audit.__file__).parent, Path(events_runtime.__file__).parent):
        for source in sorted([*package.glob("*.py"), *package.glob("*.sql")]):
            digest.update(source.name.encode() + b"\0" + source.read_bytes())
    place = hashlib.sha256(_place(migrations).encode()).hexdigest()[:8]
    return f"tpl_{place}_{digest.hexdigest()[:20]}"


def _place(migrations: Path) -> str:
    return str(migrations.resolve())


def _gone(place: str | None) -> bool:
    return not place or not Path(place).is_dir()


async def _ensure_template(admin_dsn: str, migrations: Path) -> str:
    """Migrate a template once per code version (under a lock: test sessions run side by side);
    older templates of the same directory are dropped when not in use."""
    name = _template_name(migrations)
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute("SELECT pg_advisory_lock(hashtext($1))", name)
        if await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return name
        building = f"{name}_{uuid.uuid4().hex[:8]}"  # renamed only once fully migrated
        await admin.execute(f'CREATE DATABASE "{building}"')
        try:
            base, _, _ = admin_dsn.rpartition("/")
            await migrate(f"{base}/{building}", migration_files(migrations))
            await admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        except BaseException:
            await admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            raise
        # a template nobody connects to: a connection would make copying it fail
        await admin.execute(
            f'ALTER DATABASE "{name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false'
        )
        await admin.execute(
            await admin.fetchval(
                "SELECT format('COMMENT ON DATABASE %I IS %L', $1::text, $2::text)",
                name,
                _place(migrations),
            )
        )
        await _drop_stale_templates(admin, name)
        return name
    finally:
        await admin.close()  # the advisory lock goes with the session


async def _drop_stale_templates(admin: asyncpg.Connection, current: str) -> None:
    """Older templates of the same directory, and templates of directories gone (a test's
    temporary migrations), unless another session is copying one right now."""
    rows = await admin.fetch(
        "SELECT datname, shobj_description(oid, 'pg_database') AS place FROM pg_database"
        " WHERE datistemplate AND datname LIKE 'tpl\\_%' AND datname <> $1",
        current,
    )
    for row in rows:
        same_place = row["datname"][: len("tpl_") + 8] == current[: len("tpl_") + 8]
        if same_place or _gone(row["place"]):
            with contextlib.suppress(asyncpg.PostgresError):
                await admin.execute(f'ALTER DATABASE "{row["datname"]}" WITH IS_TEMPLATE false')
                await admin.execute(f'DROP DATABASE "{row["datname"]}"')


@contextlib.asynccontextmanager
async def migrated_database(admin_dsn: str, migrations: Path) -> AsyncIterator[str]:
    """A throwaway database with the platform schemas and a service's migrations: a copy of a
    template migrated once per code version (``CREATE DATABASE ... TEMPLATE``, a third of the
    time of migrating each test's database)."""
    async with contextlib.AsyncExitStack() as stack:
        for attempt in (1, 2):
            template = await _ensure_template(admin_dsn, migrations)
            try:
                dsn = await stack.enter_async_context(
                    temporary_database(admin_dsn, template=template)
                )
                break
            except asyncpg.InvalidCatalogNameError:
                if attempt == 2:  # dropped by a session on other code between ensuring and copying
                    raise
        yield dsn


# --- fuzzing ------------------------------------------------------------------------------------


@dataclass
class FuzzReport:
    """What ``fuzz_by_roles`` saw: how many operations, their statuses, and every problem (a
    5xx answer or a refusal that is not problem+json)."""

    operations: int = 0
    statuses: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def fuzz_by_roles(base_url: str, headers: Mapping[str, str], *, max_examples: int) -> FuzzReport:
    """Schemathesis-generated requests against every operation of the served OpenAPI document,
    sent with ``headers`` (a user holding the roles under test)."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    raw = httpx.get(f"{base_url}/openapi.json").json()
    schema = schemathesis.openapi.from_dict(raw)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    report = FuzzReport(operations=len(operations))
    for operation in operations:

        @settings(
            max_examples=max_examples,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), data=st.data())
        def check(case: Any, data: st.DataObject) -> None:
            response = case.call(base_url=base_url, headers=dict(headers))
            report.statuses.add(response.status_code)
            where = f"{case.method} {case.formatted_path} -> {response.status_code}"
            if response.status_code >= 500:
                report.problems.append(f"{where}: {response.text[:300]}")
            elif response.status_code >= 400:
                found = response.headers.get("content-type") or [""]
                content_type = found if isinstance(found, str) else found[0]
                if not content_type.startswith("application/problem+json"):
                    report.problems.append(f"{where}: content type {content_type}")

        check()
    return report


def on_port(dsn: str, port: int) -> str:
    """``dsn`` with its port replaced."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit(":", 1)[0] + f":{port}"))


@contextlib.contextmanager
def fresh_cluster(admin_dsn: str, *, label: str = "fresh") -> Iterator[str]:
    """A second PostgreSQL cluster of its own (deploy/local/postgres.sh with KOKUHO_PG_DIR and a
    free KOKUHO_PG_PORT; the shared cluster is never touched); its admin DSN (``admin_dsn`` on
    the new port). Under /tmp directly: its owner (the postgres user) must reach the directory.
    Stopped and removed afterwards."""
    from kokuho.platform.token import repo_root

    port = free_port()
    env = os.environ | {
        "KOKUHO_PG_DIR": f"/tmp/kokuho-{label}-{uuid.uuid4().hex[:8]}",  # noqa: S108
        "KOKUHO_PG_PORT": str(port),
    }
    script = str(repo_root(Path(__file__)) / "deploy" / "local" / "postgres.sh")
    started = subprocess.run(  # noqa: S603 - our own script
        [script, "start"], env=env, capture_output=True, text=True, timeout=180, check=False
    )
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield on_port(admin_dsn, port)
    finally:
        subprocess.run(  # noqa: S603 - our own script
            [script, "stop"], env=env, capture_output=True, timeout=120, check=False
        )
        shutil.rmtree(env["KOKUHO_PG_DIR"], ignore_errors=True)


# --- retention jobs (ADR 0100) --------------------------------------------------------------


@dataclass(frozen=True)
class RetentionRuns:
    """A service's retention job (its ``apply_retention``) run by a test on a day it chooses
    (the command never takes one), each unit (its ``RetentionUnit``) on ``pool`` and audited
    as the job, at 01:00 UTC of that day."""

    pool: asyncpg.Pool
    job: RetentionJob[Any]
    unit: Callable[..., Any]
    period: RetentionPeriod

    def units(self) -> Any:
        trail = audit.RequestAudit.of_system(lambda: self.pool, SYSTEM_RETENTION, "retention")
        return self.unit(lambda: self.pool, audit=trail)

    async def __call__(self, day: date, dry_run: bool = False) -> RetentionReport:
        at = datetime(day.year, day.month, day.day, 1, tzinfo=UTC)
        return await self.job(self.units, self.period, now=at, on=day, dry_run=dry_run)

    async def counts(self, tables: Iterable[str]) -> dict[str, int]:
        """The rows of each table (to show that a run changed nothing)."""
        counted: dict[str, int] = {}
        for table in tables:
            counted[table] = await self.pool.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608
        return counted


async def outbox_relayed(pool: asyncpg.Pool) -> None:
    """Wait until the relay has published every event of the service's outbox."""

    async def relayed() -> bool:
        waiting: int = await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        return waiting == 0

    published: bool = await eventually(relayed, what="the relay publishing every event")
    assert published


async def erasure_records_listed(
    client: httpx.AsyncClient, refused: Mapping[str, str], auditor: Mapping[str, str]
) -> list[dict[str, Any]]:
    """``GET /api/v1/erasure-records``: refused (403) with the ``refused`` headers' role, and
    the records it lists to the auditor."""
    denied = await client.get("/api/v1/erasure-records", headers=refused)
    assert denied.status_code == 403, denied.text
    listed = await client.get("/api/v1/erasure-records", headers=auditor)
    assert listed.status_code == 200, listed.text
    items: list[dict[str, Any]] = listed.json()["items"]
    return items


async def retention_command_runs_today(
    command: Callable[[list[str]], Awaitable[int]], printed: Callable[[], str]
) -> None:
    """A service's ``retention`` command (``command(args)``; ``printed()`` what it printed
    since last asked): a day given by hand is refused (exit 2); ``--dry-run`` runs today's
    job and prints its report, which erases and keeps nothing (nothing of a test is old)."""
    assert await command(["--on=2099-01-01"]) == 2
    printed()
    assert await command(["--dry-run"]) == 0
    report = json.loads(printed())
    assert (report["dry_run"], report["erased"]) == (True, {})
    assert report["kept"] == {}
