"""``DomainError``: the one base of every service's named errors, and how it maps to HTTP.

A service's error declares its own status and problem type::

    class HouseholdNotFound(DomainError):
        status = 404            # default 422: a business rule refused the command

    class SelfConfirmationRefused(DomainError):
        status = 403
        slug = "self-confirmation-refused"   # default: from the class name

The platform's problem handler turns any ``DomainError`` into problem+json with that status and
``urn:kokuho:problem:<slug>``; no service keeps its own table. Driver errors (a unique
violation, a closed connection) are translated inside adapters into domain errors, never mapped
here. Pure: no web framework or driver imports, so domain modules may derive from it.
"""

from __future__ import annotations

import re
from typing import ClassVar


def slug_from_class_name(name: str) -> str:
    """``InsuredAlreadyEnrolled`` -> ``insured-already-enrolled`` (a trailing ``Error`` dropped)."""
    if name.endswith("Error") and name != "Error":
        name = name[: -len("Error")]
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z]|\d|\b)|[A-Z]?[a-z]+|[A-Z]+|\d+", name)
    return "-".join(word.lower() for word in words)


class DomainError(Exception):
    """A named refusal of a command. Its message names the rule and identifiers, never personal
    details (it is returned as the problem's ``detail``)."""

    #: HTTP status of the problem: 422 (rule), 404 (unknown), 409 (conflict), 403 (refused).
    status: ClassVar[int] = 422
    #: Problem type slug; None: derived from the class name.
    slug: ClassVar[str | None] = None

    @classmethod
    def problem_slug(cls) -> str:
        return cls.slug or slug_from_class_name(cls.__name__)
