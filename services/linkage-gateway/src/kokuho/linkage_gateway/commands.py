"""Service commands beyond the platform's: demo seed and key rotation."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta

import asyncpg

from kokuho.linkage_gateway.adapters.crypto import EnvelopeSealer
from kokuho.linkage_gateway.adapters.demo_card_states import seed_card_states
from kokuho.linkage_gateway.adapters.jlis_simulator import JlisSimulator
from kokuho.linkage_gateway.adapters.jobs import (
    CARD_STATE_JOB,
    CONTINUATION_JOB,
    CONTINUATION_OPERATION,
    apply_retention,
    fetch_card_states,
    fetch_continuation_file,
    purge_inquiry_results,
)
from kokuho.linkage_gateway.adapters.parameters import load_resolution_policy
from kokuho.linkage_gateway.adapters.postgres_vault import (
    index_keys_in_use,
    keys_in_use,
    reindex,
    rotate,
)
from kokuho.linkage_gateway.adapters.unit_of_work import GatewayUnit
from kokuho.linkage_gateway.app import card_status
from kokuho.linkage_gateway.app.federation_files import JST
from kokuho.linkage_gateway.app.vault import bind_number
from kokuho.linkage_gateway.bootstrap import key_store, make_ports
from kokuho.linkage_gateway.config import Settings
from kokuho.linkage_gateway.synthetic import synthetic_number
from kokuho.platform import database
from kokuho.platform.audit import RequestAudit
from kokuho.platform.service import utc_now
from kokuho.platform.settings import ServiceSettings

DEMO_PERSONS = 20
DEMO_RANDOM_SEED = 20260401  # the same synthetic numbers every run: seeding is idempotent


async def seed(service_settings: ServiceSettings) -> str:
    """Bind synthetic numbers to the demo addressee numbers 1000000001.. that eligibility's demo
    data uses, then give them マイナ保険証 states on the simulated online-qualification side
    and fetch those (``adapters/demo_card_states.py``); idempotent."""
    settings = Settings.of(service_settings)
    sealer = EnvelopeSealer(key_store(settings))
    identity = JlisSimulator()
    rng = random.Random(DEMO_RANDOM_SEED)  # noqa: S311 - synthetic demo data, not secrets
    policy = load_resolution_policy(settings.resolution_permits_path)
    created = 0
    integrated: list[str] = []
    # two connections: the card-state fetch's audit trail writes beside its unit
    pool = await database.create_pool(settings, min_size=1, max_size=2)
    try:
        for i in range(1, DEMO_PERSONS + 1):
            async with GatewayUnit(lambda: pool, events_topic=settings.events_topic) as uow:
                result = await bind_number(
                    uow.vault,
                    sealer,
                    identity,
                    policy,
                    addressee_number=f"{1_000_000_000 + i:010d}",
                    number=synthetic_number(rng),
                    affair="nhi-eligibility",
                    roles=frozenset({"linkage.operator"}),
                    at=datetime.now(UTC),
                )
                created += int(result.created)
                integrated.append(result.binding.integrated_addressee_number)
        states = await seed_card_states(
            settings.intermediate_server_url,
            lambda local: make_ports(settings, utc_now, **({"server": local} if local else {})),
            lambda: _card_state_unit(pool, settings),
            integrated,
            settings.counterpart_tls(),
        )
    finally:
        await pool.close()
    return (
        f"linkage-gateway demo: {created} bindings created, {DEMO_PERSONS - created} present;"
        f" {states}"
    )


async def rotate_keys(service_settings: ServiceSettings, args: list[str]) -> int:
    """``rotate-keys``: make a new key-encryption key active and rewrap every value under it
    while the service keeps serving; ``rotate-keys --status`` only reports. Old keys are
    removed once no value uses them."""
    settings = Settings.of(service_settings)
    store = key_store(settings)
    if "--status" not in args:
        new_id = store.add_kek(activate=True)
        print(f"new active key-encryption key: {new_id}")
    sealer = EnvelopeSealer(store)
    pool = await database.create_pool(settings, min_size=1, max_size=2)
    try:
        if "--status" not in args:
            print(f"rewrapped: {await rotate(pool, sealer)}")
        async with pool.acquire() as conn:
            in_use = await keys_in_use(conn)
    finally:
        await pool.close()
    for kek_id in store.kek_ids():
        if kek_id != store.active_kek_id() and in_use.get(kek_id, 0) == 0:
            store.retire(kek_id)
            print(f"retired: {kek_id}")
    print(f"values per key: {in_use}")
    return 0 if set(in_use) <= {store.active_kek_id()} else 1


async def rotate_index_key(service_settings: ServiceSettings, args: list[str]) -> int:
    """``rotate-index-key``: make a new index key active and re-index every binding under it
    while the service keeps serving (lookups try every key held meanwhile); ``--status`` only
    reports. Old index keys are removed once no binding uses them."""
    settings = Settings.of(service_settings)
    store = key_store(settings)
    if "--status" not in args:
        print(f"new active index key: {store.add_index_key(activate=True)}")
    sealer = EnvelopeSealer(store)
    pool = await database.create_pool(settings, min_size=1, max_size=2)
    try:
        if "--status" not in args:
            print(f"re-indexed: {await reindex(pool, sealer)}")
        async with pool.acquire() as conn:
            in_use = await index_keys_in_use(conn)
    finally:
        await pool.close()
    active = store.active_index_key_id()
    for key_id in store.index_key_ids():
        if key_id != active and in_use.get(key_id, 0) == 0:
            store.retire_index_key(key_id)
            print(f"retired: {key_id}")
    print(f"bindings per index key: {in_use}")
    return 0 if set(in_use) <= {active} else 1


async def purge_inquiry_results_command(service_settings: ServiceSettings, args: list[str]) -> int:
    """``purge-inquiry-results``: delete inquiry results past the retention now (C-77)."""
    settings = Settings.of(service_settings)
    pool = await database.create_pool(settings, min_size=1, max_size=2)
    try:
        count = await purge_inquiry_results(
            pool, retention=timedelta(days=settings.inquiry_result_retention_days)
        )
    finally:
        await pool.close()
    print(f"inquiry results deleted: {count}")
    return 0


async def retention_command(service_settings: ServiceSettings, args: list[str]) -> int:
    """``retention [--dry-run]``: erase what the gateway holds of persons eligibility has
    erased after their retention, asking the intermediate server to delete their replicas
    first (C-95..C-97, ADR 0097); prints the report as JSON. Exit 0 done, 1 when a replica
    deletion was not taken (those persons are kept and tried again), 2 bad arguments."""
    unknown = [a for a in args if a != "--dry-run"]
    if unknown:
        print(f"retention: unknown arguments {unknown}; usage: retention [--dry-run]")
        return 2
    settings = Settings.of(service_settings)
    ports = make_ports(settings, utc_now)
    pool = await database.create_pool(settings, min_size=1, max_size=2)
    try:
        report = await apply_retention(
            lambda: pool, ports.server, now=utc_now(), dry_run="--dry-run" in args
        )
    finally:
        await pool.close()
    print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    return 1 if report.kept.get("intermediate_server_unavailable") else 0


async def fetch_continuation_file_command(
    service_settings: ServiceSettings, args: list[str]
) -> int:
    """``fetch-continuation-file [YYYY-MM-DD]``: the day's KKH-SKK file (default today, Japan
    time) fetched from the federation and received; for a scheduler outside ``serve`` (cron,
    a Kubernetes CronJob). Exit 0 when received or already in, 1 when refused, unavailable or
    not there yet."""
    settings = Settings.of(service_settings)
    now = datetime.now(UTC)
    try:
        file_date = date.fromisoformat(args[0]) if args else now.astimezone(JST).date()
    except ValueError:
        print(f"not a date (YYYY-MM-DD): {args[0]!r}")
        return 2
    ports = make_ports(settings, utc_now)
    pool = await database.create_pool(settings, min_size=1, max_size=2)

    def unit() -> GatewayUnit:
        trail = RequestAudit.of_system(lambda: pool, CONTINUATION_JOB, CONTINUATION_OPERATION)
        return GatewayUnit(lambda: pool, audit=trail, events_topic=settings.events_topic)

    try:
        result = await fetch_continuation_file(ports, unit, file_date=file_date, at=now)
    finally:
        await pool.close()
    if result is None:
        print("continuation file not received (see the log: refused or federation unavailable)")
        return 1
    if not result.available:
        print(f"{result.file_name}: the federation has no file for {file_date} yet")
        return 1
    if result.receipt is None:
        print(f"{result.file_name}: already received, nothing changed")
        return 0
    r = result.receipt
    print(f"{result.file_name}: {r.records} records, {r.differences} differences")
    return 0


def _card_state_unit(pool: asyncpg.Pool, settings: Settings) -> GatewayUnit:
    """A unit of the card-state fetch, audited as its job (the command's and the seed's)."""
    trail = RequestAudit.of_system(lambda: pool, CARD_STATE_JOB, card_status.OPERATION)
    return GatewayUnit(lambda: pool, audit=trail, events_topic=settings.events_topic)


async def fetch_card_states_command(service_settings: ServiceSettings, args: list[str]) -> int:
    """``fetch-card-states``: the マイナ保険証 states from the online-qualification side, the
    changed ones published as MynaInsuranceCardStatusChanged (issue 14); for a scheduler
    outside ``serve``. Exit 0 when fetched (even if nothing changed), 1 when the side did not
    answer, 2 for arguments."""
    if args:
        print("fetch-card-states takes no arguments")
        return 2
    settings = Settings.of(service_settings)
    ports = make_ports(settings, utc_now)
    pool = await database.create_pool(settings, min_size=1, max_size=2)
    try:
        run = await fetch_card_states(
            ports, lambda: _card_state_unit(pool, settings), at=datetime.now(UTC)
        )
    finally:
        await pool.close()
    if run is None:
        print("card states not fetched (see the log: the online-qualification side did not answer)")
        return 1
    print(
        f"card states: {run.reported} reported, {run.published} published,"
        f" {run.unchanged} unchanged, {run.unknown_person} of persons not bound here,"
        f" {len(run.refused)} refused"
    )
    for reason in run.refused[:20]:
        print(f"  refused {reason}")
    return 0
