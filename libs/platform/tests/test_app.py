"""The platform wired into a small app, with in-memory fakes (no database)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI

from kokuho.platform.app import create_app
from kokuho.platform.auth import (
    TokenVerifier,
    UnguardedRouteError,
    require_roles,
    unguarded_routes,
)
from kokuho.platform.problems import json_pointer, slug_from_class_name
from kokuho.platform.settings import ServiceSettings
from kokuho.platform.token import new_private_key

PROBLEM = "application/problem+json"


def build(router: APIRouter) -> FastAPI:
    return create_app(
        ServiceSettings(service_name="t"),
        audit_log=None,  # type: ignore[arg-type]
        token_verifier=TokenVerifier([new_private_key().public_key()]),  # type: ignore[list-item]
        routers=[router],
        telemetry=False,
        configure_logs=False,
    )


def test_route_without_roles_is_refused_at_build_time() -> None:
    router = APIRouter()

    @router.get("/api/v1/guarded", dependencies=[require_roles("auditor")])
    async def guarded() -> None: ...

    @router.get("/api/v1/open/{addressee_number}")
    async def open_route(addressee_number: str) -> None: ...

    with pytest.raises(UnguardedRouteError, match="GET /api/v1/open/"):
        build(router)


def test_guarded_routes_build() -> None:
    router = APIRouter(prefix="/api/v1", dependencies=[require_roles("auditor")])

    @router.get("/fine")
    async def fine() -> None: ...

    app = build(router)
    assert unguarded_routes(app) == []
    assert "/api/v1/fine" in app.openapi()["paths"]


def test_require_roles_needs_a_role() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        require_roles()


def test_helpers() -> None:
    assert json_pointer(("body", "items", 0, "a/b~c")) == "/body/items/0/a~1b~0c"
    assert slug_from_class_name("InsuredAlreadyEnrolledError") == "insured-already-enrolled"
    assert slug_from_class_name("HTTPTimeout") == "http-timeout"


async def test_validation_errors_have_pointers_and_no_input(service: Any) -> None:
    async with service.client() as client:
        response = await client.post(
            "/api/v1/enrolments",
            json={
                "addressee_number": "000123",
                "birth_date": "1980-13-45",
                "household_size": "123456789012x",
            },
            headers=service.headers(),
        )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == "urn:kokuho:problem:validation-error"
    assert body["status"] == 422
    pointers = {e["pointer"] for e in body["errors"]}
    assert pointers == {"/body/birth_date", "/body/household_size"}
    assert all(e["reason"] for e in body["errors"])
    assert "123456789012" not in response.text
    assert "1980-13-45" not in response.text


async def test_missing_body_field(service: Any) -> None:
    async with service.client() as client:
        response = await client.post(
            "/api/v1/enrolments", json={"birth_date": "1980-01-01"}, headers=service.headers()
        )
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["/body/addressee_number"]


@pytest.mark.parametrize("payload", [b"{not json", b"\xff\xfe", b"[1,2", b""])
async def test_malformed_json_is_a_problem_not_500(service: Any, payload: bytes) -> None:
    async with service.client() as client:
        response = await client.post(
            "/api/v1/enrolments",
            content=payload,
            headers=service.headers() | {"content-type": "application/json"},
        )
    assert response.status_code in (400, 422)
    assert response.headers["content-type"] == PROBLEM


async def test_unknown_path_and_method_are_problems(service: Any) -> None:
    async with service.client() as client:
        missing = await client.get("/api/v1/nothing")
        wrong = await client.delete("/healthz")
    assert (missing.status_code, missing.headers["content-type"]) == (404, PROBLEM)
    assert missing.json()["title"] == "Not Found"
    assert (wrong.status_code, wrong.headers["content-type"]) == (405, PROBLEM)


async def test_domain_errors_map_to_problems(service: Any) -> None:
    async with service.client() as client:
        refused = await client.post("/api/v1/rules/000123", headers=service.headers())
        stale = await client.post("/api/v1/rules/000123?kind=stale", headers=service.headers())
    assert refused.status_code == 422
    assert refused.json()["type"] == "urn:kokuho:problem:insured-already-enrolled"
    assert stale.status_code == 409
    assert stale.json()["type"] == "urn:kokuho:problem:stale-version"
    outcomes = [(r.outcome, r.status_code) for r in service.audit_log.records]
    assert outcomes == [("failed", 422), ("failed", 409)]


async def test_unhandled_error_is_bare_500_logged_with_request_id(
    service: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    async with service.client() as client:
        response = await client.get(
            "/api/v1/boom", headers=service.headers() | {"X-Request-Id": "req-500"}
        )
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["x-request-id"] == "req-500"
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert response.json()["status"] == 500
    assert any(r.exc_info for r in caplog.records)
    assert service.audit_log.records[-1].outcome == "failed"
    assert service.audit_log.records[-1].status_code == 500


async def test_request_id_taken_when_sane_else_generated(service: Any) -> None:
    async with service.client() as client:
        kept = await client.get("/healthz", headers={"X-Request-Id": "abc-123"})
        replaced = await client.get("/healthz", headers={"X-Request-Id": "bad id; drop table"})
        too_long = await client.get("/healthz", headers={"X-Request-Id": "a" * 65})
        fresh = await client.get("/healthz")
    assert kept.headers["x-request-id"] == "abc-123"
    for response in (replaced, too_long, fresh):
        assert len(response.headers["x-request-id"]) == 36


async def test_traceparent_is_echoed(service: Any) -> None:
    incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    async with service.client() as client:
        response = await client.get(
            "/api/v1/insured/000123", headers=service.headers() | {"traceparent": incoming}
        )
    assert response.status_code == 200
    traceparent = response.headers["traceparent"]
    assert traceparent.split("-")[1] == "4bf92f3577b34da6a3ce929d0e0e4736"


async def test_health_endpoints_need_no_token(make_service: Any) -> None:
    from kokuho.platform.health import health_router, run_checks

    async def ok() -> None: ...

    async def down() -> None:
        raise OSError("postgresql://user:secret@db")

    assert await run_checks({"a": ok, "b": down}) == {"a": "ok", "b": "failed"}
    app = FastAPI()
    app.include_router(health_router({"postgres": ok, "kafka": down}))
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        alive = await c.get("/healthz")
        ready = await c.get("/readyz")
    assert alive.status_code == 200
    assert ready.status_code == 503
    assert ready.headers["content-type"] == PROBLEM
    assert ready.json()["checks"] == {"postgres": "ok", "kafka": "failed"}
    assert "secret" not in ready.text


async def test_auth_refusals_and_audit_with_fakes(service: Any) -> None:
    async with service.client() as client:
        none = await client.get("/api/v1/insured/000123")
        bad = await client.get("/api/v1/insured/000123", headers={"Authorization": "Bearer x.y.z"})
        expired = await client.get(
            "/api/v1/insured/000123",
            headers=service.headers(now=time.time() - 7200, ttl_seconds=60),
        )
        no_role = await client.get("/api/v1/insured/000123", headers=service.headers(("x",)))
        ok = await client.get("/api/v1/insured/000123", headers=service.headers())
    assert [r.status_code for r in (none, bad, expired, no_role, ok)] == [401, 401, 401, 403, 200]
    assert none.headers["www-authenticate"] == "Bearer"
    assert none.json()["type"] == "urn:kokuho:problem:unauthenticated"
    assert no_role.json()["type"] == "urn:kokuho:problem:forbidden"
    records = service.audit_log.records
    assert [r.outcome for r in records] == ["denied"] * 4 + ["allowed"]
    assert all(r.subjects == ("000123",) for r in records)
    assert records[3].user_id == "U0001"


async def test_terminal_allow_list(make_service: Any) -> None:
    from kokuho.platform.audit import InMemoryAuditLog
    from kokuho.platform.idempotency import InMemoryIdempotencyStore

    svc = make_service(
        InMemoryAuditLog(), InMemoryIdempotencyStore(), allowed_terminal_ids=frozenset({"T-OK"})
    )
    async with svc.client() as client:
        denied = await client.get("/api/v1/quiet/1", headers=svc.headers(terminal_id="T-BAD"))
        allowed = await client.get("/api/v1/quiet/1", headers=svc.headers(terminal_id="T-OK"))
    assert (denied.status_code, allowed.status_code) == (403, 200)
    assert svc.audit_log.records[0].detail["reason"] == "terminal is not registered"


async def test_route_recording_nothing_is_still_audited(service: Any) -> None:
    async with service.client() as client:
        response = await client.get("/api/v1/quiet/000777", headers=service.headers())
    assert response.status_code == 200
    (record,) = service.audit_log.records
    assert record.operation == "GET /api/v1/quiet/{addressee_number}"
    assert record.subjects == ("000777",)
    assert (record.outcome, record.status_code) == ("allowed", 200)


async def test_each_record_names_the_roles_that_opened_the_function(service: Any) -> None:
    """C-43 (the yearly review: who used which role, when): the user's roles that the route
    asked for, not the others the user holds."""
    async with service.client() as client:
        response = await client.get(
            "/api/v1/quiet/000778", headers=service.headers(("eligibility.clerk", "auditor"))
        )
    assert response.status_code == 200
    (record,) = service.audit_log.records
    assert record.detail["roles_used"] == ["eligibility.clerk"]


async def test_idempotency_with_fake(service: Any) -> None:
    body = {"addressee_number": "000123", "birth_date": "1980-01-01"}
    headers = service.headers() | {"Idempotency-Key": "k-1"}
    async with service.client() as client:
        first = await client.post("/api/v1/enrolments", json=body, headers=headers)
        again = await client.post("/api/v1/enrolments", json=body, headers=headers)
        reordered = await client.post(
            "/api/v1/enrolments",
            content=json.dumps(dict(reversed(body.items()))),
            headers=headers | {"content-type": "application/json"},
        )
        other_body = await client.post(
            "/api/v1/enrolments", json=body | {"household_size": 2}, headers=headers
        )
        other_user = await client.post(
            "/api/v1/enrolments",
            json=body,
            headers=service.headers(user_id="U0002") | {"Idempotency-Key": "k-1"},
        )
        no_key = await client.post("/api/v1/enrolments", json=body, headers=service.headers())
    assert first.status_code == again.status_code == reordered.status_code == 201
    assert again.json() == first.json() == reordered.json()
    assert "idempotent-replayed" not in first.headers
    assert again.headers["idempotent-replayed"] == "true"
    assert other_body.status_code == 422
    assert other_body.json()["type"] == "urn:kokuho:problem:idempotency-key-reuse"
    assert other_user.status_code == 201
    assert other_user.json()["enrolment_no"] == 2
    assert no_key.status_code == 201
    assert service.counter.runs == 3


async def test_idempotency_in_flight_with_fake() -> None:
    from kokuho.platform.idempotency import (
        Idempotency,
        IdempotencyScope,
        InMemoryIdempotencyStore,
    )
    from kokuho.platform.problems import Problem

    store = InMemoryIdempotencyStore()
    scope = IdempotencyScope("U", "k", "POST", "/p", "h")
    first = Idempotency(store, scope)
    await first.begin()
    with pytest.raises(Problem) as caught:
        await Idempotency(store, scope).begin()
    assert caught.value.status == 409
    await store.release(scope)  # the first handler failed: the key is free again
    await Idempotency(store, scope).begin()


async def test_concurrent_requests_share_nothing(service: Any) -> None:
    async with service.client() as client:
        responses = await asyncio.gather(
            *(client.get(f"/api/v1/insured/{n:06d}", headers=service.headers()) for n in range(20))
        )
    assert {r.status_code for r in responses} == {200}
    ids = {r.headers["x-request-id"] for r in responses}
    assert len(ids) == 20
    assert {rec.request_id for rec in service.audit_log.records} == ids


async def test_openapi_and_docs_need_no_token(service: Any) -> None:
    async with service.client() as client:
        spec = await client.get("/openapi.json")
        docs = await client.get("/docs")
    assert spec.status_code == docs.status_code == 200
    paths = spec.json()["paths"]
    assert "/api/v1/insured/{addressee_number}" in paths
    assert "401" in paths["/api/v1/insured/{addressee_number}"]["get"]["responses"]


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError
    from pydantic_settings import SettingsConfigDict

    class EligibilitySettings(ServiceSettings):
        model_config = SettingsConfigDict(env_prefix="KOKUHO_ELIGIBILITY_")
        service_name: str = "eligibility"

    monkeypatch.setenv("KOKUHO_ELIGIBILITY_DATABASE_DSN", "postgresql://u:secret@h/db")
    monkeypatch.setenv("KOKUHO_ELIGIBILITY_ALLOWED_TERMINAL_IDS", "T-1, T-2")
    monkeypatch.setenv("KOKUHO_ELIGIBILITY_AUTH_ALGORITHMS", "EdDSA")
    settings = EligibilitySettings()
    assert settings.service_name == "eligibility"
    assert settings.allowed_terminal_ids == frozenset({"T-1", "T-2"})
    assert settings.auth_algorithms == ["EdDSA"]
    assert settings.audit_retention_years == 10
    assert settings.auth_required_amr == "iccard"
    assert "secret" not in repr(settings)
    monkeypatch.setenv("KOKUHO_ELIGIBILITY_AUDIT_RETENTION_YEARS", "5")
    with pytest.raises(ValidationError):
        EligibilitySettings()
    monkeypatch.setenv("KOKUHO_ELIGIBILITY_AUDIT_RETENTION_YEARS", "10")
    monkeypatch.setenv("KOKUHO_ELIGIBILITY_AUTH_ALGORITHMS", "HS256")
    with pytest.raises(ValidationError):
        EligibilitySettings()


async def test_router_and_route_roles_both_apply_and_audit_once(make_service: Any) -> None:
    from kokuho.platform.audit import InMemoryAuditLog
    from kokuho.platform.idempotency import InMemoryIdempotencyStore

    svc = make_service(InMemoryAuditLog(), InMemoryIdempotencyStore())
    router = APIRouter(prefix="/api/v2", dependencies=[require_roles("eligibility.clerk")])

    @router.get("/both/{addressee_number}", dependencies=[require_roles("auditor")])
    async def both(addressee_number: str) -> dict[str, str]:
        return {"ok": addressee_number}

    svc.app.include_router(router)
    async with svc.client() as client:
        one_role = await client.get("/api/v2/both/000001", headers=svc.headers())
        two_roles = await client.get(
            "/api/v2/both/000001", headers=svc.headers(("eligibility.clerk", "auditor"))
        )
    assert (one_role.status_code, two_roles.status_code) == (403, 200)
    records = svc.audit_log.records
    assert [(r.outcome, r.status_code) for r in records] == [("denied", 403), ("allowed", 200)]
    assert records[1].detail["roles_used"] == ["auditor", "eligibility.clerk"]
    assert "roles_used" not in records[0].detail  # a refusal names the roles required instead


async def test_the_documentation_pages_load_nothing_from_another_host(service: Any) -> None:
    """Issue 16: the city's individual-number network has no internet; Swagger UI and ReDoc
    come from the service itself (fastapi-offline), never from a CDN."""
    async with service.client() as client:
        for page in ("/docs", "/redoc"):
            html = await client.get(page)
            assert html.status_code == 200, page
            references = re.findall(r"""(?:src|href|url)\s*[=:(]\s*['"]([^'"]+)['"]""", html.text)
            assert references, page
            for reference in references:
                assert not re.match(r"^(https?:)?//", reference), (page, reference)
                if reference.startswith("/docs-assets/"):
                    asset = await client.get(reference)
                    assert asset.status_code == 200, reference
                    assert len(asset.content) > 1000, reference
            assert "cdn.jsdelivr.net" not in html.text
            assert "fonts.googleapis.com" not in html.text
