"""The named refusals of delinquency.

One class per broken rule, mapped to problem+json by the platform
(``urn:kokuho:problem:<slug from the class name>``, status from the class).
"""

from __future__ import annotations

from kokuho.platform.errors import DomainError


class DelinquencyError(DomainError):
    """Base of the errors of this service (422: a rule refused the command)."""


class CaseNotFound(DelinquencyError):
    status = 404


class CaseNotOpen(DelinquencyError):
    """The act needs an open case (opened when a dunning notice's deadline passed unpaid)."""


class DateInTheFuture(DelinquencyError):
    """An act is recorded on a day that has come (today or earlier)."""


class PromiseInThePast(DelinquencyError):
    """A promise is for a day after the one it was obtained on."""


class PlanInvalid(DelinquencyError):
    """A plan's instalments are positive, in date order, from the day it is agreed."""


class PlanAlreadyActive(DelinquencyError):
    status = 409


class ReliefInvalid(DelinquencyError):
    """A relief names a known kind and legal ground, and a period that fits its kind."""


class ReliefNotFound(DelinquencyError):
    status = 404


class ReliefAlreadyDecided(DelinquencyError):
    status = 409


class SamePersonDecides(DelinquencyError):
    """Four eyes: the person who requested a relief does not decide it."""

    status = 403


class EnforcementBarred(DelinquencyError):
    """No seizure while a deferral or a suspension of enforcement is in force."""


class SeizureInvalid(DelinquencyError):
    """A seizure names a known kind with what it reaches (shares of co-owned land add up)."""


class SeizureNotFound(DelinquencyError):
    status = 404


class SeizureNotInForce(DelinquencyError):
    status = 409


class InvestigationNotFound(DelinquencyError):
    status = 404


class TaskNotFound(DelinquencyError):
    status = 404


class SpecialReasonUnknown(DelinquencyError):
    """A special reason is one of rules.md §4.1's: disaster, theft, illness, business closure,
    business loss."""


class RemindersStopped(DelinquencyError):
    """No reminder letter while reminders are stopped (restart them first, with a reason)."""


class LetterNotFound(DelinquencyError):
    status = 404
