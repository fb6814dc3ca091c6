"""The named refusals of collection.

One class per broken rule, mapped to problem+json by the platform
(``urn:kokuho:problem:<slug from the class name>``, status from the class).
"""

from __future__ import annotations

from kokuho.platform.errors import DomainError


class CollectionError(DomainError):
    """Base of the errors of this service (422: a rule refused the command)."""


class RatesMissing(CollectionError):
    """A calendar year (or a setting) the parameter files do not hold: never defaulted."""


class ParametersInvalid(CollectionError):
    """A parameter file is missing a figure or holds one of the wrong kind."""


class HouseholdNotFound(CollectionError):
    status = 404


class ChargeNotFound(CollectionError):
    status = 404


class ChangeNotFound(CollectionError):
    status = 404


class SameStaffConfirming(CollectionError):
    """C-11: the person who entered a charge change cannot confirm it."""

    status = 403


class ChangeNotPending(CollectionError):
    status = 409


class ReasonRequired(CollectionError):
    """C-24: a change by hand names its reason."""


class PaymentNotFound(CollectionError):
    status = 404


class PaymentAlreadyReversed(CollectionError):
    status = 409


class DuplicatePayment(CollectionError):
    """A payment with this reference (receipt number, bank line) was recorded already."""

    status = 409


class ReversalAfterAppropriation(CollectionError):
    """The overpaid part of the payment was appropriated or refunded already."""

    status = 409


class NothingToRefund(CollectionError):
    """The household holds no overpayment to appropriate or refund."""


class RefundNotFound(CollectionError):
    status = 404


class NoticeNotFound(CollectionError):
    status = 404


class AmountNotPositive(CollectionError):
    """A payment is a positive amount of yen."""


class PaidInTheFuture(CollectionError):
    """A payment is dated today or earlier."""


class ChargeLapsedAlready(CollectionError):
    """A renewal of a charge whose right had lapsed already (時効 completed): a person looks."""

    status = 409


class YearNotEnded(CollectionError):
    """移転 1 covers a whole calendar year: it runs once the year has ended."""


class WorkItemNotFound(CollectionError):
    status = 404


class WorkItemResolved(CollectionError):
    """The work item was resolved already: its effects happen once."""

    status = 409


class ResolutionPending(CollectionError):
    """A resolution of this work item waits for its second person already."""

    status = 409


class ResolutionNotFound(CollectionError):
    status = 404


class ResolutionNotPending(CollectionError):
    """The resolution was confirmed or rejected already."""

    status = 409


class ActionNotAllowed(CollectionError):
    """This action does not apply to this kind of work item (or lacks what it needs)."""
