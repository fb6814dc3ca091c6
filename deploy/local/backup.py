"""Backups of the local cluster and their restore (issue 17; ADR 0052).

    python deploy/local/backup.py backup [--out DIR] [--database NAME ...]
    python deploy/local/backup.py restore DIR [--admin-dsn DSN] [--replace]
                                              [--rewind GROUP_PREFIX ...] [--bootstrap HOST:PORT]

``backup`` writes, in a new directory ``.local/backups/<UTC time>/`` (or ``--out``), one
``pg_dump`` custom-format archive per service database (``kokuho_<service>``, or those named),
the cluster's roles (``roles.sql``, from ``pg_dumpall --roles-only``: the services' logins and
the audit-log owner roles the databases refer to) and ``manifest.json`` (when, which
databases, each file's SHA-256).

``restore`` checks every file against the manifest first (a damaged or incomplete backup is
refused before anything changes), creates the roles that the target cluster lacks, and restores
each database with ``pg_restore --create``. A database that exists already is refused unless
``--replace`` is given (then it is dropped first). Services must be stopped.

A database restored from a backup is behind the topics it consumes: every event published
after the backup must be applied again. ``--rewind`` moves the committed offsets of the
consumer groups whose ids start with each prefix (default: ``kokuho.<service>.`` of every
restored service) back to the first message published at or after the backup's start, less a
margin; the consumers' inbox (``(consumer, event_id)``, recorded with their effects) makes the
events applied before the backup no-ops, so the read models catch up to what they were. What
the restored service itself decided after the backup is not in a logical backup: production
recovers to the last transaction from the WAL archive (CloudNativePG, ``deploy/k8s``).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / ".local"
#: how far before the backup's start the consumers are rewound (clock skew between this machine
#: and the broker's timestamps; replaying more than needed is harmless)
REWIND_MARGIN = timedelta(minutes=5)
FORMAT = 1


class BackupError(Exception):
    """A clear refusal: printed as one line, exit status 2."""


def pg_bin(tool: str) -> str:
    """A PostgreSQL client program from the same installation as the local server."""
    candidates = [os.environ.get("PG_BIN", "")]
    base = Path("/usr/lib/postgresql")
    if base.is_dir():
        versions = sorted(
            (p for p in base.iterdir() if p.name.isdigit()), key=lambda p: -int(p.name)
        )
        candidates += [str(v / "bin") for v in versions]
    for directory in candidates:
        if directory and (Path(directory) / tool).is_file():
            return str(Path(directory) / tool)
    raise BackupError(f"{tool} not found: set PG_BIN to the PostgreSQL bin directory")


def endpoints() -> dict[str, str]:
    path = LOCAL / "endpoints.json"
    if not path.exists():
        raise BackupError("no .local/endpoints.json: start the infrastructure first (make up)")
    data = json.loads(path.read_text())
    return {
        "admin_dsn": data["postgres"]["admin_dsn"],
        "bootstrap": data["kafka"]["bootstrap_servers"],
    }


def broker(bootstrap: str | None) -> Any:
    """The broker as its super user (.local/endpoints.json, ADR 0086): only it may rewind any
    service's consumer group; ``bootstrap`` names another address of the same broker."""
    from kokuho.events.runtime.connection import ADMIN_USER, connection_from_endpoints

    path = LOCAL / "endpoints.json"
    if not path.exists():
        raise BackupError("no .local/endpoints.json: start the infrastructure first (make up)")
    kafka = json.loads(path.read_text())["kafka"]
    if bootstrap:
        kafka = {**kafka, "bootstrap_servers": bootstrap}
    return connection_from_endpoints(kafka, ADMIN_USER, where=str(path))


def with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path="/" + database))


def service_databases() -> list[str]:
    return sorted(
        "kokuho_" + p.parent.name.replace("-", "_") for p in ROOT.glob("services/*/pyproject.toml")
    )


def run(command: list[str], what: str) -> subprocess.CompletedProcess[str]:
    # the PostgreSQL client programs with arguments built here, never a shell
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip().splitlines()[-1:]}")
    return done


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def existing_databases(admin_dsn: str) -> set[str]:
    out = run(
        [pg_bin("psql"), admin_dsn, "-XAtqc", "SELECT datname FROM pg_database"],
        "listing databases",
    )
    return set(out.stdout.split())


def backup(admin_dsn: str, out: Path, databases: list[str]) -> Path:
    present = existing_databases(admin_dsn)
    missing = [d for d in databases if d not in present]
    if missing:
        raise BackupError(f"no such database: {', '.join(missing)}")
    out.mkdir(parents=True, exist_ok=False)
    started = datetime.now(UTC)
    files: dict[str, str] = {}
    roles = out / "roles.sql"
    dumped = run([pg_bin("pg_dumpall"), "--roles-only", "-d", admin_dsn], "pg_dumpall --roles-only")
    roles.write_text(dumped.stdout)
    files["roles.sql"] = sha256(roles)
    for database in databases:
        archive = out / f"{database}.dump"
        run(
            [pg_bin("pg_dump"), "-Fc", "-f", str(archive), with_database(admin_dsn, database)],
            f"pg_dump {database}",
        )
        files[archive.name] = sha256(archive)
    manifest = {
        "format": FORMAT,
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "databases": databases,
        "files": files,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return out


def read_manifest(directory: Path) -> dict:
    path = directory / "manifest.json"
    if not path.is_file():
        raise BackupError(f"{directory} is not a backup: no manifest.json")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r}")
    for name, digest in manifest["files"].items():
        file = directory / name
        if not file.is_file():
            raise BackupError(f"{directory}: {name} is missing; nothing restored")
        if sha256(file) != digest:
            raise BackupError(f"{directory}: {name} does not match its checksum; nothing restored")
    return manifest


def connected(admin_dsn: str, databases: list[str]) -> list[str]:
    """Those of ``databases`` that some session is connected to (a service still running)."""
    if not databases:
        return []
    sql = "SELECT DISTINCT datname FROM pg_stat_activity WHERE datname IS NOT NULL"
    out = run([pg_bin("psql"), admin_dsn, "-XAtqc", sql], "listing connections")
    return sorted(set(out.stdout.split()) & set(databases))


CREATE_ROLE = re.compile(r"^CREATE ROLE ([^;]+);$")


def roles_script(text: str) -> str:
    """The roles of the dump, each created only where the target cluster lacks it (the admin
    role and roles created since exist already); their attributes are set either way."""
    lines = []
    for line in text.splitlines():
        found = CREATE_ROLE.match(line)
        if found:
            name = found.group(1)
            literal = name.strip('"').replace("'", "''")
            lines.append(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{literal}')"
                f" THEN CREATE ROLE {name}; END IF; END $$;"
            )
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def restore(directory: Path, admin_dsn: str, replace: bool) -> dict:
    manifest = read_manifest(directory)
    present = existing_databases(admin_dsn)
    clashing = [d for d in manifest["databases"] if d in present]
    in_use = connected(admin_dsn, clashing)
    if in_use:
        raise BackupError(f"{', '.join(in_use)} in use: stop the services before restoring")
    if clashing and not replace:
        raise BackupError(
            f"{', '.join(clashing)} exist in the target cluster: stop the services and give"
            " --replace to drop and restore them"
        )
    script = directory / "roles.restore.sql"
    script.write_text(roles_script((directory / "roles.sql").read_text()))
    run(
        [pg_bin("psql"), admin_dsn, "-Xq", "-v", "ON_ERROR_STOP=1", "-f", str(script)],
        "creating roles",
    )
    script.unlink()
    for database in manifest["databases"]:
        if database in present:
            run(
                [
                    pg_bin("psql"),
                    admin_dsn,
                    "-Xq",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-c",
                    f'DROP DATABASE "{database}" WITH (FORCE)',
                ],
                f"dropping {database}",
            )
        run(
            [
                pg_bin("pg_restore"),
                "--create",
                "--exit-on-error",
                "-d",
                admin_dsn,
                str(directory / f"{database}.dump"),
            ],
            f"pg_restore {database}",
        )
    return manifest


async def _groups(kafka: Any, prefixes: list[str]) -> dict[str, dict]:
    """The consumer groups whose ids start with one of ``prefixes``, with their committed
    offsets; refused when one has members (its service is still running): committing their
    own offsets again, as a non-member, is refused by the broker for a group that has members
    (DescribeGroups is not used: aiokafka cannot decode every answer of Kafka 4)."""
    from aiokafka import AIOKafkaConsumer
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.errors import CommitFailedError

    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        names = sorted(
            g[0]
            for g in await admin.list_consumer_groups()
            if any(g[0].startswith(p) for p in prefixes)
        )
        committed = {g: await admin.list_consumer_group_offsets(g) for g in names}
    finally:
        await admin.close()
    for group, offsets in committed.items():
        if not offsets:
            continue
        consumer = AIOKafkaConsumer(
            **kafka.client_options(), group_id=group, enable_auto_commit=False
        )
        await consumer.start()
        try:
            consumer.assign(list(offsets))
            await consumer.commit(dict(offsets))
        except CommitFailedError as busy:
            raise BackupError(
                f"consumer group {group} has members: stop its service before restoring"
            ) from busy
        finally:
            await consumer.stop()
    return committed


async def rewind(kafka: Any, groups: dict[str, dict], since: datetime) -> dict[str, int]:
    """Move the committed offsets of ``groups`` back to the first message at or after
    ``since`` (never forward); the partitions moved per group."""
    from aiokafka import AIOKafkaConsumer
    from aiokafka.structs import OffsetAndMetadata

    moved: dict[str, int] = {}
    millis = int(since.timestamp() * 1000)
    for group, offsets in groups.items():
        partitions = list(offsets)
        if not partitions:
            moved[group] = 0
            continue
        consumer = AIOKafkaConsumer(
            **kafka.client_options(), group_id=group, enable_auto_commit=False
        )
        await consumer.start()
        try:
            consumer.assign(partitions)
            found = await consumer.offsets_for_times({tp: millis for tp in partitions})
            ends = await consumer.end_offsets(partitions)
            target = {tp: found[tp].offset if found[tp] else ends[tp] for tp in partitions}
            changed = {
                tp: OffsetAndMetadata(o, "") for tp, o in target.items() if o < offsets[tp].offset
            }
            if changed:
                await consumer.commit(changed)
            moved[group] = len(changed)
        finally:
            await consumer.stop()
    return moved


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="deploy/local/backup.py", description=__doc__.split("\n\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("backup", help="dump the service databases and the roles")
    b.add_argument("--out", type=Path)
    b.add_argument("--database", action="append", dest="databases")
    b.add_argument("--admin-dsn")
    r = sub.add_parser("restore", help="restore a backup directory and rewind the consumers")
    r.add_argument("directory", type=Path)
    r.add_argument("--admin-dsn")
    r.add_argument("--replace", action="store_true", help="drop databases that exist first")
    r.add_argument("--rewind", action="append", dest="prefixes", help="consumer group id prefix")
    r.add_argument("--bootstrap")
    r.add_argument("--no-rewind", action="store_true")
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            admin = args.admin_dsn or endpoints()["admin_dsn"]
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            out = backup(
                admin, args.out or LOCAL / "backups" / stamp, args.databases or service_databases()
            )
            print(f"backup written to {out}")
            return 0
        admin = args.admin_dsn or endpoints()["admin_dsn"]
        manifest = read_manifest(args.directory)
        groups: dict[str, dict] = {}
        if not args.no_rewind:
            prefixes = args.prefixes or [
                "kokuho." + d.removeprefix("kokuho_").replace("_", "-") + "."
                for d in manifest["databases"]
            ]
            kafka = broker(args.bootstrap)
            groups = asyncio.run(_groups(kafka, prefixes))  # refused while one has members
        restore(args.directory, admin, args.replace)
        print(f"restored {', '.join(manifest['databases'])} from {args.directory}")
        if not args.no_rewind:
            since = datetime.fromisoformat(manifest["started_at"]) - REWIND_MARGIN
            moved = asyncio.run(rewind(kafka, groups, since))
            for group, partitions in sorted(moved.items()):
                print(
                    f"consumer group {group}: {partitions} partition(s) rewound"
                    f" to {since.isoformat()}"
                )
        return 0
    except BackupError as refused:
        print(f"backup.py: {refused}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
