"""Named domain errors: each names the broken rule and carries its fields.

Messages carry identifiers and business facts only, never personal details (they become the
``detail`` of a problem+json response).
"""

from __future__ import annotations

from datetime import date

from kokuho.platform.errors import DomainError


class EligibilityRuleBroken(DomainError):
    """Base class of the eligibility domain's refusals: 422 with the class's name as the
    problem type, unless a class declares otherwise."""


class HouseholdNotRegistered(EligibilityRuleBroken):
    def __init__(self, nhi_household_number: str) -> None:
        super().__init__(f"household {nhi_household_number} is not registered")
        self.nhi_household_number = nhi_household_number


class HouseholdAlreadyRegistered(EligibilityRuleBroken):
    def __init__(self, nhi_household_number: str) -> None:
        super().__init__(f"household {nhi_household_number} is already registered")
        self.nhi_household_number = nhi_household_number


class QualificationAlreadyHeld(EligibilityRuleBroken):
    """Acquiring twice: the person is already insured (in this or another household)."""

    def __init__(self, addressee_number: str, nhi_household_number: str) -> None:
        super().__init__(
            f"addressee {addressee_number} already holds a qualification"
            f" in household {nhi_household_number}"
        )
        self.addressee_number = addressee_number
        self.nhi_household_number = nhi_household_number


class QualificationNotHeld(EligibilityRuleBroken):
    """Losing (or changing) a qualification one does not hold."""

    def __init__(self, addressee_number: str, nhi_household_number: str) -> None:
        super().__init__(
            f"addressee {addressee_number} holds no qualification"
            f" in household {nhi_household_number}"
        )
        self.addressee_number = addressee_number
        self.nhi_household_number = nhi_household_number


class LossBeforeAcquisition(EligibilityRuleBroken):
    def __init__(self, addressee_number: str, acquisition_date: date, loss_date: date) -> None:
        super().__init__(
            f"loss date {loss_date} of addressee {addressee_number} is before"
            f" the acquisition date {acquisition_date}"
        )
        self.addressee_number = addressee_number
        self.acquisition_date = acquisition_date
        self.loss_date = loss_date


class AcquisitionOverlapsEarlierPeriod(EligibilityRuleBroken):
    def __init__(self, addressee_number: str, previous_loss_date: date, acquisition: date) -> None:
        super().__init__(
            f"acquisition date {acquisition} of addressee {addressee_number} is before"
            f" the end of the previous period ({previous_loss_date})"
        )
        self.addressee_number = addressee_number
        self.previous_loss_date = previous_loss_date
        self.acquisition_date = acquisition


class NotificationBeforeFact(EligibilityRuleBroken):
    def __init__(self, fact_date: date, notification_date: date) -> None:
        super().__init__(f"notification date {notification_date} is before the fact {fact_date}")
        self.fact_date = fact_date
        self.notification_date = notification_date


class DateInFuture(EligibilityRuleBroken):
    def __init__(self, field: str, value: date, today: date) -> None:
        super().__init__(f"{field} {value} is after today ({today})")
        self.field = field
        self.value = value
        self.today = today


class BirthFactMismatch(EligibilityRuleBroken):
    """A birth acquisition's fact date must be the birth date."""

    def __init__(self, fact_date: date, birth_date: date) -> None:
        super().__init__(f"fact date {fact_date} of a birth is not the birth date {birth_date}")
        self.fact_date = fact_date
        self.birth_date = birth_date


class BornAfterFact(EligibilityRuleBroken):
    def __init__(self, birth_date: date, fact_date: date) -> None:
        super().__init__(f"birth date {birth_date} is after the fact date {fact_date}")
        self.birth_date = birth_date
        self.fact_date = fact_date


class EffectiveDateRequired(EligibilityRuleBroken):
    """Reason ``other`` has no rule: the date is set ex officio, with a reason (C-24)."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"reason {reason!r} needs an explicit effective date and ex officio reason"
        )
        self.reason = reason


class EffectiveDateNotAllowed(EligibilityRuleBroken):
    """The effective date follows from the fact date by rule and is not typed (issue 3)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the effective date of reason {reason!r} is computed, not entered")
        self.reason = reason


class ReasonNotForThisPath(EligibilityRuleBroken):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"reason {reason!r}: {detail}")
        self.reason = reason


class CorrectionReasonMissing(EligibilityRuleBroken):
    """C-24: an ex officio correction carries a reason."""

    def __init__(self) -> None:
        super().__init__("an ex officio correction needs a reason")


class HouseholderMustBeMember(EligibilityRuleBroken):
    def __init__(self, addressee_number: str, nhi_household_number: str) -> None:
        super().__init__(
            f"addressee {addressee_number} is neither an insured member of household"
            f" {nhi_household_number} nor declared as its deemed householder"
        )
        self.addressee_number = addressee_number
        self.nhi_household_number = nhi_household_number


class HouseholderUnchanged(EligibilityRuleBroken):
    def __init__(self, addressee_number: str) -> None:
        super().__init__(f"addressee {addressee_number} is already the householder")
        self.addressee_number = addressee_number


class RelationshipNotAllowed(EligibilityRuleBroken):
    def __init__(self, addressee_number: str, relationship: str, detail: str) -> None:
        super().__init__(f"addressee {addressee_number}: relationship {relationship!r} {detail}")
        self.addressee_number = addressee_number
        self.relationship = relationship


class NothingChanged(EligibilityRuleBroken):
    def __init__(self, what: str) -> None:
        super().__init__(f"nothing to change: {what}")
        self.what = what


class SpecialCaseAlreadyActive(EligibilityRuleBroken):
    def __init__(self, addressee_number: str, kind: str) -> None:
        super().__init__(f"addressee {addressee_number} already has special case {kind!r}")
        self.addressee_number = addressee_number
        self.kind = kind


class SpecialCaseNotActive(EligibilityRuleBroken):
    def __init__(self, addressee_number: str, kind: str) -> None:
        super().__init__(f"addressee {addressee_number} has no active special case {kind!r}")
        self.addressee_number = addressee_number
        self.kind = kind


class CareExclusionOverlaps(EligibilityRuleBroken):
    def __init__(self, addressee_number: str, start: date) -> None:
        super().__init__(
            f"addressee {addressee_number} has a 介護適用除外 period overlapping one from {start}"
        )
        self.addressee_number = addressee_number


class CareExclusionNotOpen(EligibilityRuleBroken):
    def __init__(self, addressee_number: str) -> None:
        super().__init__(f"addressee {addressee_number} has no open 介護適用除外 period")
        self.addressee_number = addressee_number


class CareExclusionBeforeAcquisition(EligibilityRuleBroken):
    def __init__(self, start: date, acquisition: date) -> None:
        super().__init__(
            f"a 介護適用除外 from {start} starts before the qualification ({acquisition})"
        )


class FacilityKindRequired(EligibilityRuleBroken):
    def __init__(self) -> None:
        super().__init__("a residence exception (住所地特例) names the kind of facility")


class NoLongerIssued(EligibilityRuleBroken):
    def __init__(self, kind: str, last_issue_date: date) -> None:
        super().__init__(f"{kind} is not issued after {last_issue_date}; only earlier records")
        self.kind = kind
        self.last_issue_date = last_issue_date


class CertificateNotFound(EligibilityRuleBroken):
    def __init__(self, certificate_id: str) -> None:
        super().__init__(f"certificate {certificate_id} is not known in this household")
        self.certificate_id = certificate_id


class CertificateAlreadyCollected(EligibilityRuleBroken):
    def __init__(self, certificate_id: str) -> None:
        super().__init__(f"certificate {certificate_id} is already collected")
        self.certificate_id = certificate_id


class NotInAgeBand(EligibilityRuleBroken):
    def __init__(self, addressee_number: str, age: int, band: str) -> None:
        super().__init__(f"addressee {addressee_number} is {age}, outside {band}")
        self.addressee_number = addressee_number
        self.age = age
        self.band = band


class StatusBeforeAcquisition(EligibilityRuleBroken):
    def __init__(self, addressee_number: str, acquisition_date: date, since: date) -> None:
        super().__init__(
            f"a status of addressee {addressee_number} cannot start ({since}) before the"
            f" acquisition date {acquisition_date}"
        )
        self.addressee_number = addressee_number
        self.acquisition_date = acquisition_date
        self.since = since


class PeriodEndsBeforeStart(EligibilityRuleBroken):
    def __init__(self, start: date, end: date) -> None:
        super().__init__(f"a period cannot end ({end}) before it starts ({start})")
        self.start = start
        self.end = end


class UnemploymentNotEligible(EligibilityRuleBroken):
    def __init__(self, detail: str) -> None:
        super().__init__(f"not an involuntary unemployment case: {detail}")
        self.detail = detail


class MembersMissing(EligibilityRuleBroken):
    def __init__(self, addressee_numbers: list[str], nhi_household_number: str) -> None:
        super().__init__(
            f"addressees {', '.join(addressee_numbers)} are not insured members of"
            f" household {nhi_household_number}"
        )
        self.addressee_numbers = addressee_numbers
        self.nhi_household_number = nhi_household_number


class SplitWouldEmptyHousehold(EligibilityRuleBroken):
    def __init__(self, nhi_household_number: str) -> None:
        super().__init__(f"a split may not move every member out of {nhi_household_number}")
        self.nhi_household_number = nhi_household_number


class HouseholderMustStay(EligibilityRuleBroken):
    """A split moves members away from the householder; change the householder first."""

    def __init__(self, addressee_number: str) -> None:
        super().__init__(f"the householder {addressee_number} cannot leave in a split")
        self.addressee_number = addressee_number


class SameHousehold(EligibilityRuleBroken):
    def __init__(self, nhi_household_number: str) -> None:
        super().__init__(f"household {nhi_household_number} cannot merge into itself")
        self.nhi_household_number = nhi_household_number


class PersonStillInsured(EligibilityRuleBroken):
    def __init__(self, addressee_number: str) -> None:
        super().__init__(f"addressee {addressee_number} is insured; details are kept (C-95)")
        self.addressee_number = addressee_number


class RetentionNotOver(EligibilityRuleBroken):
    def __init__(self, addressee_number: str, until: date) -> None:
        super().__init__(
            f"the details of addressee {addressee_number} are kept until {until} (C-95)"
        )
        self.addressee_number = addressee_number
        self.until = until


class PersonHeadsAHousehold(EligibilityRuleBroken):
    """C-95: the householder (a deemed householder too) of a household with insured members
    keeps their details: the household's notices are addressed to them."""

    def __init__(self, addressee_number: str, nhi_household_number: str) -> None:
        super().__init__(
            f"addressee {addressee_number} heads household {nhi_household_number}, which has"
            " insured members; details are kept (C-95)"
        )
        self.addressee_number = addressee_number
        self.nhi_household_number = nhi_household_number


class ErasureReasonMissing(EligibilityRuleBroken):
    def __init__(self) -> None:
        super().__init__("an erasure needs a reason")


class ErasureAlreadyRequested(EligibilityRuleBroken):
    status = 409

    def __init__(self, addressee_number: str, request_id: str) -> None:
        super().__init__(
            f"the erasure of addressee {addressee_number} is already requested ({request_id});"
            " another supervisor confirms or rejects it"
        )
        self.addressee_number = addressee_number
        self.request_id = request_id


class NoErasureRequested(EligibilityRuleBroken):
    status = 409

    def __init__(self, addressee_number: str) -> None:
        super().__init__(f"no erasure of addressee {addressee_number} is pending")
        self.addressee_number = addressee_number


class CopaymentRateRefused(EligibilityRuleBroken):
    def __init__(self, addressee_number: str, tenths: int) -> None:
        super().__init__(
            f"a 70-74 co-payment rate of {tenths}割 for addressee {addressee_number} is not one"
            " of 2割 or 3割 (rules.md 3.4)"
        )
        self.addressee_number = addressee_number


# --- four eyes (C-11) -------------------------------------------------------------------


class SelfConfirmationRefused(EligibilityRuleBroken):
    """C-11: the clerk who entered a change may not confirm it."""

    status = 403
    slug = "self-confirmation-refused"

    def __init__(self, change_id: str, user_id: str) -> None:
        super().__init__(f"change {change_id} was entered by {user_id}; another clerk confirms it")
        self.change_id = change_id
        self.user_id = user_id


class ChangeNotPending(EligibilityRuleBroken):
    status = 409
    slug = "change-not-pending"

    def __init__(self, change_id: str, status: str) -> None:
        super().__init__(f"change {change_id} is {status}, not pending")
        self.change_id = change_id
        self.change_status = status
