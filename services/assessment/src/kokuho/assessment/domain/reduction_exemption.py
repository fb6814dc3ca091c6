"""減免 (reduction or exemption on application): applied for by one clerk, decided by another
(C-11 four eyes), always with a reason (C-24)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from uuid import UUID

from kokuho.assessment.domain.errors import AssessmentError
from kokuho.platform.staff import same_person


class FourEyesRequired(AssessmentError):
    """The person who entered an application may not decide it (C-11)."""

    status = 403
    slug = "four-eyes-required"

    def __init__(self, application_id: UUID, user_id: str) -> None:
        super().__init__(f"{user_id} entered application {application_id} and cannot decide it")
        self.application_id = application_id
        self.user_id = user_id


class AlreadyDecided(AssessmentError):
    status = 409
    slug = "already-decided"

    def __init__(self, application_id: UUID, decided_status: str) -> None:
        super().__init__(f"application {application_id} is already {decided_status}")
        self.application_id = application_id
        self.decided_status = decided_status


class ReasonRequired(AssessmentError):
    """A decision (and an application) must say why (C-24)."""

    slug = "reason-required"

    def __init__(self, what: str) -> None:
        super().__init__(f"a reason is required for the {what}")
        self.what = what


@dataclass(frozen=True)
class ReductionExemption:
    application_id: UUID
    nhi_household_number: str
    fiscal_year: int
    reason_code: str
    reason: str
    ratio_percent: int  # share of the annual premium forgiven (100 = 免除)
    entered_by: str
    status: str = "pending"  # pending | approved | rejected
    decided_by: str | None = None
    decision_reason: str | None = None


def apply_for(
    application_id: UUID,
    nhi_household_number: str,
    fiscal_year: int,
    reason_code: str,
    reason: str,
    ratio_percent: int,
    entered_by: str,
) -> ReductionExemption:
    if not reason.strip():
        raise ReasonRequired("application")
    if not 0 < ratio_percent <= 100:
        raise ValueError("ratio_percent must lie in 1..100")
    return ReductionExemption(
        application_id,
        nhi_household_number,
        fiscal_year,
        reason_code,
        reason.strip(),
        ratio_percent,
        entered_by,
    )


def decide(
    application: ReductionExemption, decided_by: str, approve: bool, reason: str
) -> ReductionExemption:
    if application.status != "pending":
        raise AlreadyDecided(application.application_id, application.status)
    if same_person(decided_by, application.entered_by):
        raise FourEyesRequired(application.application_id, decided_by)
    if not reason.strip():
        raise ReasonRequired("decision")
    return dataclasses.replace(
        application,
        status="approved" if approve else "rejected",
        decided_by=decided_by,
        decision_reason=reason.strip(),
    )


def forgiven_amount(annual: int, ratio_percents: list[int]) -> int:
    """The yen forgiven by the approved applications: their ratios add up, never beyond the
    whole premium; cut to the yen so the household never pays less than the ratio implies."""
    ratio = min(100, sum(ratio_percents))
    return min(annual, annual * ratio // 100)
