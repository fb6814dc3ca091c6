"""The retention rule of the delinquency file (C-95: until fully paid, then 5 years; ADR 0100).

A household's case is one stream (``case-<household>``) with its read models; it is erased
whole, once: when it is closed with nothing owed (principal and 延滞金), nothing written off
(the seed keeps until 完納: a 不納欠損 is not a payment in full), no seizure in force and no
特別療養費 flag or withholding standing, from the anniversary of the day it closed. Pure."""

from __future__ import annotations

from datetime import date

from kokuho.delinquency.domain.model import Case
from kokuho.platform.retention import WITHIN_RETENTION, RetentionPeriod

#: The data class the job erases: a household's delinquency case (arrears, negotiations,
#: promises, plans, reliefs, investigations, seizures, letters).
CASE = "delinquency.case"
#: Where it is held; one erasure record per store (C-96).
STORES = ("events", "case_views", "charge_dates")

#: Why a case is kept (the report names them).
NOT_CLOSED = "case_not_closed"
UNPAID = "unpaid"
WRITTEN_OFF = "written_off_not_fully_paid"
SEIZURE_IN_FORCE = "seizure_in_force"
SPECIAL_CARE = "special_care_standing"


def keep_reason(case: Case, today: date, period: RetentionPeriod) -> str | None:
    """Why the case stays on ``today``; None once its period is over (erasable on the
    anniversary of the closing day itself, kept the day before)."""
    if case.status != "closed" or case.closed_on is None:
        return NOT_CLOSED
    if case.outstanding > 0 or any(a.late_charge > 0 for a in case.arrears):
        return UNPAID
    if any(a.written_off > 0 for a in case.arrears):
        return WRITTEN_OFF
    if any(s.status == "in_force" for s in case.seizures):
        return SEIZURE_IN_FORCE
    if case.special_care.flagged_on is not None or case.special_care.withheld_on is not None:
        return SPECIAL_CARE
    if today < period.erasable_from(case.closed_on):
        return WITHIN_RETENTION
    return None
