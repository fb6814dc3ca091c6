"""The named refusals of delinquency.

One class per broken rule, mapped to problem+json by the platform
(``urn:kokuho:problem:<slug from the class name>``, status from the class).
"""

from __future__ import annotations

from kokuho.platform.errors import DomainError


class DelinquencyError(DomainError):
    """Base of the errors of this service (422: a rule refused the command)."""


class CaseAlreadyOpened(DelinquencyError):
    status = 409


class CaseOpenedInTheFuture(DelinquencyError):
    """A case is opened on a day that has come (today or earlier)."""


class CaseNotFound(DelinquencyError):
    status = 404
