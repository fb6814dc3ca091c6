"""RFC 9457 problem details (``application/problem+json``) for every error a service returns.

- ``Problem`` is an exception carrying ``type``, ``title``, ``status``, ``detail``, ``instance``
  and, for validation errors, ``errors``: a list of ``{"pointer": "/body/birth_date",
  "reason": "..."}``. Raise it anywhere in a request.
- ``install_problem_handlers(app, domain_errors=...)`` installs the handlers:

  * ``RequestValidationError`` -> 422 with one JSON pointer per bad field (400 for a body that
    is not JSON at all). The offending input is never echoed back (it may be personal data).
  * ``HTTPException`` (404 for unknown paths, 405, ...) -> problem with the same status.
  * domain errors: every ``kokuho.platform.errors.DomainError`` with the status and type its
    class declares (422 and a type from the class name by default:
    ``InsuredAlreadyEnrolled`` -> ``urn:kokuho:problem:insured-already-enrolled``), and the
    event store's ``ConcurrencyConflict`` as 409 ``concurrent-change``. ``domain_errors`` is
    kept for errors outside that hierarchy (``DomainErrorMapping``: status and type).

Unknown exceptions become a bare 500 problem in ``request_context.RequestContextMiddleware``
(no message, no stack trace; the exception is logged with the request id).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from kokuho.events.ports import ConcurrencyConflict, IndividualNumberInEvent
from kokuho.platform.errors import DomainError, slug_from_class_name

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:kokuho:problem:"

log = logging.getLogger(__name__)


def problem_type(slug: str) -> str:
    """The ``type`` URI for a problem slug, e.g. ``validation-error``."""
    return TYPE_PREFIX + slug


class FieldError(BaseModel):
    pointer: str
    reason: str


class ProblemBody(BaseModel):
    """The JSON shape of a problem (for OpenAPI documentation of error responses)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


class Problem(Exception):
    """An error that becomes a problem+json response."""

    def __init__(
        self,
        status: int,
        slug: str | None = None,
        *,
        title: str | None = None,
        detail: str | None = None,
        instance: str | None = None,
        errors: Sequence[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        phrase = _phrase(status)
        self.status = status
        self.type = problem_type(slug) if slug else "about:blank"
        self.title = title or phrase
        self.detail = detail
        self.instance = instance
        self.errors = list(errors) if errors is not None else None
        self.headers = dict(headers or {})
        super().__init__(f"{status} {self.type}: {detail or self.title}")

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail is not None:
            out["detail"] = self.detail
        if self.instance is not None:
            out["instance"] = self.instance
        if self.errors is not None:
            out["errors"] = [e.model_dump() for e in self.errors]
        return out

    def response(self) -> JSONResponse:
        return JSONResponse(
            self.body(),
            status_code=self.status,
            media_type=PROBLEM_MEDIA_TYPE,
            headers=self.headers or None,
        )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


@dataclass(frozen=True)
class DomainErrorMapping:
    status: int = 422
    slug: str | None = None  # None: derived from the class name


def json_pointer(location: Sequence[str | int]) -> str:
    """RFC 6901 pointer for a pydantic error location, e.g. ("body", "birth_date")."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in location)


def validation_problem(exc: RequestValidationError) -> Problem:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return Problem(
            400,
            "malformed-request-body",
            detail="The request body is not valid JSON.",
        )
    field_errors = [
        FieldError(pointer=json_pointer(tuple(e.get("loc", ()))), reason=str(e.get("msg", "")))
        for e in errors
    ]
    return Problem(
        422,
        "validation-error",
        title="Request validation failed",
        detail=f"{len(field_errors)} field(s) are invalid.",
        errors=field_errors,
    )


#: The event store's refusals, each with the status and slug its class declares.
EVENT_ERRORS: tuple[type[ConcurrencyConflict] | type[IndividualNumberInEvent], ...] = (
    ConcurrencyConflict,
    IndividualNumberInEvent,
)


def install_problem_handlers(
    app: FastAPI,
    domain_errors: Mapping[type[Exception], DomainErrorMapping | None] | None = None,
) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        if exc.instance is None:
            exc.instance = request.url.path
        return exc.response()

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        problem = validation_problem(exc)
        problem.instance = request.url.path
        return problem.response()

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        detail: str | None = exc.detail if isinstance(exc.detail, str) else None
        if detail == _phrase(exc.status_code):
            detail = None
        problem = Problem(
            exc.status_code, detail=detail, instance=request.url.path, headers=exc.headers
        )
        return problem.response()

    async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
        status, slug = domain_problem(exc)
        return Problem(status, slug, detail=str(exc) or None, instance=request.url.path).response()

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(DomainError, on_domain_error)
    for event_error in EVENT_ERRORS:
        app.add_exception_handler(event_error, on_domain_error)

    statuses: dict[type[BaseException], int] = {
        DomainError: 422,
        **{cls: cls.status for cls in EVENT_ERRORS},
    }
    for error_class, mapping in (domain_errors or {}).items():
        resolved = mapping or DomainErrorMapping()
        slug = resolved.slug or slug_from_class_name(error_class.__name__)
        app.add_exception_handler(error_class, _domain_handler(resolved.status, slug))
        statuses[error_class] = resolved.status
    app.state.problem_statuses = statuses


def status_for(app: Any, exc: BaseException) -> int:
    """The HTTP status the installed handlers give ``exc`` (500 when none handles it)."""
    if isinstance(exc, Problem):
        return exc.status
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code
    if isinstance(exc, RequestValidationError):
        return validation_problem(exc).status
    status = getattr(exc, "audit_status", None)  # e.g. an idempotent replay
    if isinstance(status, int):
        return status
    statuses: dict[type[BaseException], int] = getattr(app.state, "problem_statuses", {})
    for cls in type(exc).__mro__:
        if cls in statuses and cls is not DomainError and cls not in EVENT_ERRORS:
            return statuses[cls]
    if isinstance(exc, DomainError | ConcurrencyConflict | IndividualNumberInEvent):
        return domain_problem(exc)[0]
    return 500


def domain_problem(exc: BaseException) -> tuple[int, str]:
    """The one rule for a domain error's problem: the status and slug its class declares."""
    if isinstance(exc, DomainError):
        return type(exc).status, type(exc).problem_slug()
    if isinstance(exc, ConcurrencyConflict | IndividualNumberInEvent):
        return type(exc).status, type(exc).slug
    raise TypeError(f"{type(exc).__name__} is not a domain error")


def _domain_handler(status: int, slug: str) -> Any:
    async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
        # The message of a domain error names the broken rule and its fields; domain errors
        # carry identifiers and business facts, never personal details.
        return Problem(status, slug, detail=str(exc) or None, instance=request.url.path).response()

    return on_domain_error
