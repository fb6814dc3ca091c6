"""Household aggregate: every acquisition and loss reason with its effective-date rule, late
notifications, impossible sequences, special cases, certificates."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
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
HEAD = "1000000001"
SPOUSE = "1000000002"
CHILD = "1000000003"


def acquire(
    addressee: str = HEAD,
    *,
    reason: str = "moved_in",
    fact: date = date(2026, 4, 1),
    notified: date | None = None,
    birth: date = date(1980, 5, 5),
    relationship: str = "householder",
    insured: str = "30000001",
    effective: date | None = None,
) -> c.AcquireQualification:
    return c.AcquireQualification(
        addressee_number=addressee,
        insured_number=insured,
        reason=reason,
        fact_date=fact,
        notification_date=notified or fact,
        birth_date=birth,
        relationship=relationship,
        today=TODAY,
        effective_date=effective,
    )


def apply(state: Household, command: c.Command) -> tuple[Household, list[ev.Event]]:
    events = decide(state, command, RULES)
    for event in events:
        state = evolve(state, event)
    return state, events


def registered(*acquisitions: c.AcquireQualification, head: str = HEAD) -> Household:
    state, _ = apply(initial(HH), c.RegisterHousehold(HH, head, acquisitions or (acquire(),)))
    return state


def of_type(events: list[ev.Event], kind: type) -> list:
    return [x for x in events if isinstance(x, kind)]


# --- acquisition dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "fact", "expected"),
    [
        ("moved_in", date(2026, 4, 1), date(2026, 4, 1)),
        ("moved_in", date(2026, 1, 31), date(2026, 1, 31)),
        ("left_employee_insurance", date(2026, 3, 31), date(2026, 4, 1)),  # month end
        ("left_employee_insurance", date(2024, 2, 28), date(2024, 2, 29)),  # leap year
        ("left_employee_insurance", date(2025, 2, 28), date(2025, 3, 1)),  # common year
        ("left_employee_insurance", date(2025, 12, 31), date(2026, 1, 1)),  # year end
        ("public_assistance_ended", date(2026, 6, 30), date(2026, 6, 30)),
        ("late_elderly_disability_withdrawn", date(2026, 8, 31), date(2026, 9, 1)),
        ("residence_exception_started", date(2026, 5, 10), date(2026, 5, 10)),
    ],
)
def test_acquisition_date_follows_the_reason(reason: str, fact: date, expected: date) -> None:
    _, events = apply(
        initial(HH), c.RegisterHousehold(HH, HEAD, (acquire(reason=reason, fact=fact),))
    )
    (acquired,) = of_type(events, ev.QualificationAcquired)
    assert acquired.acquisition_date == expected
    assert acquired.fact_date == fact
    assert acquired.acquisition_reason == reason


def test_birth_acquires_on_the_birth_date_including_29_february() -> None:
    state = registered()
    born = date(2024, 2, 29)
    _, events = apply(
        state,
        acquire(
            CHILD, reason="birth", fact=born, birth=born, relationship="child", insured="30000003"
        ),
    )
    (acquired,) = of_type(events, ev.QualificationAcquired)
    assert acquired.acquisition_date == born
    assert acquired.branch_number == "02"


def test_birth_fact_must_be_the_birth_date() -> None:
    with pytest.raises(e.BirthFactMismatch):
        apply(
            registered(),
            acquire(
                CHILD,
                reason="birth",
                fact=date(2026, 5, 2),
                birth=date(2026, 5, 1),
                relationship="child",
            ),
        )


def test_other_reason_needs_an_explicit_date_and_rule_reasons_refuse_one() -> None:
    with pytest.raises(e.EffectiveDateRequired):
        registered(acquire(reason="other"))
    with pytest.raises(e.EffectiveDateNotAllowed):
        registered(acquire(reason="moved_in", effective=date(2026, 4, 2)))
    state = registered(acquire(reason="other", effective=date(2026, 4, 3)))
    assert state.members[HEAD].acquisition_date == date(2026, 4, 3)


def test_unknown_reason_is_refused() -> None:
    with pytest.raises(e.ReasonNotForThisPath):
        registered(acquire(reason="moved_to_mars"))


# --- late notification --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fact", "notified", "late"),
    [
        (date(2026, 4, 1), date(2026, 4, 15), False),  # the 14th day after: on time
        (date(2026, 4, 1), date(2026, 4, 16), True),
        (date(2026, 1, 31), date(2026, 2, 14), False),
        (date(2026, 1, 31), date(2026, 2, 15), True),
        (date(2024, 2, 20), date(2024, 3, 5), False),  # through 29 February
        (date(2024, 2, 20), date(2024, 3, 6), True),
    ],
)
def test_late_notification_is_flagged_but_the_date_is_retroactive(
    fact: date, notified: date, late: bool
) -> None:
    _, events = apply(
        initial(HH), c.RegisterHousehold(HH, HEAD, (acquire(fact=fact, notified=notified),))
    )
    (acquired,) = of_type(events, ev.QualificationAcquired)
    assert acquired.late_notification is late
    assert acquired.acquisition_date == fact  # a late notice does not move the date


def test_notification_before_the_fact_or_in_the_future_is_refused() -> None:
    with pytest.raises(e.NotificationBeforeFact):
        registered(acquire(fact=date(2026, 4, 10), notified=date(2026, 4, 9)))
    with pytest.raises(e.DateInFuture):
        registered(acquire(fact=date(2026, 11, 20), notified=date(2026, 11, 27)))


# --- registration and householders --------------------------------------------------------


def test_register_with_insured_householder() -> None:
    state, events = apply(
        initial(HH),
        c.RegisterHousehold(
            HH,
            HEAD,
            (acquire(), acquire(SPOUSE, relationship="spouse", insured="30000002")),
        ),
    )
    assert isinstance(events[0], ev.HouseholdRegistered)
    assert events[0].deemed_householder is False
    assert [x.branch_number for x in of_type(events, ev.QualificationAcquired)] == ["01", "02"]
    (composition,) = of_type(events, ev.HouseholdCompositionChanged)
    assert [m.addressee_number for m in composition.members] == [HEAD, SPOUSE]
    assert composition.deemed_householder is False
    assert not state.deemed_householder


def test_register_with_deemed_householder() -> None:
    state, events = apply(
        initial(HH),
        c.RegisterHousehold(HH, HEAD, (acquire(SPOUSE, relationship="spouse"),)),
    )
    assert events[0].deemed_householder is True
    assert state.deemed_householder
    (composition,) = of_type(events, ev.HouseholdCompositionChanged)
    assert composition.householder_addressee_number == HEAD
    assert composition.deemed_householder is True


def test_register_twice_and_commands_on_unknown_households_are_refused() -> None:
    with pytest.raises(e.HouseholdAlreadyRegistered):
        apply(registered(), c.RegisterHousehold(HH, HEAD, (acquire(),)))
    with pytest.raises(e.HouseholdNotRegistered):
        apply(initial(HH), acquire())
    with pytest.raises(e.MembersMissing):
        apply(initial(HH), c.RegisterHousehold(HH, HEAD, ()))


def test_relationship_householder_only_for_the_householder() -> None:
    with pytest.raises(e.RelationshipNotAllowed):
        registered(acquire(), acquire(SPOUSE, relationship="householder"))
    with pytest.raises(e.RelationshipNotAllowed):
        registered(acquire(relationship="spouse"))


# --- impossible sequences -----------------------------------------------------------------


def test_acquiring_twice_is_refused() -> None:
    with pytest.raises(e.QualificationAlreadyHeld) as raised:
        apply(registered(), acquire(fact=date(2026, 5, 1)))
    assert raised.value.addressee_number == HEAD


def test_losing_a_qualification_one_does_not_hold_is_refused() -> None:
    lose = c.LoseQualification(SPOUSE, "moved_out", date(2026, 5, 1), date(2026, 5, 1), TODAY)
    with pytest.raises(e.QualificationNotHeld) as raised:
        apply(registered(), lose)
    assert raised.value.addressee_number == SPOUSE


def test_losing_twice_is_refused() -> None:
    state = registered(acquire(), acquire(SPOUSE, relationship="spouse"))
    lose = c.LoseQualification(SPOUSE, "death", date(2026, 5, 1), date(2026, 5, 2), TODAY)
    state, _ = apply(state, lose)
    with pytest.raises(e.QualificationNotHeld):
        apply(state, lose)


def test_loss_before_acquisition_is_refused() -> None:
    state = registered(acquire(fact=date(2026, 4, 10)))
    with pytest.raises(e.LossBeforeAcquisition):
        apply(
            state,
            c.LoseQualification(
                HEAD, "public_assistance_started", date(2026, 4, 1), date(2026, 4, 12), TODAY
            ),
        )


def test_reacquisition_may_not_overlap_the_previous_period() -> None:
    state = registered(acquire(), acquire(SPOUSE, relationship="spouse", insured="30000002"))
    state, _ = apply(
        state,
        c.LoseQualification(
            SPOUSE, "joined_employee_insurance", date(2026, 6, 1), date(2026, 6, 3), TODAY
        ),
    )
    with pytest.raises(e.AcquisitionOverlapsEarlierPeriod):
        apply(
            state,
            acquire(
                SPOUSE,
                reason="left_employee_insurance",
                fact=date(2026, 5, 30),
                relationship="spouse",
            ),
        )
    state, events = apply(
        state,
        acquire(
            SPOUSE, reason="left_employee_insurance", fact=date(2026, 9, 30), relationship="spouse"
        ),
    )
    (again,) = of_type(events, ev.QualificationAcquired)
    assert again.acquisition_date == date(2026, 10, 1)
    assert again.insured_number == "30000002"  # the person keeps number and branch
    assert again.branch_number == "02"


# --- loss dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "fact", "expected", "stays"),
    [
        ("moved_out", date(2026, 6, 30), date(2026, 7, 1), False),
        ("moved_out", date(2024, 2, 28), date(2024, 2, 29), False),
        ("joined_employee_insurance", date(2026, 7, 1), date(2026, 7, 2), True),
        ("joined_employee_insurance", date(2026, 8, 31), date(2026, 9, 1), True),
        ("death", date(2026, 12, 31), date(2027, 1, 1), False),
        ("death", date(2025, 2, 28), date(2025, 3, 1), False),
        ("public_assistance_started", date(2026, 9, 1), date(2026, 9, 1), True),
        ("late_elderly_disability_recognised", date(2026, 10, 15), date(2026, 10, 16), True),
        ("residence_exception_moved", date(2026, 5, 10), date(2026, 5, 10), False),
    ],
)
def test_loss_date_follows_the_reason(reason: str, fact: date, expected: date, stays: bool) -> None:
    state = registered(
        acquire(fact=date(2024, 1, 5)),
        acquire(SPOUSE, fact=date(2024, 1, 5), relationship="spouse", birth=date(1958, 3, 3)),
    )
    _, events = apply(state, c.LoseQualification(SPOUSE, reason, fact, fact, max(TODAY, fact)))
    (lost,) = of_type(events, ev.QualificationLost)
    assert lost.loss_date == expected
    assert lost.remains_in_household is stays


def test_turning_75_loses_on_the_birthday_and_becomes_a_specified_member() -> None:
    state = registered(
        acquire(fact=date(2020, 4, 1), birth=date(1951, 6, 15)),
        acquire(SPOUSE, fact=date(2020, 4, 1), relationship="spouse", birth=date(1960, 1, 1)),
    )
    birthday = date(2026, 6, 15)
    state, events = apply(state, c.LoseQualification(HEAD, "turned_75", birthday, birthday, TODAY))
    (lost,) = of_type(events, ev.QualificationLost)
    assert lost.loss_date == birthday  # parameter turning_75.offset_days = 0 (unconfirmed)
    assert lost.late_notification is False  # no notification needed
    assert lost.remains_in_household
    (specified,) = of_type(events, ev.SpecifiedSameHouseholdMemberChanged)
    assert specified.addressee_number == HEAD
    assert specified.until is None
    (composition,) = of_type(events, ev.HouseholdCompositionChanged)
    assert composition.deemed_householder  # the householder is no longer insured
    assert composition.specified_same_household_members == (HEAD,)
    assert [m.addressee_number for m in composition.members] == [SPOUSE]


def test_turning_75_on_29_february_birth_in_a_common_year_is_1_march() -> None:
    state = registered(acquire(fact=date(2020, 4, 1), birth=date(1952, 2, 29)))
    with pytest.raises(e.ReasonNotForThisPath):
        apply(
            state,
            c.LoseQualification(
                HEAD, "turned_75", date(2027, 2, 28), date(2027, 2, 28), date(2027, 3, 1)
            ),
        )
    _, events = apply(
        state,
        c.LoseQualification(
            HEAD, "turned_75", date(2027, 3, 1), date(2027, 3, 1), date(2027, 3, 1)
        ),
    )
    (lost,) = of_type(events, ev.QualificationLost)
    assert lost.loss_date == date(2027, 3, 1)
    (composition,) = of_type(events, ev.HouseholdCompositionChanged)
    assert composition.dissolved  # alone: no specified member either


def test_turning_75_fact_must_be_the_75th_birthday() -> None:
    state = registered(acquire(fact=date(2020, 4, 1), birth=date(1951, 6, 15)))
    with pytest.raises(e.ReasonNotForThisPath):
        apply(
            state,
            c.LoseQualification(HEAD, "turned_75", date(2026, 6, 14), date(2026, 6, 14), TODAY),
        )


def test_acquiring_at_75_or_older_is_refused() -> None:
    with pytest.raises(e.NotInAgeBand):
        registered(acquire(birth=date(1950, 1, 1), fact=date(2026, 4, 1)))


def test_late_loss_notification_is_flagged() -> None:
    state = registered(
        acquire(fact=date(2026, 1, 5)),
        acquire(SPOUSE, fact=date(2026, 1, 5), relationship="spouse"),
    )
    _, events = apply(
        state,
        c.LoseQualification(
            SPOUSE, "joined_employee_insurance", date(2026, 6, 1), date(2026, 7, 1), TODAY
        ),
    )
    (lost,) = of_type(events, ev.QualificationLost)
    assert lost.late_notification
    assert lost.loss_date == date(2026, 6, 2)


def test_loss_collects_the_persons_open_certificates() -> None:
    state = registered(acquire(fact=date(2026, 1, 5)))
    state, _ = apply(
        state,
        c.IssueCertificate("cert-1", "eligibility_confirmation_document", HEAD, date(2026, 1, 6)),
    )
    _, events = apply(
        state, c.LoseQualification(HEAD, "moved_out", date(2026, 8, 1), date(2026, 8, 1), TODAY)
    )
    (collected,) = of_type(events, ev.CertificateCollected)
    assert collected.certificate_id == "cert-1"
    assert collected.reason == "qualification_lost"


# --- householder, relationship, personal details, correction -------------------------------


def test_householder_change_to_a_member_updates_relationships() -> None:
    state = registered(acquire(), acquire(SPOUSE, relationship="spouse"))
    with pytest.raises(e.RelationshipNotAllowed):
        apply(state, c.ChangeHouseholder(SPOUSE, date(2026, 5, 1), date(2026, 5, 2), TODAY))
    state, events = apply(
        state,
        c.ChangeHouseholder(SPOUSE, date(2026, 5, 1), date(2026, 5, 2), TODAY, "spouse"),
    )
    (changed,) = of_type(events, ev.HouseholderChanged)
    assert changed.previous_householder_addressee_number == HEAD
    assert changed.deemed_householder is False
    assert state.members[SPOUSE].relationship == "householder"
    assert state.members[HEAD].relationship == "spouse"
    with pytest.raises(e.HouseholderUnchanged):
        apply(
            state, c.ChangeHouseholder(SPOUSE, date(2026, 5, 1), date(2026, 5, 2), TODAY, "spouse")
        )


def test_householder_change_to_a_non_member_makes_a_deemed_householder() -> None:
    state = registered(acquire(SPOUSE, relationship="spouse"), head=HEAD)
    state, events = apply(
        state, c.ChangeHouseholder("1000000009", date(2026, 5, 1), date(2026, 5, 20), TODAY)
    )
    (changed,) = of_type(events, ev.HouseholderChanged)
    assert changed.deemed_householder
    assert changed.late_notification
    assert state.deemed_householder


def test_relationship_change() -> None:
    state = registered(acquire(), acquire(CHILD, relationship="child"))
    state, _ = apply(state, c.ChangeRelationship(CHILD, "grandchild", date(2026, 5, 1), TODAY))
    assert state.members[CHILD].relationship == "grandchild"
    with pytest.raises(e.NothingChanged):
        apply(state, c.ChangeRelationship(CHILD, "grandchild", date(2026, 5, 1), TODAY))
    with pytest.raises(e.RelationshipNotAllowed):
        apply(state, c.ChangeRelationship(CHILD, "householder", date(2026, 5, 1), TODAY))


def test_personal_details_change_repeats_only_a_corrected_birth_date() -> None:
    state = registered()
    _, events = apply(
        state,
        c.ChangePersonalDetails(
            HEAD, ("address", "name"), date(2026, 6, 1), date(2026, 6, 3), TODAY
        ),
    )
    (changed,) = of_type(events, ev.PersonalDetailsChanged)
    assert changed.changed_fields == ("address", "name")
    assert changed.birth_date is None
    state, events = apply(
        state,
        c.ChangePersonalDetails(
            HEAD, ("birth_date",), date(2026, 6, 1), date(2026, 6, 3), TODAY, date(1980, 5, 6)
        ),
    )
    assert state.members[HEAD].birth_date == date(1980, 5, 6)
    (composition,) = of_type(events, ev.HouseholdCompositionChanged)
    assert composition.members[0].birth_date == date(1980, 5, 6)
    with pytest.raises(e.QualificationNotHeld):
        apply(
            state,
            c.ChangePersonalDetails(CHILD, ("name",), date(2026, 6, 1), date(2026, 6, 3), TODAY),
        )


def test_ex_officio_correction_needs_a_reason_and_keeps_history() -> None:
    state = registered(acquire(fact=date(2026, 4, 1)))
    with pytest.raises(e.CorrectionReasonMissing):
        apply(
            state,
            c.CorrectQualification(HEAD, date(2026, 3, 1), "moved_in", None, None, "R01", "  "),
        )
    state, events = apply(
        state,
        c.CorrectQualification(HEAD, date(2026, 3, 1), "moved_in", None, None, "R01", "転入日誤り"),
    )
    (corrected,) = of_type(events, ev.QualificationCorrected)
    assert corrected.acquisition_date == date(2026, 3, 1)
    assert state.members[HEAD].acquisition_date == date(2026, 3, 1)
    with pytest.raises(e.NothingChanged):
        apply(
            state,
            c.CorrectQualification(HEAD, date(2026, 3, 1), "moved_in", None, None, "R01", "x"),
        )
    with pytest.raises(e.LossBeforeAcquisition):
        apply(
            state,
            c.CorrectQualification(
                HEAD, date(2026, 3, 1), "moved_in", date(2026, 2, 1), "death", "R01", "x"
            ),
        )


# --- special cases and assessment attributes ------------------------------------------------


def test_special_cases_start_and_end() -> None:
    state = registered(acquire(), acquire(CHILD, relationship="child", birth=date(2006, 4, 1)))
    with pytest.raises(e.FacilityKindRequired):
        apply(
            state,
            c.StartSpecialCase(
                CHILD, "residence_exception", None, date(2026, 5, 1), date(2026, 5, 1), TODAY
            ),
        )
    state, events = apply(
        state,
        c.StartSpecialCase(
            CHILD, "student", "hospital", date(2026, 4, 1), date(2026, 4, 20), TODAY
        ),
    )
    (started,) = of_type(events, ev.SpecialCaseStarted)
    assert started.facility_kind is None
    assert started.late_notification
    with pytest.raises(e.SpecialCaseAlreadyActive):
        apply(
            state,
            c.StartSpecialCase(CHILD, "student", None, date(2026, 4, 1), date(2026, 4, 2), TODAY),
        )
    state, _ = apply(state, c.EndSpecialCase(CHILD, "student", date(2026, 9, 30), TODAY))
    with pytest.raises(e.SpecialCaseNotActive):
        apply(state, c.EndSpecialCase(CHILD, "student", date(2026, 9, 30), TODAY))


def test_involuntary_unemployment_period_runs_to_the_end_of_the_next_fiscal_year() -> None:
    state = registered(acquire(birth=date(1980, 5, 5)))
    _, events = apply(state, c.RecordInvoluntaryUnemployment(HEAD, date(2026, 3, 31), "11", TODAY))
    (recorded,) = of_type(events, ev.InvoluntaryUnemploymentRecorded)
    assert recorded.reduction_start == date(2026, 4, 1)
    assert recorded.reduction_end == date(2028, 3, 31)
    _, events = apply(state, c.RecordInvoluntaryUnemployment(HEAD, date(2026, 3, 30), "23", TODAY))
    assert of_type(events, ev.InvoluntaryUnemploymentRecorded)[0].reduction_end == date(2027, 3, 31)
    with pytest.raises(e.UnemploymentNotEligible):
        apply(state, c.RecordInvoluntaryUnemployment(HEAD, date(2026, 3, 30), "40", TODAY))
    old = registered(acquire(birth=date(1960, 1, 1)))
    with pytest.raises(e.UnemploymentNotEligible):
        apply(old, c.RecordInvoluntaryUnemployment(HEAD, date(2026, 3, 30), "11", TODAY))


# --- certificates ---------------------------------------------------------------------------


def test_confirmation_document_validity_is_five_years_cut_at_the_day_before_75() -> None:
    state = registered(acquire(fact=date(2026, 4, 1), birth=date(1980, 5, 5)))
    _, events = apply(
        state, c.IssueCertificate("c1", "eligibility_confirmation_document", HEAD, date(2026, 4, 2))
    )
    (issued,) = of_type(events, ev.CertificateIssued)
    assert (issued.valid_from, issued.valid_until) == (date(2026, 4, 2), date(2031, 4, 1))
    assert issued.copayment_rate_tenths is None
    older = registered(acquire(fact=date(2026, 4, 1), birth=date(1953, 7, 7)))
    _, events = apply(
        older, c.IssueCertificate("c2", "eligibility_confirmation_document", HEAD, date(2026, 4, 2))
    )
    (issued,) = of_type(events, ev.CertificateIssued)
    assert issued.valid_until == date(2026, 7, 31)  # a 70-74 document ends with its rate year
    assert issued.copayment_rate_tenths == 2  # the documented default until income is known
    (rate,) = of_type(events, ev.CopaymentRateDetermined)
    assert rate.basis == "default"


def test_elderly_certificate_only_for_70_to_74() -> None:
    state = registered(acquire(fact=date(2026, 4, 1), birth=date(1980, 5, 5)))
    with pytest.raises(e.NotInAgeBand):
        apply(
            state,
            c.IssueCertificate("c1", "elderly_recipient_certificate", HEAD, date(2024, 12, 1)),
        )


def test_reissue_collects_the_old_certificate_and_collecting_twice_is_refused() -> None:
    state = registered(acquire(fact=date(2026, 4, 1)))
    state, _ = apply(
        state, c.IssueCertificate("c1", "eligibility_confirmation_document", HEAD, date(2026, 4, 2))
    )
    state, events = apply(
        state,
        c.IssueCertificate("c2", "eligibility_confirmation_document", HEAD, date(2026, 6, 1), "c1"),
    )
    (collected,) = of_type(events, ev.CertificateCollected)
    assert collected.reason == "reissued"
    assert collected.certificate_id == "c1"
    with pytest.raises(e.CertificateAlreadyCollected):
        apply(state, c.CollectCertificate("c1", date(2026, 6, 2), "returned"))
    with pytest.raises(e.CertificateNotFound):
        apply(state, c.CollectCertificate("nope", date(2026, 6, 2), "returned"))
    with pytest.raises(e.CertificateNotFound):
        apply(
            state,
            c.IssueCertificate(
                "c3", "eligibility_confirmation_document", HEAD, date(2026, 6, 1), "zz"
            ),
        )


def test_no_composition_event_when_nothing_in_the_composition_changed() -> None:
    state = registered()
    _, events = apply(
        state, c.ChangePersonalDetails(HEAD, ("name",), date(2026, 6, 1), date(2026, 6, 3), TODAY)
    )
    assert of_type(events, ev.HouseholdCompositionChanged) == []


def test_moving_out_may_be_notified_in_advance() -> None:
    state = registered(acquire(fact=date(2026, 1, 5)))
    _, events = apply(
        state, c.LoseQualification(HEAD, "moved_out", date(2026, 12, 10), date(2026, 11, 26), TODAY)
    )
    (lost,) = of_type(events, ev.QualificationLost)
    assert lost.loss_date == date(2026, 12, 11)
    assert not lost.late_notification
    with pytest.raises(e.NotificationBeforeFact):
        apply(
            state, c.LoseQualification(HEAD, "death", date(2026, 12, 10), date(2026, 11, 26), TODAY)
        )


def test_former_dependant_status_is_set_and_closed() -> None:
    state = registered(acquire(fact=date(2026, 4, 1)), acquire(SPOUSE, relationship="spouse"))
    with pytest.raises(e.StatusBeforeAcquisition):
        apply(state, c.ChangeFormerDependantStatus(SPOUSE, True, date(2026, 3, 1), TODAY))
    state, events = apply(
        state, c.ChangeFormerDependantStatus(SPOUSE, True, date(2026, 4, 1), TODAY)
    )
    (changed,) = of_type(events, ev.FormerDependantStatusChanged)
    assert changed.since == date(2026, 4, 1)
    (composition,) = of_type(events, ev.HouseholdCompositionChanged)
    assert [m.former_dependant for m in composition.members] == [False, True]
    with pytest.raises(e.NothingChanged):
        apply(state, c.ChangeFormerDependantStatus(SPOUSE, True, date(2026, 4, 1), TODAY))
    with pytest.raises(e.PeriodEndsBeforeStart):
        apply(
            state,
            c.ChangeFormerDependantStatus(
                SPOUSE, True, date(2026, 4, 1), TODAY, until=date(2026, 3, 31)
            ),
        )
    state, _ = apply(
        state,
        c.ChangeFormerDependantStatus(SPOUSE, True, date(2026, 4, 1), TODAY, date(2026, 9, 30)),
    )
    assert state.members[SPOUSE].former_dependant is False


def test_specified_members_end_with_the_household_keeping_their_start() -> None:
    state = registered(
        acquire(fact=date(2020, 4, 1), birth=date(1951, 6, 15)),
        acquire(SPOUSE, fact=date(2020, 4, 1), relationship="spouse", birth=date(1960, 1, 1)),
    )
    birthday = date(2026, 6, 15)
    state, _ = apply(state, c.LoseQualification(HEAD, "turned_75", birthday, birthday, TODAY))
    _, events = apply(
        state, c.LoseQualification(SPOUSE, "death", date(2026, 9, 1), date(2026, 9, 2), TODAY)
    )
    (ended,) = of_type(events, ev.SpecifiedSameHouseholdMemberChanged)
    assert ended.addressee_number == HEAD
    assert ended.since == birthday
    assert ended.until == date(2026, 9, 2)
    (composition,) = of_type(events, ev.HouseholdCompositionChanged)
    assert composition.dissolved
    assert composition.specified_same_household_members == ()


# --- split and merge --------------------------------------------------------------------------

NEW = "2000000002"
GRANDCHILD = "1000000004"


def family() -> Household:
    return registered(
        acquire(fact=date(2025, 4, 1)),
        acquire(SPOUSE, fact=date(2025, 4, 1), relationship="spouse"),
        acquire(CHILD, fact=date(2025, 4, 1), relationship="child", birth=date(2000, 1, 1)),
        acquire(
            GRANDCHILD, fact=date(2025, 4, 1), relationship="grandchild", birth=date(2024, 1, 1)
        ),
    )


def split(members: tuple[str, ...], head: str = CHILD) -> c.SplitHousehold:
    return c.SplitHousehold(NEW, head, members, date(2026, 6, 1), date(2026, 6, 5), TODAY)


def test_split_moves_members_with_new_cards_and_keeps_their_qualification() -> None:
    source = family()
    source_events, target_events = decide_split(
        source, initial(NEW), split((CHILD, GRANDCHILD)), RULES
    )
    (moved,) = of_type(source_events, ev.HouseholdSplit)
    assert [m.addressee_number for m in moved.members] == [CHILD, GRANDCHILD]
    assert [m.branch_number for m in moved.members] == ["01", "02"]
    assert all(m.card_number == NEW for m in moved.members)
    assert moved.members[0].relationship == "householder"
    assert moved.members[0].acquisition_date == date(2025, 4, 1)  # continues
    (left,) = of_type(source_events, ev.HouseholdCompositionChanged)
    assert [m.addressee_number for m in left.members] == [HEAD, SPOUSE]
    assert isinstance(target_events[0], ev.HouseholdRegistered)
    assert target_events[0].deemed_householder is False
    (joined,) = of_type(target_events, ev.HouseholdCompositionChanged)
    assert [m.addressee_number for m in joined.members] == [CHILD, GRANDCHILD]
    target = initial(NEW)
    for event in target_events:
        target = evolve(target, event)
    assert target.members[CHILD].insured_number == source.members[CHILD].insured_number
    assert target.householder_addressee_number == CHILD
    assert not target.deemed_householder


def test_split_refusals() -> None:
    source = family()
    with pytest.raises(e.HouseholderMustStay):
        decide_split(source, initial(NEW), split((HEAD, CHILD)), RULES)
    deemed = registered(acquire(SPOUSE, relationship="spouse", fact=date(2025, 4, 1)))
    with pytest.raises(e.SplitWouldEmptyHousehold):
        decide_split(deemed, initial(NEW), split((SPOUSE,), head=SPOUSE), RULES)
    with pytest.raises(e.MembersMissing):
        decide_split(source, initial(NEW), split(("1000000099",)), RULES)
    with pytest.raises(e.HouseholderMustBeMember):
        decide_split(source, initial(NEW), split((GRANDCHILD,), head=SPOUSE), RULES)
    with pytest.raises(e.HouseholdAlreadyRegistered):
        decide_split(source, source, split((CHILD,)), RULES)


def test_split_with_a_deemed_householder_and_late_notice() -> None:
    command = c.SplitHousehold(
        NEW, "1000000077", (CHILD,), date(2026, 5, 1), date(2026, 5, 20), TODAY
    )
    _, target_events = decide_split(family(), initial(NEW), command, RULES)
    (registered_event,) = of_type(target_events, ev.HouseholdRegistered)
    assert registered_event.deemed_householder
    (moved,) = of_type(target_events, ev.HouseholdSplit)
    assert moved.late_notification


def test_merge_moves_everyone_and_dissolves_the_absorbed_household() -> None:
    into = family()
    absorbed, _ = apply(
        initial(NEW),
        c.RegisterHousehold(NEW, "1000000010", (acquire("1000000010", fact=date(2025, 1, 1)),)),
    )
    absorbed, _ = apply(
        absorbed,
        c.IssueCertificate(
            "c9", "eligibility_confirmation_document", "1000000010", date(2025, 1, 2)
        ),
    )
    command = c.MergeHousehold(HH, date(2026, 7, 1), date(2026, 7, 2), TODAY)
    absorbed_events, into_events = decide_merge(absorbed, into, command, RULES)
    (merged,) = of_type(absorbed_events, ev.HouseholdMerged)
    assert merged.members[0].branch_number == "05"  # after the four members of `into`
    assert merged.members[0].relationship == "other_relative"
    (collected,) = of_type(absorbed_events, ev.CertificateCollected)
    assert collected.reason == "details_changed"
    (gone,) = of_type(absorbed_events, ev.HouseholdCompositionChanged)
    assert gone.dissolved
    (grown,) = of_type(into_events, ev.HouseholdCompositionChanged)
    assert len(grown.members) == 5
    with pytest.raises(e.SameHousehold):
        decide_merge(into, into, command, RULES)


def test_limit_certificates_are_records_from_before_2024_12_02() -> None:
    state = registered(acquire(fact=date(2024, 4, 1)))
    with pytest.raises(e.NoLongerIssued):
        apply(state, c.IssueCertificate("l1", "limit_certificate", HEAD, date(2024, 12, 2)))
    _, events = apply(
        state,
        c.IssueCertificate(
            "l1", "limit_certificate", HEAD, date(2024, 8, 1), None, date(2025, 7, 31)
        ),
    )
    (issued,) = of_type(events, ev.CertificateIssued)
    assert (issued.valid_from, issued.valid_until) == (date(2024, 8, 1), date(2025, 7, 31))
    _, events = apply(
        state, c.IssueCertificate("d1", "specified_disease_certificate", HEAD, date(2026, 5, 1))
    )
    (issued,) = of_type(events, ev.CertificateIssued)
    assert issued.valid_until is None  # 特定疾病 is still issued, with no fixed end


def test_copayment_rate_periods_run_august_to_july_within_70_to_74() -> None:
    from kokuho.eligibility.domain.rules import copayment_period, elderly_start

    assert elderly_start(date(1956, 5, 15), RULES) == date(2026, 6, 1)  # month after
    assert elderly_start(date(1956, 5, 1), RULES) == date(2026, 5, 1)  # born on the 1st
    assert elderly_start(date(1956, 12, 20), RULES) == date(2027, 1, 1)
    assert copayment_period(date(1956, 5, 15), date(2026, 5, 31), RULES) is None
    assert copayment_period(date(1956, 5, 15), date(2026, 6, 1), RULES) == (
        date(2026, 6, 1),
        date(2026, 7, 31),
    )
    assert copayment_period(date(1956, 5, 15), date(2026, 8, 1), RULES) == (
        date(2026, 8, 1),
        date(2027, 7, 31),
    )
    # the last period ends the day before the 75th birthday
    assert copayment_period(date(1952, 2, 29), date(2026, 9, 1), RULES) == (
        date(2026, 8, 1),
        date(2027, 2, 28),
    )
    assert copayment_period(date(1952, 2, 29), date(2027, 3, 1), RULES) is None


def test_determining_the_rate_once_per_period() -> None:
    state = registered(acquire(fact=date(2025, 4, 1), birth=date(1956, 5, 15)))
    with pytest.raises(e.NotInAgeBand):
        apply(state, c.DetermineCopaymentRate(HEAD, date(2026, 5, 31)))
    state, events = apply(state, c.DetermineCopaymentRate(HEAD, date(2026, 6, 1)))
    (rate,) = of_type(events, ev.CopaymentRateDetermined)
    assert (rate.valid_from, rate.valid_until, rate.copayment_rate_tenths) == (
        date(2026, 6, 1),
        date(2026, 7, 31),
        2,
    )
    assert rate.basis == "default"
    with pytest.raises(e.NothingChanged):
        apply(state, c.DetermineCopaymentRate(HEAD, date(2026, 7, 31)))
    _, events = apply(state, c.DetermineCopaymentRate(HEAD, date(2026, 8, 1)))
    (renewed,) = of_type(events, ev.CopaymentRateDetermined)
    assert renewed.valid_until == date(2027, 7, 31)


def test_information_notice_has_no_expiry_under_70_and_carries_the_rate_from_70() -> None:
    young = registered(acquire(fact=date(2026, 4, 1), birth=date(1980, 5, 5)))
    _, events = apply(
        young, c.IssueCertificate("n1", "eligibility_information_notice", HEAD, date(2026, 4, 2))
    )
    (issued,) = of_type(events, ev.CertificateIssued)
    assert (issued.valid_from, issued.valid_until) == (date(2026, 4, 2), None)
    assert issued.copayment_rate_tenths is None
    older = registered(acquire(fact=date(2026, 4, 1), birth=date(1953, 7, 7)))
    _, events = apply(
        older, c.IssueCertificate("n2", "eligibility_information_notice", HEAD, date(2026, 4, 2))
    )
    (issued,) = of_type(events, ev.CertificateIssued)
    assert issued.valid_until == date(2026, 7, 31)  # expires with the August-July rate period
    assert issued.copayment_rate_tenths == 2


def test_retiree_status_is_recorded_within_the_qualification() -> None:
    state = registered(acquire(fact=date(2014, 4, 1), birth=date(1952, 5, 5)))
    _, events = apply(
        state,
        c.RecordRetireeStatus(HEAD, "retired_insured", date(2014, 4, 1), TODAY, date(2017, 5, 4)),
    )
    (recorded,) = of_type(events, ev.RetireeStatusRecorded)
    assert (recorded.retiree_kind, recorded.since, recorded.until) == (
        "retired_insured",
        date(2014, 4, 1),
        date(2017, 5, 4),
    )
    assert recorded.nhi_household_number == HH
    with pytest.raises(e.StatusBeforeAcquisition):
        apply(state, c.RecordRetireeStatus(HEAD, "retired_insured", date(2014, 3, 31), TODAY))
    with pytest.raises(e.PeriodEndsBeforeStart):
        apply(
            state,
            c.RecordRetireeStatus(
                HEAD, "retiree_dependant", date(2015, 1, 1), TODAY, date(2014, 12, 31)
            ),
        )
    with pytest.raises(e.DateInFuture):
        apply(state, c.RecordRetireeStatus(HEAD, "retired_insured", date(2026, 11, 27), TODAY))
    with pytest.raises(e.ReasonNotForThisPath):
        apply(state, c.RecordRetireeStatus(HEAD, "pensioner", date(2014, 4, 1), TODAY))
    with pytest.raises(e.QualificationNotHeld):
        apply(state, c.RecordRetireeStatus(SPOUSE, "retired_insured", date(2014, 4, 1), TODAY))
