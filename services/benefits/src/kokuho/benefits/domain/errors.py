"""The named refusals of benefits.

One class per broken rule, mapped to problem+json by the platform
(``urn:kokuho:problem:<slug from the class name>``, status from the class).
"""

from __future__ import annotations

from kokuho.platform.errors import DomainError


class BenefitsError(DomainError):
    """Base of the errors of this service (422: a rule refused the command)."""


class CaseAlreadyOpened(BenefitsError):
    status = 409


class CaseOpenedInTheFuture(BenefitsError):
    """A case is opened on a day that has come (today or earlier)."""


class CaseNotFound(BenefitsError):
    status = 404
