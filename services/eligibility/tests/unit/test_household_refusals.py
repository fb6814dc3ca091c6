"""Every refusal of the household aggregate with its full message: the message is the problem's
``detail`` and names the broken rule with its identifiers and dates, so a refusal that loses a
field (or names the wrong one) is a change of the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest

from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain.household import (
    Household,
    decide,
    decide_merge,
    decide_split,
    evolve,
    initial,
)
from kokuho.eligibility.parameters import load_rules

RULES = load_rules()
TODAY = date(2026, 11, 26)
HH = "2000000001"
NEW = "2000000002"
HEAD = "1000000001"
SPOUSE = "1000000002"
CHILD = "1000000003"
OLD = "1000000004"
D = date(2026, 6, 1)


def acquire(
    addressee: str,
    relationship: str,
    *,
    reason: str = "moved_in",
    fact: date = date(2025, 4, 1),
    notified: date | None = None,
    birth: date = date(1980, 5, 5),
    effective: date | None = None,
) -> c.AcquireQualification:
    return c.AcquireQualification(
        addressee,
        "3" + addressee[-7:],
        reason,
        fact,
        notified or fact,
        birth,
        relationship,
        TODAY,
        effective_date=effective,
    )


def apply(state: Household, command: c.Command) -> Household:
    for event in decide(state, command, RULES):
        state = evolve(state, event)
    return state


def family() -> Household:
    """HEAD (householder), SPOUSE, CHILD (student, with certificate c1 collected) and OLD (a
    70-year-old who lost the qualification on 2026-06-01)."""
    state = apply(
        initial(HH),
        c.RegisterHousehold(
            HH,
            HEAD,
            (
                acquire(HEAD, "householder"),
                acquire(SPOUSE, "spouse"),
                acquire(CHILD, "child", birth=date(2006, 4, 1)),
                acquire(OLD, "parent", birth=date(1956, 5, 15)),
            ),
        ),
    )
    state = apply(state, c.StartSpecialCase(CHILD, "student", None, D, D, TODAY))
    state = apply(
        state,
        c.IssueCertificate("c1", "eligibility_confirmation_document", CHILD, date(2025, 5, 1)),
    )
    state = apply(state, c.CollectCertificate("c1", date(2025, 6, 1), "returned"))
    return apply(state, c.LoseQualification(OLD, "moved_out", D, D, TODAY))


@dataclass(frozen=True)
class Refusal:
    command: c.Command
    error: type[e.EligibilityRuleBroken]
    message: str
    state: Callable[[], Household] = family


def lose(who: str, reason: str, fact: date = D, **kw: date) -> c.LoseQualification:
    return c.LoseQualification(who, reason, fact, kw.get("notified", fact), TODAY, kw.get("eff"))


REFUSALS: dict[str, Refusal] = {
    "not registered": Refusal(
        acquire(HEAD, "householder"),
        e.HouseholdNotRegistered,
        f"household {HH} is not registered",
        lambda: initial(HH),
    ),
    "registered twice": Refusal(
        c.RegisterHousehold(HH, HEAD, (acquire(HEAD, "householder"),)),
        e.HouseholdAlreadyRegistered,
        f"household {HH} is already registered",
    ),
    "registered without members": Refusal(
        c.RegisterHousehold(HH, HEAD, ()),
        e.MembersMissing,
        f"addressees  are not insured members of household {HH}",
        lambda: initial(HH),
    ),
    "a second householder at registration": Refusal(
        c.RegisterHousehold(
            HH, HEAD, (acquire(HEAD, "householder"), acquire(SPOUSE, "householder"))
        ),
        e.RelationshipNotAllowed,
        f"addressee {SPOUSE}: relationship 'householder' is only for the householder",
        lambda: initial(HH),
    ),
    "a second householder before an unknown reason at registration": Refusal(
        c.RegisterHousehold(
            HH,
            HEAD,
            (
                acquire(HEAD, "householder"),
                acquire(CHILD, "child", reason="teleported"),
                acquire(SPOUSE, "householder"),
            ),
        ),
        e.RelationshipNotAllowed,
        f"addressee {SPOUSE}: relationship 'householder' is only for the householder",
        lambda: initial(HH),
    ),
    "unknown acquisition reason": Refusal(
        acquire("1000000009", "child", reason="teleported"),
        e.ReasonNotForThisPath,
        "reason 'teleported': is not an acquisition reason",
    ),
    "acquisition 'other' without a date": Refusal(
        acquire("1000000009", "child", reason="other"),
        e.EffectiveDateRequired,
        "reason 'other' needs an explicit effective date and ex officio reason",
    ),
    "acquisition date typed for a rule reason": Refusal(
        acquire("1000000009", "child", effective=D),
        e.EffectiveDateNotAllowed,
        "the effective date of reason 'moved_in' is computed, not entered",
    ),
    "born after the fact": Refusal(
        acquire("1000000009", "child", birth=date(2025, 4, 2)),
        e.BornAfterFact,
        "birth date 2025-04-02 is after the fact date 2025-04-01",
    ),
    "birth fact is not the birth date": Refusal(
        acquire("1000000009", "child", reason="birth", birth=date(2025, 3, 31)),
        e.BirthFactMismatch,
        "fact date 2025-04-01 of a birth is not the birth date 2025-03-31",
    ),
    "notified before the fact": Refusal(
        acquire("1000000009", "child", notified=date(2025, 3, 31)),
        e.NotificationBeforeFact,
        "notification date 2025-03-31 is before the fact 2025-04-01",
    ),
    "notified in the future": Refusal(
        acquire("1000000009", "child", fact=TODAY, notified=date(2026, 11, 27)),
        e.DateInFuture,
        "notification_date 2026-11-27 is after today (2026-11-26)",
    ),
    "acquired twice": Refusal(
        acquire(SPOUSE, "spouse"),
        e.QualificationAlreadyHeld,
        f"addressee {SPOUSE} already holds a qualification in household {HH}",
    ),
    "reacquired inside the earlier period": Refusal(
        acquire(OLD, "parent", fact=date(2026, 5, 31), birth=date(1956, 5, 15)),
        e.AcquisitionOverlapsEarlierPeriod,
        f"acquisition date 2026-05-31 of addressee {OLD} is before the end of the previous"
        " period (2026-06-02)",
    ),
    "'householder' for someone else": Refusal(
        acquire("1000000009", "householder"),
        e.RelationshipNotAllowed,
        "addressee 1000000009: relationship 'householder' is only for the householder",
    ),
    "the householder as a child": Refusal(
        acquire(HEAD, "child"),
        e.RelationshipNotAllowed,
        f"addressee {HEAD}: relationship 'child' of the householder is 'householder'",
        lambda: apply(initial(HH), c.RegisterHousehold(HH, HEAD, (acquire(SPOUSE, "spouse"),))),
    ),
    "acquiring at 75": Refusal(
        acquire("1000000009", "parent", birth=date(1950, 4, 1)),
        e.NotInAgeBand,
        "addressee 1000000009 is 75, outside NHI (under 75)",
    ),
    "unknown loss reason": Refusal(
        lose(SPOUSE, "vanished"),
        e.ReasonNotForThisPath,
        "reason 'vanished': is not a loss reason",
    ),
    "losing what one does not hold": Refusal(
        lose(OLD, "death"),
        e.QualificationNotHeld,
        f"addressee {OLD} holds no qualification in household {HH}",
    ),
    "move out notified in the future": Refusal(
        lose(SPOUSE, "moved_out", TODAY, notified=date(2026, 11, 27)),
        e.DateInFuture,
        "notification_date 2026-11-27 is after today (2026-11-26)",
    ),
    "loss 'other' without a date": Refusal(
        lose(SPOUSE, "other"),
        e.EffectiveDateRequired,
        "reason 'other' needs an explicit effective date and ex officio reason",
    ),
    "loss date typed for a rule reason": Refusal(
        lose(SPOUSE, "death", eff=D),
        e.EffectiveDateNotAllowed,
        "the effective date of reason 'death' is computed, not entered",
    ),
    "turned 75 on another day": Refusal(
        lose(SPOUSE, "turned_75", date(2055, 5, 4)),
        e.ReasonNotForThisPath,
        "reason 'turned_75': the fact date is the 75th birthday (2055-05-05)",
    ),
    "loss before acquisition": Refusal(
        lose(SPOUSE, "public_assistance_started", date(2025, 3, 31), notified=D),
        e.LossBeforeAcquisition,
        f"loss date 2025-03-31 of addressee {SPOUSE} is before the acquisition date 2025-04-01",
    ),
    "householder unchanged": Refusal(
        c.ChangeHouseholder(HEAD, D, D, TODAY, "spouse"),
        e.HouseholderUnchanged,
        f"addressee {HEAD} is already the householder",
    ),
    "previous householder without a relationship": Refusal(
        c.ChangeHouseholder(SPOUSE, D, D, TODAY, "householder"),
        e.RelationshipNotAllowed,
        f"addressee {HEAD}: relationship 'householder' must be given for the previous"
        " householder who stays insured",
    ),
    "relationship 'householder' set directly": Refusal(
        c.ChangeRelationship(SPOUSE, "householder", D, TODAY),
        e.RelationshipNotAllowed,
        f"addressee {SPOUSE}: relationship 'householder' is set by a change of householder,"
        " not directly",
    ),
    "relationship changed in the future": Refusal(
        c.ChangeRelationship(SPOUSE, "other_relative", date(2026, 11, 27), TODAY),
        e.DateInFuture,
        "fact_date 2026-11-27 is after today (2026-11-26)",
    ),
    "relationship unchanged": Refusal(
        c.ChangeRelationship(SPOUSE, "spouse", D, TODAY),
        e.NothingChanged,
        "nothing to change: relationship",
    ),
    "no personal detail changed": Refusal(
        c.ChangePersonalDetails(SPOUSE, (), D, D, TODAY),
        e.NothingChanged,
        "nothing to change: personal details",
    ),
    "correction without a reason": Refusal(
        c.CorrectQualification(SPOUSE, D, "moved_in", None, None, "R01", " "),
        e.CorrectionReasonMissing,
        "an ex officio correction needs a reason",
    ),
    "correction of a stranger": Refusal(
        c.CorrectQualification("1000000009", D, "moved_in", None, None, "R01", "x"),
        e.QualificationNotHeld,
        f"addressee 1000000009 holds no qualification in household {HH}",
    ),
    "correction to a loss reason as acquisition": Refusal(
        c.CorrectQualification(SPOUSE, D, "death", None, None, "R01", "x"),
        e.ReasonNotForThisPath,
        "reason 'death': is not an acquisition reason",
    ),
    "correction with a loss date but no reason": Refusal(
        c.CorrectQualification(SPOUSE, D, "moved_in", D, None, "R01", "x"),
        e.ReasonNotForThisPath,
        "reason 'None': loss date and reason go together",
    ),
    "correction with a loss reason but no date": Refusal(
        c.CorrectQualification(SPOUSE, D, "moved_in", None, "death", "R01", "x"),
        e.ReasonNotForThisPath,
        "reason 'death': loss date and reason go together",
    ),
    "correction to an acquisition reason as loss": Refusal(
        c.CorrectQualification(SPOUSE, D, "moved_in", D, "birth", "R01", "x"),
        e.ReasonNotForThisPath,
        "reason 'birth': is not a loss reason",
    ),
    "correction ending before it starts": Refusal(
        c.CorrectQualification(SPOUSE, D, "moved_in", date(2026, 5, 31), "death", "R01", "x"),
        e.LossBeforeAcquisition,
        f"loss date 2026-05-31 of addressee {SPOUSE} is before the acquisition date 2026-06-01",
    ),
    "correction that changes nothing": Refusal(
        c.CorrectQualification(
            OLD, date(2025, 4, 1), "moved_in", date(2026, 6, 2), "moved_out", "R01", "x"
        ),
        e.NothingChanged,
        "nothing to change: qualification period",
    ),
    "unknown special case": Refusal(
        c.StartSpecialCase(SPOUSE, "astronaut", None, D, D, TODAY),
        e.ReasonNotForThisPath,
        "reason 'astronaut': is not a special case",
    ),
    "residence exception without a facility": Refusal(
        c.StartSpecialCase(SPOUSE, "residence_exception", None, D, D, TODAY),
        e.FacilityKindRequired,
        "a residence exception (住所地特例) names the kind of facility",
    ),
    "special case started twice": Refusal(
        c.StartSpecialCase(CHILD, "student", None, D, D, TODAY),
        e.SpecialCaseAlreadyActive,
        f"addressee {CHILD} already has special case 'student'",
    ),
    "special case not active": Refusal(
        c.EndSpecialCase(SPOUSE, "student", D, TODAY),
        e.SpecialCaseNotActive,
        f"addressee {SPOUSE} has no active special case 'student'",
    ),
    "special case ended in the future": Refusal(
        c.EndSpecialCase(CHILD, "student", date(2026, 11, 27), TODAY),
        e.DateInFuture,
        "end_date 2026-11-27 is after today (2026-11-26)",
    ),
    "separation in the future": Refusal(
        c.RecordInvoluntaryUnemployment(SPOUSE, date(2026, 11, 27), "11", TODAY),
        e.DateInFuture,
        "separation_date 2026-11-27 is after today (2026-11-26)",
    ),
    "voluntary separation": Refusal(
        c.RecordInvoluntaryUnemployment(SPOUSE, D, "40", TODAY),
        e.UnemploymentNotEligible,
        "not an involuntary unemployment case: separation reason code 40 is not an involuntary one",
    ),
    "separation at 65": Refusal(
        c.RecordInvoluntaryUnemployment(SPOUSE, D, "11", TODAY),
        e.UnemploymentNotEligible,
        "not an involuntary unemployment case: aged 65 at separation (65 or over)",
        lambda: apply(
            initial(HH),
            c.RegisterHousehold(HH, HEAD, (acquire(SPOUSE, "spouse", birth=date(1961, 6, 1)),)),
        ),
    ),
    "unknown retiree kind": Refusal(
        c.RecordRetireeStatus(SPOUSE, "pensioner", D, TODAY),
        e.ReasonNotForThisPath,
        "reason 'pensioner': retiree status",
    ),
    "retiree status before acquisition": Refusal(
        c.RecordRetireeStatus(SPOUSE, "retired_insured", date(2025, 3, 31), TODAY),
        e.StatusBeforeAcquisition,
        f"a status of addressee {SPOUSE} cannot start (2025-03-31) before the acquisition"
        " date 2025-04-01",
    ),
    "retiree status in the future": Refusal(
        c.RecordRetireeStatus(SPOUSE, "retired_insured", date(2026, 11, 27), TODAY),
        e.DateInFuture,
        "since 2026-11-27 is after today (2026-11-26)",
    ),
    "retiree status ending before it starts": Refusal(
        c.RecordRetireeStatus(SPOUSE, "retired_insured", D, TODAY, date(2026, 5, 31)),
        e.PeriodEndsBeforeStart,
        "a period cannot end (2026-05-31) before it starts (2026-06-01)",
    ),
    "former dependant status unchanged": Refusal(
        c.ChangeFormerDependantStatus(SPOUSE, False, D, TODAY),
        e.NothingChanged,
        "nothing to change: former dependant status",
    ),
    "co-payment rate under 70": Refusal(
        c.DetermineCopaymentRate(SPOUSE, D),
        e.NotInAgeBand,
        f"addressee {SPOUSE} is 46, outside 70-74 (高齢受給者)",
    ),
    "co-payment rate already determined": Refusal(
        c.DetermineCopaymentRate(HEAD, date(2026, 7, 31)),
        e.NothingChanged,
        "nothing to change: a co-payment rate covers the date",
        lambda: apply(
            apply(
                initial(HH),
                c.RegisterHousehold(
                    HH, HEAD, (acquire(HEAD, "householder", birth=date(1953, 7, 7)),)
                ),
            ),
            c.DetermineCopaymentRate(HEAD, D),
        ),
    ),
    "elderly certificate under 70": Refusal(
        c.IssueCertificate("c9", "elderly_recipient_certificate", SPOUSE, date(2024, 12, 1)),
        e.NotInAgeBand,
        f"addressee {SPOUSE} is 44, outside 70-74 (高齢受給者)",
    ),
    "elderly certificate after the last day": Refusal(
        c.IssueCertificate("c9", "elderly_recipient_certificate", HEAD, date(2024, 12, 2)),
        e.NoLongerIssued,
        "elderly_recipient_certificate is not issued after 2024-12-01; only earlier records",
    ),
    "limit certificate after the last day": Refusal(
        c.IssueCertificate("c9", "limit_certificate", SPOUSE, date(2024, 12, 2)),
        e.NoLongerIssued,
        "limit_certificate is not issued after 2024-12-01; only earlier records",
    ),
    "reissue of another person's certificate": Refusal(
        c.IssueCertificate("c9", "eligibility_confirmation_document", SPOUSE, D, "c1"),
        e.CertificateNotFound,
        "certificate c1 is not known in this household",
    ),
    "record ending before it starts": Refusal(
        c.IssueCertificate(
            "c9", "specified_disease_certificate", SPOUSE, D, None, date(2026, 5, 31)
        ),
        e.PeriodEndsBeforeStart,
        "a period cannot end (2026-05-31) before it starts (2026-06-01)",
    ),
    "collecting an unknown certificate": Refusal(
        c.CollectCertificate("c9", D, "returned"),
        e.CertificateNotFound,
        "certificate c9 is not known in this household",
    ),
    "collecting twice": Refusal(
        c.CollectCertificate("c1", D, "returned"),
        e.CertificateAlreadyCollected,
        "certificate c1 is already collected",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refusal_names_the_rule_with_its_facts(case: str) -> None:
    refusal = REFUSALS[case]
    with pytest.raises(refusal.error) as raised:
        decide(refusal.state(), refusal.command, RULES)
    assert type(raised.value) is refusal.error
    assert str(raised.value) == refusal.message


def split(members: tuple[str, ...], head: str = CHILD) -> c.SplitHousehold:
    return c.SplitHousehold(NEW, head, members, D, D, TODAY)


def other() -> Household:
    return apply(
        initial(NEW),
        c.RegisterHousehold(NEW, "1000000010", (acquire("1000000010", "householder"),)),
    )


MOVES: dict[str, tuple[Callable[[], object], type[e.EligibilityRuleBroken], str]] = {
    "split of an unregistered household": (
        lambda: decide_split(initial(HH), initial(NEW), split((CHILD,)), RULES),
        e.HouseholdNotRegistered,
        f"household {HH} is not registered",
    ),
    "split into a registered household": (
        lambda: decide_split(family(), other(), split((CHILD,)), RULES),
        e.HouseholdAlreadyRegistered,
        f"household {NEW} is already registered",
    ),
    "split of strangers": (
        lambda: decide_split(family(), initial(NEW), split((CHILD, "1000000009", OLD)), RULES),
        e.MembersMissing,
        f"addressees 1000000009, {OLD} are not insured members of household {HH}",
    ),
    "split of the householder": (
        lambda: decide_split(family(), initial(NEW), split((HEAD,), HEAD), RULES),
        e.HouseholderMustStay,
        f"the householder {HEAD} cannot leave in a split",
    ),
    "split of everyone": (
        lambda: decide_split(
            apply(
                initial(HH),
                c.RegisterHousehold(HH, HEAD, (acquire(SPOUSE, "spouse"),)),
            ),
            initial(NEW),
            split((SPOUSE,), SPOUSE),
            RULES,
        ),
        e.SplitWouldEmptyHousehold,
        f"a split may not move every member out of {HH}",
    ),
    "split headed by someone who stays": (
        lambda: decide_split(family(), initial(NEW), split((CHILD,), SPOUSE), RULES),
        e.HouseholderMustBeMember,
        f"addressee {SPOUSE} is neither an insured member of household {NEW} nor declared as"
        " its deemed householder",
    ),
    "merge of an unregistered household": (
        lambda: decide_merge(initial(NEW), family(), c.MergeHousehold(HH, D, D, TODAY), RULES),
        e.HouseholdNotRegistered,
        f"household {NEW} is not registered",
    ),
    "merge into an unregistered household": (
        lambda: decide_merge(other(), initial(HH), c.MergeHousehold(HH, D, D, TODAY), RULES),
        e.HouseholdNotRegistered,
        f"household {HH} is not registered",
    ),
    "merge into itself": (
        lambda: decide_merge(family(), family(), c.MergeHousehold(HH, D, D, TODAY), RULES),
        e.SameHousehold,
        f"household {HH} cannot merge into itself",
    ),
    "merge of a household without insured members": (
        lambda: decide_merge(
            apply(other(), c.LoseQualification("1000000010", "death", D, D, TODAY)),
            family(),
            c.MergeHousehold(HH, D, D, TODAY),
            RULES,
        ),
        e.MembersMissing,
        f"addressees  are not insured members of household {NEW}",
    ),
}


@pytest.mark.parametrize("case", list(MOVES))
def test_refusal_of_a_split_or_merge_names_the_rule_with_its_facts(case: str) -> None:
    attempt, error, message = MOVES[case]
    with pytest.raises(error) as raised:
        attempt()
    assert type(raised.value) is error
    assert str(raised.value) == message


def test_the_family_is_what_the_refusals_assume() -> None:
    state = family()
    assert [m.addressee_number for m in state.active_members] == [HEAD, SPOUSE, CHILD]
    assert state.members[OLD].loss_date == date(2026, 6, 2)
    assert state.members[CHILD].special_cases == frozenset({"student"})
    assert state.certificates["c1"].collected
