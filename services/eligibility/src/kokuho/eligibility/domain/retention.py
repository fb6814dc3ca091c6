"""The retention rule of eligibility data (C-95: while eligible and 5 years after the loss) as
the retention job applies it, and the record of an erasure (C-96). Pure: the job reads the
person's standing and asks ``keep_reason``; ``None`` means the period is over."""

from __future__ import annotations

from datetime import date, datetime

from kokuho.eligibility.domain.erasure import Standing
from kokuho.eligibility.domain.rules import QualificationRules, erasable_from
from kokuho.platform.erasure_records import ErasureRecord

#: The data class the job erases: a person's details (name, kana, sex, birth date, address,
#: phone), facility names, the certificate basis and the forgettable payloads (ADR 0013).
PERSONAL_DETAILS = "eligibility.personal_details"

#: Where those details are held; one erasure record per store (C-96).
STORES = (
    "persons",
    "personal_payloads",
    "special_cases.facility",
    "certificate_bases",
    "topic:kokuho.eligibility.personal-details",
)

#: Why a person is kept (the report names them).
STILL_INSURED = "still_insured"
HEADS_A_HOUSEHOLD = "heads_an_insured_household"
WITHIN_RETENTION = "within_retention"
NO_LOSS_RECORDED = "no_loss_recorded"


def keep_reason(standing: Standing, today: date, rules: QualificationRules) -> str | None:
    """Why the person's details stay on ``today``, or None once the retention is over: kept
    while insured, while heading a household with insured members, and until 5 years after the
    last loss (``retention.years_after_loss``; erasable on the anniversary itself). A person
    never insured (no loss recorded, e.g. a deemed householder) is left to a supervisor's
    erasure request: the job has no period to measure."""
    if standing.insured:
        return STILL_INSURED
    if standing.heads_household is not None:
        return HEADS_A_HOUSEHOLD
    if standing.last_loss is None:
        return NO_LOSS_RECORDED
    if today < erasable_from(standing.last_loss, rules):
        return WITHIN_RETENTION
    return None


def records_of(subject: str, today: date, at: datetime, by: str, basis: str) -> list[ErasureRecord]:
    return [ErasureRecord(PERSONAL_DETAILS, subject, s, today, at, by, basis) for s in STORES]
