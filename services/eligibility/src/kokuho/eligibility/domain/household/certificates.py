"""Certificates (資格確認書, 資格情報のお知らせ, 高齢受給者証, records of 限度額適用認定証 and
特定疾病療養受療証) and the 70-74 co-payment rate (rules.md 5.4) that some of them print."""

from __future__ import annotations

from datetime import date, timedelta

from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household.state import Household, Member
from kokuho.eligibility.domain.rules import (
    QualificationRules,
    age_on,
    anniversary,
    copayment_period,
)

LIMIT_KINDS = frozenset({"limit_certificate", "standard_burden_reduction_certificate"})
RECORD_KINDS = LIMIT_KINDS | {"specified_disease_certificate"}


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


def determine_copayment_rate(
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


def apply_copayment_decision(
    state: Household, command: c.ApplyCopaymentDecision, rules: QualificationRules
) -> list[ev.Event]:
    """Benefits' income-based rate for a 70-74 member: recorded for the part of the decided
    August-July in which the member is in the band and insured here, replacing the default."""
    member = state.active_member(command.addressee_number)
    if command.copayment_rate_tenths not in (2, 3):
        raise e.CopaymentRateRefused(command.addressee_number, command.copayment_rate_tenths)
    band = copayment_period(member.birth_date, command.valid_from, rules)
    if band is None:
        band = copayment_period(member.birth_date, command.valid_until, rules)
    if band is None:
        age = age_on(member.birth_date, command.valid_from, rules)
        raise e.NotInAgeBand(member.addressee_number, age, "70-74 (高齢受給者)")
    valid_from = max(band[0], command.valid_from, member.acquisition_date)
    valid_until = min(band[1], command.valid_until)
    if (
        member.copayment_basis == "income"
        and member.copayment_rate_tenths == command.copayment_rate_tenths
        and (member.copayment_from, member.copayment_until) == (valid_from, valid_until)
    ):
        raise e.NothingChanged("benefits' decision is recorded already")
    return [
        ev.CopaymentRateDetermined(
            addressee_number=member.addressee_number,
            nhi_household_number=state.nhi_household_number,
            insured_number=member.insured_number,
            copayment_rate_tenths=command.copayment_rate_tenths,
            valid_from=valid_from,
            valid_until=valid_until,
            basis="income",
        )
    ]


def record_special_care(
    state: Household, command: c.RecordSpecialCare, rules: QualificationRules
) -> list[ev.Event]:
    """Delinquency's 特別療養費 flag (or its clearing) for the household; the 資格確認書 issued
    while it holds says so."""
    if not state.registered:
        raise e.HouseholdNotRegistered(state.nhi_household_number)
    flagged_from = command.effective_on if command.special_care else None
    if state.special_care_from == flagged_from or (
        command.special_care and state.special_care_from is not None
    ):
        raise e.NothingChanged("the household's 特別療養費 status is so already")
    return [
        ev.SpecialCareStatusChanged(
            state.nhi_household_number, command.special_care, command.effective_on
        )
    ]


def certificate_validity(
    member: Member, kind: str, issue_date: date, rules: QualificationRules
) -> tuple[date, date | None, int | None]:
    """(valid_from, valid_until, co-payment rate) of a new certificate for ``member``. A
    document that prints the 70-74 rate expires with the rate's period (August to July)."""
    day_before_75 = anniversary(member.birth_date, rules.late_elderly_age, rules) - timedelta(1)
    valid_from = max(issue_date, member.acquisition_date)
    period = copayment_period(member.birth_date, valid_from, rules)
    # benefits' income-based decision for the period when there is one, else the default
    decided = member.copayment_rate_on(valid_from)
    rate = (decided or rules.elderly_default_copayment_tenths) if period else None
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


def issue_certificate(
    state: Household, command: c.IssueCertificate, rules: QualificationRules
) -> list[ev.Event]:
    member = state.active_member(command.addressee_number)
    if (
        command.kind in LIMIT_KINDS
        and command.issue_date > rules.limit_certificates_last_issue_date
    ):
        raise e.NoLongerIssued(command.kind, rules.limit_certificates_last_issue_date)
    # rules.md 3.4: from 2024-12-02 the 70-74 rate is printed on the 資格確認書 / お知らせ; a
    # separate 高齢受給者証 issued before stays in the history
    last_elderly = rules.elderly_recipient_certificates_last_issue_date
    if command.kind == "elderly_recipient_certificate" and command.issue_date > last_elderly:
        raise e.NoLongerIssued(command.kind, last_elderly)
    out = _collect_reissued(state, member, command)
    valid_from, valid_until, rate = certificate_validity(
        member, command.kind, command.issue_date, rules
    )
    if command.kind in RECORD_KINDS:
        valid_until = command.valid_until
        if valid_until is not None and valid_until < valid_from:
            raise e.PeriodEndsBeforeStart(valid_from, valid_until)
    elif command.kind == "eligibility_confirmation_document" and command.valid_until:
        # the bulk renewal's end date set by the insurer (certificate_renewal.toml), never later
        # than the member's own end (the day before 75, the 70-74 period)
        if command.valid_until < valid_from:
            raise e.PeriodEndsBeforeStart(valid_from, command.valid_until)
        valid_until = min(valid_until, command.valid_until) if valid_until else command.valid_until
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
            # 資格確認書(特別療養費): the household pays 10割 at the counter (rules.md 4.6)
            special_care=(
                command.kind == "eligibility_confirmation_document"
                and state.under_special_care(valid_from)
            ),
        )
    )
    period = copayment_period(member.birth_date, valid_from, rules)
    already = member.copayment_until is not None and member.copayment_until >= valid_from
    if rate is not None and period is not None and not already:
        out.append(_rate_event(state, member, period, rules))
    return out


def _collect_reissued(
    state: Household, member: Member, command: c.IssueCertificate
) -> list[ev.Event]:
    """A reissue collects the certificate it replaces (the same person's), if still out."""
    if command.reissue_of is None:
        return []
    old = state.certificates.get(command.reissue_of)
    if old is None or old.addressee_number != member.addressee_number:
        raise e.CertificateNotFound(command.reissue_of)
    if old.collected:
        return []
    return [
        ev.CertificateCollected(
            old.certificate_id,
            old.kind,
            old.addressee_number,
            state.nhi_household_number,
            collected_date=command.issue_date,
            reason="reissued",
        )
    ]


def collect_certificate(
    state: Household, command: c.CollectCertificate, rules: QualificationRules
) -> list[ev.Event]:
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
