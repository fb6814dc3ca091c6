"""The edge guard: oversized bodies, control characters in path and query, authentication
before a body is read; each refusal a problem, never a 500, and audited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from kokuho.events.individual_numbers import check_digit
from kokuho.platform import audit as audit_module

pytestmark = pytest.mark.integration


async def audited(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT user_id, operation, outcome, status_code, subject_addressee_numbers, detail"
        " FROM audit_log ORDER BY seq"
    )


async def test_control_characters_in_path_and_query_are_422_and_audited(
    pg_service: Any, pool: asyncpg.Pool
) -> None:
    async with pg_service.client() as client:
        in_path = await client.get("/api/v1/insured/1000000001%00", headers=pg_service.headers())
        anonymous = await client.get("/api/v1/insured/1000000001%00")
        in_query = await client.post(
            "/api/v1/rules/1000000001?kind=en%07rolled", headers=pg_service.headers()
        )
    for response, pointer in (
        (in_path, "/path/addressee_number"),
        (anonymous, "/path/addressee_number"),
        (in_query, "/query/kind"),
    ):
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"] == [
            {"pointer": pointer, "reason": "control or invisible format characters are not allowed"}
        ]
    records = await audited(pool)
    assert [(r["operation"], r["outcome"], r["status_code"]) for r in records] == [
        ("GET /api/v1/insured/{addressee_number}", "failed", 422),
        ("GET /api/v1/insured/{addressee_number}", "failed", 422),
        ("POST /api/v1/rules/{addressee_number}", "failed", 422),
    ]
    assert all(r["subject_addressee_numbers"] == [] for r in records)
    async with pool.acquire() as conn:
        assert (await audit_module.verify(conn)).ok


def a_number(first_eleven: str = "31415926535") -> str:
    """A synthetic individual number: eleven digits and the check digit we compute."""
    return first_eleven + str(check_digit(first_eleven))


async def test_an_individual_number_in_path_or_query_is_422_never_echoed(
    pg_service: Any, pool: asyncpg.Pool
) -> None:
    number = a_number()
    full_width = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    carded = f"{number[:4]}-{number[4:8]}-{number[8:]}"
    async with pg_service.client() as client:
        answers = [
            (
                await client.get(f"/api/v1/insured/{number}", headers=pg_service.headers()),
                "/path/addressee_number",
            ),
            (await client.get(f"/api/v1/insured/{carded}"), "/path/addressee_number"),
            (
                await client.post(
                    f"/api/v1/rules/1000000001?kind={full_width}", headers=pg_service.headers()
                ),
                "/query/kind",
            ),
        ]
        # twelve digits without a valid check digit are an id like any other
        other = number[:11] + str((int(number[11]) + 1) % 10)
        passed = await client.get(f"/api/v1/insured/{other}", headers=pg_service.headers())
    assert passed.status_code != 422, passed.text
    for response, pointer in answers:
        assert response.status_code == 422, response.text
        assert response.json()["errors"] == [
            {"pointer": pointer, "reason": "an individual number is not accepted here"}
        ]
        assert number not in response.text
        assert full_width not in response.text
    records = await audited(pool)
    assert [(r["outcome"], r["status_code"]) for r in records][:3] == [("failed", 422)] * 3
    for r in records:
        assert number not in str(r["detail"])
        assert number not in "".join(r["subject_addressee_numbers"])


async def test_a_request_id_carrying_a_number_is_replaced(pg_service: Any) -> None:
    number = a_number()
    async with pg_service.client() as client:
        kept = await client.get("/healthz", headers={"X-Request-Id": "counter-7-abc"})
        replaced = await client.get("/healthz", headers={"X-Request-Id": f"req-{number}"})
    assert kept.headers["x-request-id"] == "counter-7-abc"
    assert number not in replaced.headers["x-request-id"]
    assert len(replaced.headers["x-request-id"]) == 36  # a fresh UUID


async def test_a_body_is_not_read_before_authentication(
    pg_service: Any, pool: asyncpg.Pool
) -> None:
    reads = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal reads
        for _ in range(4):
            reads += 1
            yield b"x" * 1024

    async with pg_service.client() as client:
        response = await client.post("/api/v1/enrolments", content=body())
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert reads == 0
    [record] = await audited(pool)
    assert (record["user_id"], record["operation"], record["outcome"]) == (
        "anonymous",
        "POST /api/v1/enrolments",
        "denied",
    )
    assert '"required_roles"' in record["detail"]


async def test_oversized_bodies_are_413_declared_or_streamed(
    pg_service: Any, pool: asyncpg.Pool
) -> None:
    big = b'{"addressee_number": "' + b"1" * (1024 * 1024) + b'", "birth_date": "2000-01-01"}'

    async def streamed() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    async with pg_service.client() as client:
        declared = await client.post(
            "/api/v1/enrolments",
            content=big,
            headers=pg_service.headers() | {"content-type": "application/json"},
        )
        chunked = await client.post(
            "/api/v1/enrolments",
            content=streamed(),
            headers=pg_service.headers() | {"content-type": "application/json"},
        )
        small = await client.post(
            "/api/v1/enrolments",
            json={"addressee_number": "1000000001", "birth_date": "2000-01-01"},
            headers=pg_service.headers(),
        )
    for response in (declared, chunked):
        assert response.status_code == 413, response.text
        assert response.json()["type"] == "urn:kokuho:problem:request-too-large"
    assert small.status_code == 201
    assert await pool.fetchval("SELECT count(*) FROM enrolments") == 1
    statuses = [r["status_code"] for r in await audited(pool)]
    assert statuses.count(413) == 2


async def test_control_characters_in_token_claims_are_401_not_500(
    pg_service: Any, pool: asyncpg.Pool
) -> None:
    async with pg_service.client() as client:
        responses = [
            await client.get("/api/v1/insured/1000000001", headers=pg_service.headers(**claims))
            for claims in (
                {"user_id": "U\u00001"},
                {"terminal_id": "T\u0000"},
                {"roles": ("eligibility.clerk\u0000",)},
            )
        ]
    assert [r.status_code for r in responses] == [401, 401, 401]
    records = await audited(pool)
    assert [(r["user_id"], r["outcome"], r["status_code"]) for r in records] == [
        ("anonymous", "denied", 401)
    ] * 3


async def test_a_number_in_the_subject_or_terminal_claim_is_401_and_never_stored(
    pg_service: Any, pool: asyncpg.Pool
) -> None:
    number = a_number()
    async with pg_service.client() as client:
        responses = [
            await client.get("/api/v1/insured/1000000001", headers=pg_service.headers(**claims))
            for claims in ({"user_id": f"staff-{number}"}, {"terminal_id": number})
        ]
    assert [r.status_code for r in responses] == [401, 401]
    records = await audited(pool)
    assert [(r["user_id"], r["status_code"]) for r in records] == [("anonymous", 401)] * 2
    assert all(number not in str(dict(r)) for r in records)


async def test_an_idempotency_key_carrying_a_number_is_400_and_never_stored(
    pg_service: Any, pool: asyncpg.Pool
) -> None:
    number = a_number()
    async with pg_service.client() as client:
        refused = await client.post(
            "/api/v1/enrolments",
            json={"addressee_number": "1000000001", "birth_date": "2000-01-01"},
            headers=pg_service.headers() | {"Idempotency-Key": f"form-{number}"},
        )
        kept = await client.post(
            "/api/v1/enrolments",
            json={"addressee_number": "1000000001", "birth_date": "2000-01-01"},
            headers=pg_service.headers() | {"Idempotency-Key": "form-2026-0001"},
        )
    assert refused.status_code == 400, refused.text
    assert refused.json()["type"].endswith("invalid-idempotency-key")
    assert number not in refused.text
    assert kept.status_code == 201, kept.text
    keys = [r["key"] for r in await pool.fetch("SELECT key FROM idempotency_keys")]
    assert keys == ["form-2026-0001"]


async def test_a_token_living_longer_than_the_maximum_is_401(
    pg_service: Any, pool: asyncpg.Pool
) -> None:
    async with pg_service.client() as client:
        day = await client.get(
            "/api/v1/insured/1000000001", headers=pg_service.headers(ttl_seconds=12 * 3600)
        )
        longer = await client.get(
            "/api/v1/insured/1000000001", headers=pg_service.headers(ttl_seconds=12 * 3600 + 1)
        )
    assert day.status_code == 200
    assert longer.status_code == 401
    records = await audited(pool)
    assert '"token lifetime over the maximum"' in records[-1]["detail"]


def test_a_service_without_registered_terminals_does_not_build(tmp_path: Any) -> None:
    """C-15 fails closed: serving needs the list of registered terminals."""
    from kokuho.platform.auth import TokenVerifier
    from kokuho.platform.settings import ServiceSettings
    from kokuho.platform.token import new_private_key

    key = new_private_key("ES256")
    pem = tmp_path / "public.pem"
    from cryptography.hazmat.primitives import serialization

    pem.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    settings = ServiceSettings(service_name="t", auth_public_key_path=pem)
    with pytest.raises(ValueError, match="allowed_terminal_ids"):
        TokenVerifier.from_settings(settings)
    registered = ServiceSettings(
        service_name="t", auth_public_key_path=pem, allowed_terminal_ids=frozenset({"t1"})
    )
    assert TokenVerifier.from_settings(registered).allowed_terminal_ids == frozenset({"t1"})


def test_unusable_auth_settings_refuse_start_up_without_a_traceback(tmp_path: Any) -> None:
    """``serve`` turns a StartupRefused into one line and exit status 2 (commands.main): no
    key, no terminal list, a missing or non-PEM key file all refuse that way."""
    from kokuho.platform.auth import TokenVerifier
    from kokuho.platform.settings import ServiceSettings, StartupRefused

    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello")
    terminals = frozenset({"t1"})
    cases = {
        "auth_public_key_path is not configured": ServiceSettings(
            service_name="t", allowed_terminal_ids=terminals
        ),
        "cannot read the public key file": ServiceSettings(
            service_name="t",
            auth_public_key_path=tmp_path / "missing.pem",
            allowed_terminal_ids=terminals,
        ),
        "no PEM public key found": ServiceSettings(
            service_name="t", auth_public_key_path=not_pem, allowed_terminal_ids=terminals
        ),
    }
    for reason, settings in cases.items():
        with pytest.raises(StartupRefused, match=reason):
            TokenVerifier.from_settings(settings)


def test_a_token_for_one_service_is_refused_by_another(tmp_path: Any) -> None:
    """Issue 9: each service takes only tokens naming it (``kokuho.<service>``); a
    development token (``make token``) names every service of the checkout."""
    from cryptography.hazmat.primitives import serialization

    from kokuho.platform.auth import AuthError, TokenVerifier
    from kokuho.platform.settings import ServiceSettings
    from kokuho.platform.token import local_audiences, mint_token, new_private_key

    key = new_private_key("ES256")
    pem = tmp_path / "public.pem"
    pem.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )

    def verifier(service: str) -> TokenVerifier:
        return TokenVerifier.from_settings(
            ServiceSettings(
                service_name=service,
                auth_public_key_path=pem,
                allowed_terminal_ids=frozenset({"t1"}),
            )
        )

    def token(audience: str | list[str]) -> str:
        return mint_token(key, user_id="u", roles=["r"], terminal_id="t1", audience=audience)

    assert verifier("eligibility").authenticate(token("kokuho.eligibility")).user_id == "u"
    for wrong in ("kokuho.eligibility", "kokuho"):
        with pytest.raises(AuthError, match="wrong audience"):
            verifier("assessment").authenticate(token(wrong))
    development = token(local_audiences())
    assert "kokuho.assessment" in local_audiences()
    for service in ("assessment", "eligibility", "linkage-gateway"):
        assert verifier(service).authenticate(development).user_id == "u"
