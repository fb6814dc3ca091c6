"""The named refusals of benefits.

One class per broken rule, mapped to problem+json by the platform
(``urn:kokuho:problem:<slug from the class name>``, status from the class). Messages start
with the field they are about (a JSON-pointer-like path) and never carry personal details.
"""

from __future__ import annotations

from kokuho.platform.errors import DomainError


class BenefitsError(DomainError):
    """Base of the errors of this service (422: a rule refused the command)."""


class NoLimitsForMonth(BenefitsError):
    """No 高額療養費 limit table is in force for the treatment month."""


class LimitParametersIncomplete(BenefitsError):
    """A parameter file lacks a figure or has a malformed one (the whole table is refused)."""

    status = 500


class HouseholdMonthInvalid(BenefitsError):
    """A described household-month contradicts itself (a bill of no member, a pharmacy bill
    without its prescriber, a self-pay above the medical cost ...)."""


class IncomeYearNotEnded(BenefitsError):
    """A rate is decided on the income of a year that has ended."""


class CopaymentRateNotFound(BenefitsError):
    status = 404
