"""The vault through its HTTP API on the real PostgreSQL and Kafka: nothing in plain text in
the database, the logs or the topic; refusals change nothing; every touch is audited."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg
import httpx
import pytest

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.linkage_gateway.adapters.crypto import EnvelopeSealer
from kokuho.linkage_gateway.adapters.keys import KeyStore
from kokuho.linkage_gateway.adapters.postgres_vault import (
    PostgresVault,
    index_keys_in_use,
    keys_in_use,
    reindex,
    rotate,
)
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber
from kokuho.linkage_gateway.synthetic import with_wrong_check_digit
from kokuho.platform.testing import database_tables, database_text

from ..conftest import read_until
from .test_intermediate_server import addressee as fresh_addressee

pytestmark = pytest.mark.integration

Numbers = Callable[[], IndividualNumber]
OPERATOR = "linkage.operator"
CLERK = "eligibility.clerk"


def hex_of(number: IndividualNumber) -> str:
    return number.value.encode().hex()


async def register(gw, addressee: str, number: str, *, key: str | None = None):  # type: ignore[no-untyped-def]
    headers = gw.headers(CLERK)
    if key:
        headers["Idempotency-Key"] = key
    return await gw.client.post(
        "/api/v1/individual-numbers",
        json={"addressee_number": addressee, "individual_number": number},
        headers=headers,
    )


async def test_registration_stores_and_logs_no_plain_number(gateway, numbers: Numbers) -> None:  # type: ignore[no-untyped-def]
    people = {f"{1_000_000_000 + i:010d}": numbers() for i in range(5)}
    for addressee, number in people.items():
        r = await register(gateway, addressee, number.value)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["individual_number_masked"] == number.masked
        assert number.value not in r.text

    text = await database_text(gateway.settings.database_dsn)
    # the scan saw the platform's tables and ours
    assert len(await database_tables(gateway.settings.database_dsn)) > 5
    assert "1000000000" in text  # the scan does see our rows
    for number in people.values():
        assert number.value not in text
        assert hex_of(number) not in text
    logs = "\n".join(gateway.logs.lines)
    for number in people.values():
        assert number.value not in logs


async def test_repeat_with_idempotency_key_and_same_number_again(gateway, numbers: Numbers) -> None:  # type: ignore[no-untyped-def]
    number = numbers()
    first = await register(gateway, "2000000001", number.value, key="k-1")
    replay = await register(gateway, "2000000001", number.value, key="k-1")
    again = await register(gateway, "2000000001", number.value)
    assert (first.status_code, replay.status_code, again.status_code) == (201, 201, 200)
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["created"] is False
    assert gateway.jlis.calls == 1


async def test_refusals_are_named_and_change_nothing(gateway, numbers: Numbers) -> None:  # type: ignore[no-untyped-def]
    n1, n2, n3 = numbers(), numbers(), numbers()
    assert (await register(gateway, "3000000001", n1.value)).status_code == 201
    dsn = gateway.settings.database_dsn

    async def vault_rows() -> list[tuple[str, str]]:
        conn = await asyncpg.connect(dsn)
        try:
            rows = await conn.fetch(
                "SELECT addressee_number, number_index FROM integrated_addressee ORDER BY 1"
            )
            return [(r[0], r[1]) for r in rows]
        finally:
            await conn.close()

    before = await vault_rows()
    cases = [
        ("3000000001", n2.value, "second-number-for-person"),
        ("3000000002", n1.value, "number-bound-to-another-person"),
        ("3000000003", with_wrong_check_digit(n3), "invalid-individual-number"),
        ("3000000005", "", "invalid-individual-number"),
    ]
    for addressee, value, slug in cases:
        r = await register(gateway, addressee, value)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["type"].endswith(slug)
        assert not value or value not in r.text
    other_affair = await gateway.client.post(
        "/api/v1/individual-numbers",
        json={
            "addressee_number": "3000000004",
            "individual_number": n3.value,
            "affair": "nhi-benefits",
        },
        headers=gateway.headers(CLERK),
    )
    assert other_affair.status_code == 403
    assert other_affair.json()["type"].endswith("resolution-not-permitted")
    gateway.jlis.mark_not_issued(n3)
    r = await register(gateway, "3000000003", n3.value)
    assert r.status_code == 422
    assert r.json()["type"].endswith("number-not-authentic")
    assert await vault_rows() == before

    listing = await gateway.client.get(
        "/api/v1/binding-confirmations", headers=gateway.headers(OPERATOR)
    )
    assert listing.status_code == 200
    rules = sorted((i["addressee_number"], i["rule"]) for i in listing.json()["items"])
    assert rules == [
        ("3000000001", "SecondNumberForPerson"),
        ("3000000002", "NumberBoundToAnotherPerson"),
        ("3000000005", "BlankNumber"),
    ]


async def test_resolution_is_permitted_only_by_role_and_affair_and_audited(
    gateway, numbers: Numbers
) -> None:  # type: ignore[no-untyped-def]
    number = numbers()
    assert (await register(gateway, "4000000001", number.value)).status_code == 201
    url = "/api/v1/persons/4000000001/individual-number"
    ok = await gateway.client.get(
        url, params={"affair": "nhi-eligibility"}, headers=gateway.headers(OPERATOR, user="U-OK")
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["individual_number_masked"] == number.masked
    assert len(ok.json()["integrated_addressee_number"]) == 16
    assert number.value not in ok.text

    other_affair = await gateway.client.get(
        url, params={"affair": "nhi-benefits"}, headers=gateway.headers(OPERATOR, user="U-AFF")
    )
    assert other_affair.status_code == 403
    assert other_affair.json()["type"].endswith("resolution-not-permitted")
    wrong_role = await gateway.client.get(
        url, params={"affair": "nhi-eligibility"}, headers=gateway.headers("collection.clerk")
    )
    assert wrong_role.status_code == 403

    lookup = await gateway.client.post(
        "/api/v1/individual-numbers/lookups",
        json={"individual_number": number.value, "affair": "nhi-eligibility"},
        headers=gateway.headers(OPERATOR, user="U-LOOK"),
    )
    assert lookup.status_code == 200
    assert lookup.json() == {
        "addressee_number": "4000000001",
        "individual_number_masked": number.masked,
    }

    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        rows = await conn.fetch(
            "SELECT user_id, outcome, status_code, subject_addressee_numbers, detail::text AS d"
            " FROM audit_log WHERE '4000000001' = ANY(subject_addressee_numbers) ORDER BY seq"
        )
    finally:
        await conn.close()
    seen = [(r["user_id"], r["outcome"], r["status_code"]) for r in rows]
    assert ("U-OK", "allowed", None) in seen or ("U-OK", "allowed", 200) in seen
    assert ("U-AFF", "failed", 403) in seen
    assert ("U-LOOK", "allowed", 200) in seen
    assert all(number.value not in r["d"] for r in rows)


async def test_key_rotation_leaves_every_number_readable_under_the_new_key(
    gateway, numbers: Numbers
) -> None:  # type: ignore[no-untyped-def]
    people = {f"{5_000_000_000 + i:010d}": numbers() for i in range(7)}
    for addressee, number in people.items():
        assert (await register(gateway, addressee, number.value)).status_code == 201
    store = KeyStore(gateway.settings.key_directory)
    old = store.active_kek_id()
    new = store.add_kek(activate=True)
    pool = await asyncpg.create_pool(gateway.settings.database_dsn, min_size=1, max_size=2)
    try:
        # the server keeps answering while the rotation runs
        rotated, *answers = await asyncio.gather(
            rotate(pool, EnvelopeSealer(store), batch=2),
            *(
                gateway.client.get(
                    f"/api/v1/persons/{a}/individual-number",
                    params={"affair": "nhi-eligibility"},
                    headers=gateway.headers(OPERATOR),
                )
                for a in people
            ),
        )
        async with pool.acquire() as conn:
            in_use = await keys_in_use(conn)
    finally:
        await pool.close()
    assert rotated == 7
    assert in_use == {new: 7}
    assert all(a.status_code == 200 for a in answers)
    store.retire(old)
    # every number opens in full under the new key alone (the old one is gone)
    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        for addressee, number in people.items():
            sealed = await PostgresVault(conn).sealed_of(addressee)
            assert sealed is not None
            assert sealed.kek_id == new
            opened = EnvelopeSealer(KeyStore(gateway.settings.key_directory)).open(
                sealed, addressee_number=addressee
            )
            assert opened == number
    finally:
        await conn.close()
    for addressee, number in people.items():
        r = await gateway.client.get(
            f"/api/v1/persons/{addressee}/individual-number",
            params={"affair": "nhi-eligibility"},
            headers=gateway.headers(OPERATOR),
        )
        assert r.status_code == 200
        assert r.json()["individual_number_masked"] == number.masked
    new_person = numbers()
    assert (await register(gateway, "5000000099", new_person.value)).status_code == 201


async def lookup(gw, number: IndividualNumber):  # type: ignore[no-untyped-def]
    return await gw.client.post(
        "/api/v1/individual-numbers/lookups",
        json={"individual_number": number.value, "affair": "nhi-eligibility"},
        headers=gw.headers(OPERATOR),
    )


async def test_index_key_rotation_reindexes_every_binding_while_lookups_go_on(
    gateway, numbers: Numbers
) -> None:  # type: ignore[no-untyped-def]
    people = {f"{6_000_000_000 + i:010d}": numbers() for i in range(7)}
    for addressee, number in people.items():
        assert (await register(gateway, addressee, number.value)).status_code == 201
    store = KeyStore(gateway.settings.key_directory)
    old = store.active_index_key_id()
    new = store.add_index_key(activate=True)
    # before the re-index: found through the old key, and the same number is not bound twice
    first = next(iter(people.values()))
    found = await lookup(gateway, first)
    assert found.status_code == 200, found.text
    assert (
        (await register(gateway, "6000000098", first.value))
        .json()["type"]
        .endswith("number-bound-to-another-person")
    )
    pool = await asyncpg.create_pool(gateway.settings.database_dsn, min_size=1, max_size=2)
    try:
        reindexed, *answers = await asyncio.gather(
            reindex(pool, EnvelopeSealer(store), batch=2),
            *(lookup(gateway, n) for n in people.values()),
        )
        async with pool.acquire() as conn:
            in_use = await index_keys_in_use(conn)
    finally:
        await pool.close()
    assert reindexed == 7
    assert in_use == {new: 7}
    assert all(a.status_code == 200 for a in answers)
    store.retire_index_key(old)
    assert store.index_key_ids() == [new]
    for addressee, number in people.items():  # found under the new key alone
        r = await lookup(gateway, number)
        assert r.status_code == 200, r.text
        assert r.json()["addressee_number"] == addressee
    assert (
        (await register(gateway, "6000000098", first.value))
        .json()["type"]
        .endswith("number-bound-to-another-person")
    )
    later = numbers()
    assert (await register(gateway, "6000000099", later.value)).status_code == 201
    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        rows = await conn.fetch("SELECT number_index FROM integrated_addressee")
    finally:
        await conn.close()
    assert all(r["number_index"].startswith(new + ":") for r in rows)


async def test_the_public_topic_carries_no_number(
    gateway, numbers: Numbers, kafka: KafkaConnection
) -> None:  # type: ignore[no-untyped-def]
    mine = fresh_addressee()  # fresh on every run
    number = numbers()
    assert (await register(gateway, mine, number.value)).status_code == 201
    value = await read_until(
        kafka, gateway.settings.events_topic, mine.encode(), b"individual_number_bound"
    )
    assert number.value.encode() not in value


async def test_jlis_unreachable_answers_503_and_binds_nothing(gateway, numbers: Numbers) -> None:  # type: ignore[no-untyped-def]
    number = numbers()

    async def down(_: object) -> object:
        raise ConnectionRefusedError("J-LIS unreachable")

    gateway.jlis.confirm = down
    r = await register(gateway, "7000000001", number.value)
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"].endswith("counterpart-unavailable")
    assert number.value not in r.text
    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM integrated_addressee") == 0
        assert await conn.fetchval("SELECT count(*) FROM affair_subjects") == 0
        assert await conn.fetchval("SELECT count(*) FROM events") == 0
    finally:
        await conn.close()
    assert number.value not in "\n".join(gateway.logs.lines)


async def test_a_lookup_outside_the_affairs_subjects_looks_like_no_holder(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers
) -> None:
    held, unheld = numbers(), numbers()
    assert (await register(gateway, "8000000001", held.value)).status_code == 201  # nhi-eligibility

    async def look_up(number: IndividualNumber) -> httpx.Response:
        return await gateway.client.post(
            "/api/v1/individual-numbers/lookups",
            json={"individual_number": number.value, "affair": "nhi-benefits"},
            headers=gateway.headers(OPERATOR, user="U-PROBE"),
        )

    other_affair, nobody = await look_up(held), await look_up(unheld)
    assert (other_affair.status_code, nobody.status_code) == (404, 404)
    assert other_affair.json() == nobody.json()  # C-02: no hint that someone holds it
    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        rows = await conn.fetch(
            "SELECT outcome, subject_addressee_numbers AS s, detail->>'reason' AS reason"
            " FROM audit_log WHERE user_id = 'U-PROBE' ORDER BY seq"
        )
    finally:
        await conn.close()
    # the refused lookup is on the record with the holder it reached; the other names no one
    named = [(r["outcome"], r["reason"]) for r in rows if list(r["s"]) == ["8000000001"]]
    assert named == [("failed", "not-a-subject")]
    assert all(list(r["s"]) in ([], ["8000000001"]) for r in rows)


async def test_a_shown_number_is_verified_as_match_or_mismatch_and_every_call_is_audited(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers
) -> None:
    own, other = numbers(), numbers()
    assert (await register(gateway, "9000000001", own.value)).status_code == 201

    async def verify(number: str, affair: str = "nhi-eligibility") -> httpx.Response:
        return await gateway.client.post(
            "/api/v1/individual-numbers/verifications",
            json={"addressee_number": "9000000001", "individual_number": number, "affair": affair},
            headers=gateway.headers(CLERK, user="U-COUNTER"),
        )

    answers = [
        await verify(own.value),
        await verify(other.value),
        await verify(with_wrong_check_digit(own)),
        await verify(own.value, affair="nhi-benefits"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 422, 403]
    assert answers[0].json() == {
        "addressee_number": "9000000001",
        "affair": "nhi-eligibility",
        "match": True,
    }
    assert answers[1].json()["match"] is False
    assert answers[2].json()["type"].endswith("invalid-individual-number")
    for a in answers:
        assert own.value not in a.text
    assert all("masked" not in a.text for a in answers[:2])  # not even the last four digits
    wrong_role = await gateway.client.post(
        "/api/v1/individual-numbers/verifications",
        json={"addressee_number": "9000000001", "individual_number": own.value},
        headers=gateway.headers("assessment.clerk", user="U-OTHER"),
    )
    assert wrong_role.status_code == 403
    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        rows = await conn.fetch(
            "SELECT user_id, outcome, detail::text AS d FROM audit_log"
            " WHERE operation = 'POST /api/v1/individual-numbers/verifications' ORDER BY seq"
        )
    finally:
        await conn.close()
    assert [(r["user_id"], r["outcome"]) for r in rows] == [
        ("U-COUNTER", "allowed"),
        ("U-COUNTER", "allowed"),
        ("U-COUNTER", "failed"),
        ("U-COUNTER", "failed"),
        ("U-OTHER", "denied"),
    ]
    assert '"match": true' in rows[0]["d"]
    assert '"match": false' in rows[1]["d"]
    assert all(own.value not in r["d"] for r in rows)


async def test_the_mapping_is_one_to_one_in_the_schema_itself(gateway) -> None:  # type: ignore[no-untyped-def]
    """C-75: besides the rules, the table refuses a second row with the same integrated
    addressee number or the same number (index), whatever writes to it."""
    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        unique = await conn.fetch(
            "SELECT array_agg(a.attname::text ORDER BY a.attname) AS cols"
            " FROM pg_index i JOIN pg_attribute a"
            "   ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indrelid = 'integrated_addressee'::regclass AND i.indisunique"
            " GROUP BY i.indexrelid"
        )
    finally:
        await conn.close()
    single = sorted(r["cols"][0] for r in unique if len(r["cols"]) == 1)
    assert single == ["addressee_number", "integrated_addressee_number", "number_index"]
