"""Kokuho service kit: what every Kokuho FastAPI service shares.

Modules (import what you need; nothing is created at import time):

- ``settings``: ``ServiceSettings``, the pydantic-settings base of each service's config.
- ``auth``: staff bearer tokens, ``StaffUser``, ``require_roles``, the route guard check.
- ``token``: development issuer and ``mint_token`` (``python -m kokuho.platform.token``).
- ``problems``: RFC 9457 problem+json errors and their exception handlers.
- ``request_context``: ``X-Request-Id`` / ``traceparent`` middleware and context.
- ``idempotency``: ``Idempotency-Key`` handling for POST (Postgres and in-memory stores).
- ``audit``: the append-only, hash-chained audit log (``python -m kokuho.platform.audit``).
- ``health``: ``/healthz`` and ``/readyz``.
- ``logs``: JSON logging that redacts personal data.
- ``telemetry``: OpenTelemetry setup and instrumentation.
- ``app``: ``create_app``, which wires all of the above once.
"""
