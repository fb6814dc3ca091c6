"""``decide(state, command, rules) -> events``: one function per command type, found in a
table. Every decider takes the rules, whether it needs them or not, so that one table holds
them all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household import (
    care_exclusion,
    certificates,
    details,
    qualification,
    statuses,
)
from kokuho.eligibility.domain.household.composition import with_composition
from kokuho.eligibility.domain.household.state import Household
from kokuho.eligibility.domain.rules import QualificationRules

Decider = Callable[[Household, Any, QualificationRules], list[ev.Event]]


def decide(state: Household, command: c.Command, rules: QualificationRules) -> list[ev.Event]:
    """The events a command produces, or a named error; the composition event is appended
    whenever the members, the householder or the specified members change."""
    if not state.registered and type(command) is not c.RegisterHousehold:
        raise e.HouseholdNotRegistered(state.nhi_household_number)
    decider = DECIDERS.get(type(command))
    if decider is None:  # pragma: no cover - the table covers every command
        raise TypeError(f"unknown command {type(command).__name__}")
    return with_composition(state, decider(state, command, rules))


def _acquire(
    state: Household, command: c.AcquireQualification, rules: QualificationRules
) -> list[ev.Event]:
    return [qualification.acquire(state, command, rules)]


DECIDERS: dict[type[c.Command], Decider] = {
    c.RegisterHousehold: qualification.register,
    c.AcquireQualification: _acquire,
    c.LoseQualification: qualification.lose,
    c.ChangeHouseholder: details.change_householder,
    c.ChangeRelationship: details.change_relationship,
    c.ChangePersonalDetails: details.change_personal_details,
    c.CorrectQualification: details.correct,
    c.StartSpecialCase: statuses.start_special_case,
    c.EndSpecialCase: statuses.end_special_case,
    c.RecordInvoluntaryUnemployment: statuses.record_unemployment,
    c.ChangeFormerDependantStatus: statuses.change_former_dependant,
    c.RecordRetireeStatus: statuses.record_retiree_status,
    c.DetermineCopaymentRate: certificates.determine_copayment_rate,
    c.ApplyCopaymentDecision: certificates.apply_copayment_decision,
    c.RecordSpecialCare: certificates.record_special_care,
    c.IssueCertificate: certificates.issue_certificate,
    c.CollectCertificate: certificates.collect_certificate,
    c.RecordCareExclusion: care_exclusion.record,
    c.EndCareExclusion: care_exclusion.end,
}
