"""Per-request context: ``X-Request-Id``, W3C ``traceparent``, and the last-resort 500.

``RequestContextMiddleware`` (pure ASGI, installed by ``create_app`` as the outermost
application middleware):

- takes ``X-Request-Id`` from the request when it is sane (1..64 characters of
  ``[A-Za-z0-9-]``), otherwise generates a UUID; puts it in a contextvar
  (``current_request_id()``) for logs and audit records; echoes it in the response;
- echoes the current trace context as ``traceparent`` (the OpenTelemetry server span when
  telemetry is set up, otherwise the incoming one);
- turns any exception that escaped the exception handlers into a bare 500 problem (no
  message, no stack trace in the response) and logs it with the request id.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid

from opentelemetry import propagate
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kokuho.events.individual_numbers import contains_individual_number
from kokuho.platform.problems import PROBLEM_MEDIA_TYPE

REQUEST_ID_HEADER = "x-request-id"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "kokuho_request_id", default=None
)

log = logging.getLogger(__name__)


def current_request_id() -> str | None:
    return _request_id.get()


def sane_request_id(value: str | None) -> str:
    """The given id if it is sane, else a new UUID. An id that carries an individual number is
    not sane: the id is logged and audited (issue 9)."""
    if (
        value is not None
        and _SANE_REQUEST_ID.fullmatch(value)
        and not contains_individual_number(value)
    ):
        return value
    return str(uuid.uuid4())


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        request_id = sane_request_id(incoming)
        token = _request_id.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_context(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"x-request-id", b"traceparent")
                ]
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                traceparent = current_traceparent()
                if traceparent:
                    headers.append((b"traceparent", traceparent.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_context)
        except Exception:
            log.exception("unhandled error while serving the request")
            if not started:
                body = json.dumps(
                    {
                        "type": "about:blank",
                        "title": "Internal Server Error",
                        "status": 500,
                        "detail": f"An unexpected error occurred; request id {request_id}.",
                    }
                ).encode()
                await send_with_context(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [
                            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
        finally:
            _request_id.reset(token)
