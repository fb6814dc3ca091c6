"""The household aggregate (国保世帯): ``decide(state, command, rules) -> events`` and
``evolve(state, event) -> state``. One stream per NHI household number."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.rules import (
    QualificationRules,
    acquisition_date,
    age_on,
    anniversary,
    copayment_period,
    fiscal_year_end,
    is_late,
    loss_date,
)

ACQUISITION_REASONS = frozenset(
    {
        "moved_in",
        "left_employee_insurance",
        "birth",
        "public_assistance_ended",
        "late_elderly_disability_withdrawn",
        "residence_exception_started",
        "other",
    }
)
LOSS_REASONS = frozenset(
    {
        "moved_out",
        "joined_employee_insurance",
        "death",
        "public_assistance_started",
        "turned_75",
        "late_elderly_disability_recognised",
        "residence_exception_moved",
        "other",
    }
)
#: After these the person still lives in the household (and a householder becomes deemed).
STAYS_IN_HOUSEHOLD = frozenset(
    {
        "joined_employee_insurance",
        "public_assistance_started",
        "turned_75",
        "late_elderly_disability_recognised",
    }
)
#: Moving to 後期高齢者医療 while staying: 特定同一世帯所属者 (rules.md 5.3).
TO_LATE_ELDERLY = frozenset({"turned_75", "late_elderly_disability_recognised"})
#: No notification is needed for these (the 75th birthday is known to the city).
NO_NOTIFICATION = frozenset({"turned_75"})
#: A move out is usually notified before the day (転出予定日 on the 転出届).
ADVANCE_NOTICE = frozenset({"moved_out"})


@dataclass(frozen=True)
class Member:
    addressee_number: str
    insured_number: str
    branch_number: str
    birth_date: date
    relationship: str
    acquisition_date: date
    acquisition_reason: str
    loss_date: date | None = None
    loss_reason: str | None = None
    former_dependant: bool = False
    special_cases: frozenset[str] = frozenset()
    copayment_until: date | None = None

    @property
    def active(self) -> bool:
        return self.loss_date is None


@dataclass(frozen=True)
class Certificate:
    certificate_id: str
    kind: str
    addressee_number: str
    collected: bool = False


@dataclass(frozen=True)
class Household:
    nhi_household_number: str
    registered: bool = False
    householder_addressee_number: str = ""
    members: dict[str, Member] = field(default_factory=dict)
    next_branch: int = 1
    #: 特定同一世帯所属者 and the date each became one
    specified_same_household: dict[str, date] = field(default_factory=dict)
    certificates: dict[str, Certificate] = field(default_factory=dict)

    @property
    def active_members(self) -> list[Member]:
        return [m for m in self.members.values() if m.active]

    @property
    def deemed_householder(self) -> bool:
        """擬制世帯主: the householder is not an insured member."""
        head = self.members.get(self.householder_addressee_number)
        return head is None or not head.active

    def active_member(self, addressee_number: str) -> Member:
        member = self.members.get(addressee_number)
        if member is None or not member.active:
            raise e.QualificationNotHeld(addressee_number, self.nhi_household_number)
        return member


def initial(nhi_household_number: str) -> Household:
    return Household(nhi_household_number)


# --- decide -------------------------------------------------------------------------------


def decide(state: Household, command: c.Command, rules: QualificationRules) -> list[ev.Event]:
    """The events a command produces, or a named error; the composition event is appended
    whenever the members, the householder or the specified members change."""
    events = _decide(state, command, rules)
    return _with_composition(state, events)


def _decide(state: Household, command: c.Command, rules: QualificationRules) -> list[ev.Event]:
    if isinstance(command, c.RegisterHousehold):
        return _register(state, command, rules)
    if not state.registered:
        raise e.HouseholdNotRegistered(state.nhi_household_number)
    match command:
        case c.AcquireQualification():
            return [_acquire(state, command, rules)]
        case c.LoseQualification():
            return _lose(state, command, rules)
        case c.ChangeHouseholder():
            return _change_householder(state, command, rules)
        case c.ChangeRelationship():
            return _change_relationship(state, command)
        case c.ChangePersonalDetails():
            return _change_personal_details(state, command, rules)
        case c.CorrectQualification():
            return _correct(state, command)
        case c.StartSpecialCase():
            return _start_special_case(state, command, rules)
        case c.EndSpecialCase():
            return _end_special_case(state, command)
        case c.RecordInvoluntaryUnemployment():
            return _record_unemployment(state, command, rules)
        case c.ChangeFormerDependantStatus():
            return _change_former_dependant(state, command)
        case c.RecordRetireeStatus():
            return _record_retiree_status(state, command)
        case c.DetermineCopaymentRate():
            return _determine_copayment_rate(state, command, rules)
        case c.IssueCertificate():
            return issue_certificate(state, command, rules)
        case c.CollectCertificate():
            return _collect_certificate(state, command)
    raise TypeError(f"unknown command {type(command).__name__}")  # pragma: no cover


def _check_dates(fact_date: date, notification_date: date, today: date) -> None:
    if notification_date < fact_date:
        raise e.NotificationBeforeFact(fact_date, notification_date)
    if notification_date > today:
        raise e.DateInFuture("notification_date", notification_date, today)


def _register(
    state: Household, command: c.RegisterHousehold, rules: QualificationRules
) -> list[ev.Event]:
    if state.registered:
        raise e.HouseholdAlreadyRegistered(state.nhi_household_number)
    if not command.acquisitions:
        raise e.MembersMissing([], state.nhi_household_number)
    heads = [a for a in command.acquisitions if a.relationship == "householder"]
    head_is_member = any(
        a.addressee_number == command.householder_addressee_number for a in command.acquisitions
    )
    for a in heads:
        if a.addressee_number != command.householder_addressee_number:
            raise e.RelationshipNotAllowed(
                a.addressee_number, a.relationship, "is only for the householder"
            )
    registered = ev.HouseholdRegistered(
        nhi_household_number=state.nhi_household_number,
        householder_addressee_number=command.householder_addressee_number,
        deemed_householder=not head_is_member,
        effective_date=min(_acquisition_date_of(a, rules) for a in command.acquisitions),
    )
    out: list[ev.Event] = [registered]
    current = evolve(state, registered)
    for acquisition in command.acquisitions:
        acquired = _acquire(current, acquisition, rules)
        current = evolve(current, acquired)
        out.append(acquired)
    return out


def _acquisition_date_of(command: c.AcquireQualification, rules: QualificationRules) -> date:
    if command.reason not in ACQUISITION_REASONS:
        raise e.ReasonNotForThisPath(command.reason, "is not an acquisition reason")
    if command.reason == "other":
        if command.effective_date is None:
            raise e.EffectiveDateRequired(command.reason)
        return command.effective_date
    if command.effective_date is not None:
        raise e.EffectiveDateNotAllowed(command.reason)
    return acquisition_date(command.reason, command.fact_date, rules)


def _acquire(
    state: Household, command: c.AcquireQualification, rules: QualificationRules
) -> ev.QualificationAcquired:
    _check_dates(command.fact_date, command.notification_date, command.today)
    if command.birth_date > command.fact_date:
        raise e.BornAfterFact(command.birth_date, command.fact_date)
    if command.reason == "birth" and command.fact_date != command.birth_date:
        raise e.BirthFactMismatch(command.fact_date, command.birth_date)
    effective = _acquisition_date_of(command, rules)
    existing = state.members.get(command.addressee_number)
    if existing is not None and existing.active:
        raise e.QualificationAlreadyHeld(command.addressee_number, state.nhi_household_number)
    if existing is not None and existing.loss_date and effective < existing.loss_date:
        raise e.AcquisitionOverlapsEarlierPeriod(
            command.addressee_number, existing.loss_date, effective
        )
    if command.relationship == "householder" and (
        command.addressee_number != state.householder_addressee_number
    ):
        raise e.RelationshipNotAllowed(
            command.addressee_number, command.relationship, "is only for the householder"
        )
    if (
        command.addressee_number == state.householder_addressee_number
        and command.relationship != "householder"
    ):
        raise e.RelationshipNotAllowed(
            command.addressee_number, command.relationship, "of the householder is 'householder'"
        )
    if age_on(command.birth_date, effective, rules) >= rules.late_elderly_age:
        raise e.NotInAgeBand(
            command.addressee_number,
            age_on(command.birth_date, effective, rules),
            f"NHI (under {rules.late_elderly_age})",
        )
    branch = existing.branch_number if existing else f"{state.next_branch:02d}"
    return ev.QualificationAcquired(
        addressee_number=command.addressee_number,
        nhi_household_number=state.nhi_household_number,
        insured_number=existing.insured_number if existing else command.insured_number,
        card_symbol=rules.card_symbol,
        card_number=state.nhi_household_number,
        branch_number=branch,
        acquisition_date=effective,
        acquisition_reason=command.reason,
        fact_date=command.fact_date,
        notification_date=command.notification_date,
        late_notification=is_late(command.fact_date, command.notification_date, rules),
        birth_date=command.birth_date,
        relationship=command.relationship,
        householder_addressee_number=state.householder_addressee_number,
        former_dependant=command.former_dependant,
    )


def _lose(
    state: Household, command: c.LoseQualification, rules: QualificationRules
) -> list[ev.Event]:
    if command.reason not in LOSS_REASONS:
        raise e.ReasonNotForThisPath(command.reason, "is not a loss reason")
    member = state.active_member(command.addressee_number)
    if command.reason in ADVANCE_NOTICE:
        if command.notification_date > command.today:
            raise e.DateInFuture("notification_date", command.notification_date, command.today)
    elif command.reason not in NO_NOTIFICATION:
        _check_dates(command.fact_date, command.notification_date, command.today)
    if command.reason == "other":
        if command.effective_date is None:
            raise e.EffectiveDateRequired(command.reason)
        effective = command.effective_date
    else:
        if command.effective_date is not None:
            raise e.EffectiveDateNotAllowed(command.reason)
        if command.reason == "turned_75":
            birthday = anniversary(member.birth_date, rules.late_elderly_age, rules)
            if command.fact_date != birthday:
                raise e.ReasonNotForThisPath(
                    command.reason, f"the fact date is the 75th birthday ({birthday})"
                )
        effective = loss_date(command.reason, command.fact_date, rules)
    if effective < member.acquisition_date:
        raise e.LossBeforeAcquisition(command.addressee_number, member.acquisition_date, effective)
    stays = command.reason in STAYS_IN_HOUSEHOLD
    out: list[ev.Event] = [
        ev.QualificationLost(
            addressee_number=member.addressee_number,
            nhi_household_number=state.nhi_household_number,
            insured_number=member.insured_number,
            loss_date=effective,
            loss_reason=command.reason,
            fact_date=command.fact_date,
            notification_date=command.notification_date,
            late_notification=command.reason not in NO_NOTIFICATION
            and is_late(command.fact_date, command.notification_date, rules),
            remains_in_household=stays,
        )
    ]
    others = [m for m in state.active_members if m.addressee_number != member.addressee_number]
    if command.reason in TO_LATE_ELDERLY and others:
        out.append(
            ev.SpecifiedSameHouseholdMemberChanged(
                member.addressee_number, state.nhi_household_number, since=effective
            )
        )
    if not others:  # the household is dissolved: specified members end with it
        out += [
            ev.SpecifiedSameHouseholdMemberChanged(
                a, state.nhi_household_number, since=since, until=effective
            )
            for a, since in sorted(state.specified_same_household.items())
        ]
    for cert in state.certificates.values():
        if cert.addressee_number == member.addressee_number and not cert.collected:
            out.append(
                ev.CertificateCollected(
                    cert.certificate_id,
                    cert.kind,
                    member.addressee_number,
                    state.nhi_household_number,
                    collected_date=effective,
                    reason="qualification_lost",
                )
            )
    return out


def _change_householder(
    state: Household, command: c.ChangeHouseholder, rules: QualificationRules
) -> list[ev.Event]:
    _check_dates(command.fact_date, command.notification_date, command.today)
    new = command.householder_addressee_number
    if new == state.householder_addressee_number:
        raise e.HouseholderUnchanged(new)
    previous = state.members.get(state.householder_addressee_number)
    if (
        previous is not None
        and previous.active
        and command.previous_householder_relationship
        in (
            None,
            "householder",
        )
    ):
        raise e.RelationshipNotAllowed(
            previous.addressee_number,
            str(command.previous_householder_relationship),
            "must be given for the previous householder who stays insured",
        )
    new_member = state.members.get(new)
    deemed = new_member is None or not new_member.active
    out: list[ev.Event] = [
        ev.HouseholderChanged(
            nhi_household_number=state.nhi_household_number,
            previous_householder_addressee_number=state.householder_addressee_number,
            householder_addressee_number=new,
            deemed_householder=deemed,
            effective_date=command.fact_date,
            notification_date=command.notification_date,
            late_notification=is_late(command.fact_date, command.notification_date, rules),
        )
    ]
    if previous is not None and previous.active and command.previous_householder_relationship:
        out.append(
            ev.RelationshipChanged(
                previous.addressee_number,
                state.nhi_household_number,
                command.previous_householder_relationship,
                command.fact_date,
            )
        )
    if not deemed:
        out.append(
            ev.RelationshipChanged(
                new, state.nhi_household_number, "householder", command.fact_date
            )
        )
    return out


def _change_relationship(state: Household, command: c.ChangeRelationship) -> list[ev.Event]:
    member = state.active_member(command.addressee_number)
    if command.fact_date > command.today:
        raise e.DateInFuture("fact_date", command.fact_date, command.today)
    is_head = member.addressee_number == state.householder_addressee_number
    if (command.relationship == "householder") != is_head:
        raise e.RelationshipNotAllowed(
            member.addressee_number,
            command.relationship,
            "is set by a change of householder, not directly",
        )
    if command.relationship == member.relationship:
        raise e.NothingChanged("relationship")
    return [
        ev.RelationshipChanged(
            member.addressee_number,
            state.nhi_household_number,
            command.relationship,
            command.fact_date,
        )
    ]


def _change_personal_details(
    state: Household, command: c.ChangePersonalDetails, rules: QualificationRules
) -> list[ev.Event]:
    _check_dates(command.fact_date, command.notification_date, command.today)
    is_head = command.addressee_number == state.householder_addressee_number
    if not is_head:
        state.active_member(command.addressee_number)
    if not command.changed_fields:
        raise e.NothingChanged("personal details")
    birth_changed = "birth_date" in command.changed_fields
    return [
        ev.PersonalDetailsChanged(
            addressee_number=command.addressee_number,
            nhi_household_number=state.nhi_household_number,
            changed_fields=tuple(sorted(set(command.changed_fields))),
            effective_date=command.fact_date,
            notification_date=command.notification_date,
            late_notification=is_late(command.fact_date, command.notification_date, rules),
            birth_date=command.birth_date if birth_changed else None,
        )
    ]


def _correct(state: Household, command: c.CorrectQualification) -> list[ev.Event]:
    if not command.reason.strip() or not command.reason_code.strip():
        raise e.CorrectionReasonMissing()
    member = state.members.get(command.addressee_number)
    if member is None:
        raise e.QualificationNotHeld(command.addressee_number, state.nhi_household_number)
    if command.acquisition_reason not in ACQUISITION_REASONS:
        raise e.ReasonNotForThisPath(command.acquisition_reason, "is not an acquisition reason")
    if (command.loss_date is None) != (command.loss_reason is None):
        raise e.ReasonNotForThisPath(str(command.loss_reason), "loss date and reason go together")
    if command.loss_reason is not None and command.loss_reason not in LOSS_REASONS:
        raise e.ReasonNotForThisPath(command.loss_reason, "is not a loss reason")
    if command.loss_date is not None and command.loss_date < command.acquisition_date:
        raise e.LossBeforeAcquisition(
            member.addressee_number, command.acquisition_date, command.loss_date
        )
    if (
        command.acquisition_date == member.acquisition_date
        and command.acquisition_reason == member.acquisition_reason
        and command.loss_date == member.loss_date
        and command.loss_reason == member.loss_reason
    ):
        raise e.NothingChanged("qualification period")
    return [
        ev.QualificationCorrected(
            addressee_number=member.addressee_number,
            nhi_household_number=state.nhi_household_number,
            insured_number=member.insured_number,
            acquisition_date=command.acquisition_date,
            acquisition_reason=command.acquisition_reason,
            loss_date=command.loss_date,
            loss_reason=command.loss_reason,
            correction_reason_code=command.reason_code,
        )
    ]


def _start_special_case(
    state: Household, command: c.StartSpecialCase, rules: QualificationRules
) -> list[ev.Event]:
    _check_dates(command.fact_date, command.notification_date, command.today)
    member = state.active_member(command.addressee_number)
    if command.kind not in ("residence_exception", "student"):
        raise e.ReasonNotForThisPath(command.kind, "is not a special case")
    if command.kind == "residence_exception" and command.facility_kind is None:
        raise e.FacilityKindRequired()
    if command.kind in member.special_cases:
        raise e.SpecialCaseAlreadyActive(member.addressee_number, command.kind)
    return [
        ev.SpecialCaseStarted(
            addressee_number=member.addressee_number,
            nhi_household_number=state.nhi_household_number,
            kind=command.kind,
            facility_kind=command.facility_kind if command.kind == "residence_exception" else None,
            start_date=command.fact_date,
            notification_date=command.notification_date,
            late_notification=is_late(command.fact_date, command.notification_date, rules),
        )
    ]


def _end_special_case(state: Household, command: c.EndSpecialCase) -> list[ev.Event]:
    member = state.active_member(command.addressee_number)
    if command.kind not in member.special_cases:
        raise e.SpecialCaseNotActive(member.addressee_number, command.kind)
    if command.end_date > command.today:
        raise e.DateInFuture("end_date", command.end_date, command.today)
    return [
        ev.SpecialCaseEnded(
            member.addressee_number, state.nhi_household_number, command.kind, command.end_date
        )
    ]


def _record_unemployment(
    state: Household, command: c.RecordInvoluntaryUnemployment, rules: QualificationRules
) -> list[ev.Event]:
    member = state.active_member(command.addressee_number)
    if command.separation_date > command.today:
        raise e.DateInFuture("separation_date", command.separation_date, command.today)
    if command.separation_reason_code not in rules.unemployment_reason_codes:
        raise e.UnemploymentNotEligible(
            f"separation reason code {command.separation_reason_code} is not an involuntary one"
        )
    age = age_on(member.birth_date, command.separation_date, rules)
    if age > rules.unemployment_max_age_at_separation:
        raise e.UnemploymentNotEligible(f"aged {age} at separation (65 or over)")
    start = command.separation_date + timedelta(days=1)
    return [
        ev.InvoluntaryUnemploymentRecorded(
            addressee_number=member.addressee_number,
            nhi_household_number=state.nhi_household_number,
            separation_date=command.separation_date,
            separation_reason_code=command.separation_reason_code,
            reduction_start=start,
            # to the end of the fiscal year following the one containing the day after 離職
            reduction_end=fiscal_year_end(start).replace(year=fiscal_year_end(start).year + 1),
        )
    ]


RETIREE_KINDS = frozenset({"retired_insured", "retiree_dependant"})


def _record_retiree_status(state: Household, command: c.RecordRetireeStatus) -> list[ev.Event]:
    member = state.active_member(command.addressee_number)
    if command.retiree_kind not in RETIREE_KINDS:
        raise e.ReasonNotForThisPath(command.retiree_kind, "retiree status")
    if command.since < member.acquisition_date:
        raise e.StatusBeforeAcquisition(
            member.addressee_number, member.acquisition_date, command.since
        )
    if command.since > command.today:
        raise e.DateInFuture("since", command.since, command.today)
    if command.until is not None and command.until < command.since:
        raise e.PeriodEndsBeforeStart(command.since, command.until)
    return [
        ev.RetireeStatusRecorded(
            member.addressee_number,
            state.nhi_household_number,
            command.retiree_kind,
            command.since,
            command.until,
        )
    ]


def _change_former_dependant(
    state: Household, command: c.ChangeFormerDependantStatus
) -> list[ev.Event]:
    member = state.active_member(command.addressee_number)
    if command.since < member.acquisition_date:
        raise e.StatusBeforeAcquisition(
            member.addressee_number, member.acquisition_date, command.since
        )
    if command.since > command.today:
        raise e.DateInFuture("since", command.since, command.today)
    if command.until is not None and command.until < command.since:
        raise e.PeriodEndsBeforeStart(command.since, command.until)
    now = command.former_dependant and command.until is None
    if now == member.former_dependant and command.until is None:
        raise e.NothingChanged("former dependant status")
    return [
        ev.FormerDependantStatusChanged(
            member.addressee_number,
            state.nhi_household_number,
            command.former_dependant,
            command.since,
            command.until,
        )
    ]


def _rate_event(
    state: Household, member: Member, period: tuple[date, date], rules: QualificationRules
) -> ev.CopaymentRateDetermined:
    return ev.CopaymentRateDetermined(
        addressee_number=member.addressee_number,
        nhi_household_number=state.nhi_household_number,
        insured_number=member.insured_number,
        copayment_rate_tenths=rules.elderly_default_copayment_tenths,
        valid_from=max(period[0], member.acquisition_date),
        valid_until=period[1],
        basis="default",
    )


def _determine_copayment_rate(
    state: Household, command: c.DetermineCopaymentRate, rules: QualificationRules
) -> list[ev.Event]:
    member = state.active_member(command.addressee_number)
    period = copayment_period(member.birth_date, command.as_of, rules)
    if period is None:
        age = age_on(member.birth_date, command.as_of, rules)
        raise e.NotInAgeBand(member.addressee_number, age, "70-74 (高齢受給者)")
    if member.copayment_until is not None and member.copayment_until >= command.as_of:
        raise e.NothingChanged("a co-payment rate covers the date")
    return [_rate_event(state, member, period, rules)]


def certificate_validity(
    member: Member, kind: str, issue_date: date, rules: QualificationRules
) -> tuple[date, date | None, int | None]:
    """(valid_from, valid_until, co-payment rate) of a new certificate for ``member``. A
    document that prints the 70-74 rate expires with the rate's period (August to July)."""
    day_before_75 = anniversary(member.birth_date, rules.late_elderly_age, rules) - timedelta(1)
    valid_from = max(issue_date, member.acquisition_date)
    period = copayment_period(member.birth_date, valid_from, rules)
    rate = rules.elderly_default_copayment_tenths if period else None
    if kind == "elderly_recipient_certificate":
        if period is None:
            age = age_on(member.birth_date, valid_from, rules)
            raise e.NotInAgeBand(member.addressee_number, age, "70-74 (高齢受給者)")
        return valid_from, period[1], rate
    if kind == "eligibility_confirmation_document":
        until = min(
            anniversary(valid_from, rules.confirmation_document_valid_years, rules) - timedelta(1),
            day_before_75,
        )
        return valid_from, min(until, period[1]) if period else until, rate
    if kind == "eligibility_information_notice":
        # no expiry under 70; for 70+ it carries the rate and expires (rules.md 5.4)
        return valid_from, period[1] if period else None, rate
    return valid_from, None, None


LIMIT_KINDS = frozenset({"limit_certificate", "standard_burden_reduction_certificate"})
RECORD_KINDS = LIMIT_KINDS | {"specified_disease_certificate"}


def issue_certificate(
    state: Household, command: c.IssueCertificate, rules: QualificationRules
) -> list[ev.Event]:
    member = state.active_member(command.addressee_number)
    if (
        command.kind in LIMIT_KINDS
        and command.issue_date > rules.limit_certificates_last_issue_date
    ):
        raise e.NoLongerIssued(command.kind, rules.limit_certificates_last_issue_date)
    out: list[ev.Event] = []
    if command.reissue_of is not None:
        old = state.certificates.get(command.reissue_of)
        if old is None or old.addressee_number != member.addressee_number:
            raise e.CertificateNotFound(command.reissue_of)
        if not old.collected:
            out.append(
                ev.CertificateCollected(
                    old.certificate_id,
                    old.kind,
                    old.addressee_number,
                    state.nhi_household_number,
                    collected_date=command.issue_date,
                    reason="reissued",
                )
            )
    valid_from, valid_until, rate = certificate_validity(
        member, command.kind, command.issue_date, rules
    )
    if command.kind in RECORD_KINDS:
        valid_until = command.valid_until
        if valid_until is not None and valid_until < valid_from:
            raise e.PeriodEndsBeforeStart(valid_from, valid_until)
    out.append(
        ev.CertificateIssued(
            certificate_id=command.certificate_id,
            kind=command.kind,
            addressee_number=member.addressee_number,
            nhi_household_number=state.nhi_household_number,
            insured_number=member.insured_number,
            issue_date=command.issue_date,
            valid_from=valid_from,
            valid_until=valid_until,
            copayment_rate_tenths=rate,
            reissue_of=command.reissue_of,
        )
    )
    period = copayment_period(member.birth_date, valid_from, rules)
    already = member.copayment_until is not None and member.copayment_until >= valid_from
    if rate is not None and period is not None and not already:
        out.append(_rate_event(state, member, period, rules))
    return out


def _collect_certificate(state: Household, command: c.CollectCertificate) -> list[ev.Event]:
    cert = state.certificates.get(command.certificate_id)
    if cert is None:
        raise e.CertificateNotFound(command.certificate_id)
    if cert.collected:
        raise e.CertificateAlreadyCollected(command.certificate_id)
    return [
        ev.CertificateCollected(
            cert.certificate_id,
            cert.kind,
            cert.addressee_number,
            state.nhi_household_number,
            command.collected_date,
            command.reason,
        )
    ]


# --- composition ----------------------------------------------------------------------------


def composition(state: Household, effective_date: date) -> ev.HouseholdCompositionChanged:
    members = tuple(
        ev.HouseholdMember(
            m.addressee_number,
            m.insured_number,
            m.birth_date,
            m.relationship,
            m.acquisition_date,
            m.former_dependant,
        )
        for m in sorted(state.active_members, key=lambda m: m.branch_number)
    )
    return ev.HouseholdCompositionChanged(
        nhi_household_number=state.nhi_household_number,
        effective_date=effective_date,
        householder_addressee_number=state.householder_addressee_number,
        deemed_householder=state.deemed_householder,
        members=members,
        specified_same_household_members=tuple(sorted(state.specified_same_household)),
        dissolved=not members,
    )


def _effective_date_of(event: ev.Event) -> date | None:
    for name in ("effective_date", "acquisition_date", "loss_date", "since"):
        value = getattr(event, name, None)
        if isinstance(value, date):
            return value
    return None


def _with_composition(state: Household, events: list[ev.Event]) -> list[ev.Event]:
    after = state
    for event in events:
        after = evolve(after, event)
    before = composition(state, date.min)
    now = composition(after, date.min)
    if state.registered and before == now:
        return events
    dates = [d for d in map(_effective_date_of, events) if d is not None]
    return [*events, replace(now, effective_date=max(dates) if dates else date.min)]


# --- evolve ---------------------------------------------------------------------------------


def evolve(state: Household, event: ev.Event) -> Household:
    members = state.members
    match event:
        case ev.HouseholdRegistered():
            return replace(
                state,
                registered=True,
                householder_addressee_number=event.householder_addressee_number,
            )
        case ev.QualificationAcquired():
            member = Member(
                addressee_number=event.addressee_number,
                insured_number=event.insured_number,
                branch_number=event.branch_number,
                birth_date=event.birth_date,
                relationship=event.relationship,
                acquisition_date=event.acquisition_date,
                acquisition_reason=event.acquisition_reason,
                former_dependant=event.former_dependant,
            )
            branch = max(state.next_branch, int(event.branch_number) + 1)
            return replace(
                state,
                members={**members, member.addressee_number: member},
                next_branch=branch,
            )
        case ev.QualificationLost():
            old = members[event.addressee_number]
            lost = replace(
                old,
                loss_date=event.loss_date,
                loss_reason=event.loss_reason,
                special_cases=frozenset(),
            )
            return replace(state, members={**members, old.addressee_number: lost})
        case ev.QualificationCorrected():
            old = members[event.addressee_number]
            fixed = replace(
                old,
                acquisition_date=event.acquisition_date,
                acquisition_reason=event.acquisition_reason,
                loss_date=event.loss_date,
                loss_reason=event.loss_reason,
            )
            return replace(state, members={**members, old.addressee_number: fixed})
        case ev.HouseholderChanged():
            return replace(state, householder_addressee_number=event.householder_addressee_number)
        case ev.RelationshipChanged():
            old = members[event.addressee_number]
            changed = replace(old, relationship=event.relationship)
            return replace(state, members={**members, old.addressee_number: changed})
        case ev.PersonalDetailsChanged():
            if event.birth_date is None or event.addressee_number not in members:
                return state
            old = members[event.addressee_number]
            return replace(
                state,
                members={
                    **members,
                    old.addressee_number: replace(old, birth_date=event.birth_date),
                },
            )
        case ev.CopaymentRateDetermined():
            old = members[event.addressee_number]
            rated = replace(old, copayment_until=event.valid_until)
            return replace(state, members={**members, old.addressee_number: rated})
        case ev.FormerDependantStatusChanged():
            old = members[event.addressee_number]
            flag = event.former_dependant and event.until is None
            changed_flag = replace(old, former_dependant=flag)
            return replace(state, members={**members, old.addressee_number: changed_flag})
        case ev.SpecialCaseStarted():
            old = members[event.addressee_number]
            started = replace(old, special_cases=old.special_cases | {event.kind})
            return replace(state, members={**members, old.addressee_number: started})
        case ev.SpecialCaseEnded():
            old = members[event.addressee_number]
            ended = replace(old, special_cases=old.special_cases - {event.kind})
            return replace(state, members={**members, old.addressee_number: ended})
        case ev.SpecifiedSameHouseholdMemberChanged():
            if event.until is None:
                specified = {**state.specified_same_household, event.addressee_number: event.since}
            else:
                specified = {
                    a: d
                    for a, d in state.specified_same_household.items()
                    if a != event.addressee_number
                }
            return replace(state, specified_same_household=specified)
        case ev.CertificateIssued():
            cert = Certificate(event.certificate_id, event.kind, event.addressee_number)
            return replace(state, certificates={**state.certificates, cert.certificate_id: cert})
        case ev.CertificateCollected():
            old_cert = state.certificates[event.certificate_id]
            return replace(
                state,
                certificates={
                    **state.certificates,
                    old_cert.certificate_id: replace(old_cert, collected=True),
                },
            )
        case ev.HouseholdSplit() | ev.HouseholdMerged():
            return _evolve_moves(state, event)
        case _:
            return state


def _evolve_moves(state: Household, event: ev.HouseholdSplit | ev.HouseholdMerged) -> Household:
    """Members leaving this household are dropped from it (their history stays in the stream);
    members joining it are added with their new card and branch numbers."""
    if isinstance(event, ev.HouseholdSplit):
        leaving = state.nhi_household_number == event.from_household_number
    else:
        leaving = state.nhi_household_number == event.absorbed_household_number
    members = dict(state.members)
    if leaving:
        for moved in event.members:
            members.pop(moved.addressee_number, None)
        return replace(state, members=members)
    branch = state.next_branch
    for moved in event.members:
        if not (moved.birth_date and moved.acquisition_date and moved.acquisition_reason):
            continue  # pragma: no cover - every producer fills them
        members[moved.addressee_number] = Member(
            addressee_number=moved.addressee_number,
            insured_number=moved.insured_number,
            branch_number=moved.branch_number,
            birth_date=moved.birth_date,
            relationship=moved.relationship,
            acquisition_date=moved.acquisition_date,
            acquisition_reason=moved.acquisition_reason,
            former_dependant=moved.former_dependant,
        )
        branch = max(branch, int(moved.branch_number) + 1)
    return replace(state, members=members, next_branch=branch)


# --- split and merge (two households) ----------------------------------------------------------


def _moved(
    member: Member, card_number: str, branch: int, relationship: str | None = None
) -> ev.MemberMoved:
    return ev.MemberMoved(
        addressee_number=member.addressee_number,
        insured_number=member.insured_number,
        card_number=card_number,
        branch_number=f"{branch:02d}",
        relationship=relationship or member.relationship,
        birth_date=member.birth_date,
        acquisition_date=member.acquisition_date,
        acquisition_reason=member.acquisition_reason,
        former_dependant=member.former_dependant,
    )


def _recollect(state: Household, addressees: set[str], on: date) -> list[ev.Event]:
    """Open certificates of moved members print the old card number: collect them."""
    return [
        ev.CertificateCollected(
            cert.certificate_id,
            cert.kind,
            cert.addressee_number,
            state.nhi_household_number,
            collected_date=on,
            reason="details_changed",
        )
        for cert in state.certificates.values()
        if cert.addressee_number in addressees and not cert.collected
    ]


def decide_split(
    source: Household, target: Household, command: c.SplitHousehold, rules: QualificationRules
) -> tuple[list[ev.Event], list[ev.Event]]:
    """世帯分離: (events of the source household, events of the new household)."""
    if not source.registered:
        raise e.HouseholdNotRegistered(source.nhi_household_number)
    if target.registered:
        raise e.HouseholdAlreadyRegistered(target.nhi_household_number)
    _check_dates(command.fact_date, command.notification_date, command.today)
    active = {m.addressee_number: m for m in source.active_members}
    wanted = list(dict.fromkeys(command.members))
    missing = [a for a in wanted if a not in active]
    if missing or not wanted:
        raise e.MembersMissing(missing, source.nhi_household_number)
    if source.householder_addressee_number in wanted:
        raise e.HouseholderMustStay(source.householder_addressee_number)
    if set(wanted) == set(active):
        raise e.SplitWouldEmptyHousehold(source.nhi_household_number)
    head = command.new_householder_addressee_number
    if head in active and head not in wanted:
        raise e.HouseholderMustBeMember(head, target.nhi_household_number)
    moved = tuple(
        _moved(
            active[a],
            target.nhi_household_number,
            i,
            "householder" if a == head else None,
        )
        for i, a in enumerate(wanted, start=1)
    )
    split = ev.HouseholdSplit(
        from_household_number=source.nhi_household_number,
        new_household_number=target.nhi_household_number,
        new_householder_addressee_number=head,
        members=moved,
        effective_date=command.fact_date,
        notification_date=command.notification_date,
        late_notification=is_late(command.fact_date, command.notification_date, rules),
    )
    registered = ev.HouseholdRegistered(
        nhi_household_number=target.nhi_household_number,
        householder_addressee_number=head,
        deemed_householder=head not in wanted,
        effective_date=command.fact_date,
    )
    source_events: list[ev.Event] = [split, *_recollect(source, set(wanted), command.fact_date)]
    return _with_composition(source, source_events), _with_composition(target, [registered, split])


def decide_merge(
    absorbed: Household, into: Household, command: c.MergeHousehold, rules: QualificationRules
) -> tuple[list[ev.Event], list[ev.Event]]:
    """世帯合併: every insured member of ``absorbed`` joins ``into``; (absorbed's, into's)."""
    for state in (absorbed, into):
        if not state.registered:
            raise e.HouseholdNotRegistered(state.nhi_household_number)
    if absorbed.nhi_household_number == into.nhi_household_number:
        raise e.SameHousehold(absorbed.nhi_household_number)
    _check_dates(command.fact_date, command.notification_date, command.today)
    members = sorted(absorbed.active_members, key=lambda m: m.branch_number)
    if not members:
        raise e.MembersMissing([], absorbed.nhi_household_number)
    moved = tuple(
        _moved(
            m,
            into.nhi_household_number,
            into.next_branch + i,
            # the absorbed household's head is no longer the householder; the clerk enters the
            # right relationship afterwards
            "other_relative" if m.relationship == "householder" else None,
        )
        for i, m in enumerate(members)
    )
    merged = ev.HouseholdMerged(
        absorbed_household_number=absorbed.nhi_household_number,
        into_household_number=into.nhi_household_number,
        members=moved,
        effective_date=command.fact_date,
        notification_date=command.notification_date,
        late_notification=is_late(command.fact_date, command.notification_date, rules),
    )
    absorbed_events: list[ev.Event] = [merged]
    absorbed_events += [
        ev.SpecifiedSameHouseholdMemberChanged(
            a, absorbed.nhi_household_number, since=since, until=command.fact_date
        )
        for a, since in sorted(absorbed.specified_same_household.items())
    ]
    absorbed_events += _recollect(
        absorbed, {m.addressee_number for m in members}, command.fact_date
    )
    return _with_composition(absorbed, absorbed_events), _with_composition(into, [merged])
