"""Errors of the application layer: unknown resources (404) and a concurrent write (409).

Each derives from ``kokuho.platform.errors.DomainError`` through the domain's base, so the
platform maps it to problem+json with the status and type declared here."""

from __future__ import annotations

from kokuho.eligibility.domain.errors import EligibilityRuleBroken
from kokuho.platform.errors import DomainError


class ChangeNotFound(EligibilityRuleBroken):
    status = 404
    slug = "change-not-found"

    def __init__(self, change_id: str) -> None:
        super().__init__(f"change {change_id} does not exist")
        self.change_id = change_id


class HouseholdNotFound(EligibilityRuleBroken):
    status = 404
    slug = "household-not-found"

    def __init__(self, nhi_household_number: str, message: str | None = None) -> None:
        super().__init__(message or f"household {nhi_household_number} does not exist")
        self.nhi_household_number = nhi_household_number


class PersonNotFound(EligibilityRuleBroken):
    status = 404
    slug = "person-not-found"

    def __init__(self, addressee_number: str) -> None:
        super().__init__(f"addressee {addressee_number} is not known")
        self.addressee_number = addressee_number


class CertificateUnknown(EligibilityRuleBroken):
    """A read of a certificate this service never issued (the rule error of collecting an
    unknown certificate is the domain's ``CertificateNotFound``, a 422)."""

    status = 404
    slug = "certificate-not-found"

    def __init__(self, certificate_id: str) -> None:
        super().__init__(f"certificate {certificate_id} unknown")
        self.certificate_id = certificate_id


class ConcurrentChange(DomainError):
    """Another transaction changed the same person first (a read model's unique index, e.g.
    one open qualification per person); translated from the driver's error by the adapter."""

    status = 409
    slug = "concurrent-change"
