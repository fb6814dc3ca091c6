"""Benefits' income-based 70-74 rate in eligibility's domain (rules.md 3.4): recorded for the
part of the decided August-July the member is in the band, replacing the default, printed by
the next certificate; a repeat changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household.certificates import certificate_validity

from .test_household_domain import HEAD, RULES, acquire, apply, of_type, registered

BIRTH = date(1956, 5, 15)  # 70 on 2026-05-15: in the band from 2026-06-01


def member_state():  # type: ignore[no-untyped-def]
    return registered(acquire(fact=date(2025, 4, 1), birth=BIRTH))


def decision(tenths: int = 3, start: date = date(2026, 8, 1)) -> c.ApplyCopaymentDecision:
    return c.ApplyCopaymentDecision(HEAD, tenths, start, date(start.year + 1, 7, 31))


def test_the_decision_replaces_the_default_for_its_period() -> None:
    state, _ = apply(member_state(), c.DetermineCopaymentRate(HEAD, date(2026, 8, 1)))
    state, events = apply(state, decision())
    (rate,) = of_type(events, ev.CopaymentRateDetermined)
    assert (rate.copayment_rate_tenths, rate.basis) == (3, "income")
    assert (rate.valid_from, rate.valid_until) == (date(2026, 8, 1), date(2027, 7, 31))
    member = state.members[HEAD]
    assert member.copayment_rate_on(date(2026, 8, 1)) == 3  # the first day
    assert member.copayment_rate_on(date(2027, 7, 31)) == 3  # the last day
    assert member.copayment_rate_on(date(2027, 8, 1)) is None  # the next period: undecided
    _, _, printed = certificate_validity(
        member, "eligibility_confirmation_document", date(2026, 9, 1), RULES
    )
    assert printed == 3
    # the default job does not overwrite it
    with pytest.raises(e.NothingChanged):
        apply(state, c.DetermineCopaymentRate(HEAD, date(2026, 9, 1)))
    with pytest.raises(e.NothingChanged):
        apply(state, decision())  # the same decision again


def test_a_decision_is_cut_to_the_band() -> None:
    """Decided for 2025-08..2026-07 but in the band only from 2026-06-01 (the month after the
    70th birthday): recorded from that day."""
    state, events = apply(member_state(), decision(3, date(2025, 8, 1)))
    (rate,) = of_type(events, ev.CopaymentRateDetermined)
    assert (rate.valid_from, rate.valid_until) == (date(2026, 6, 1), date(2026, 7, 31))
    member = state.members[HEAD]
    assert member.copayment_rate_on(date(2026, 5, 31)) is None
    assert member.copayment_rate_on(date(2026, 6, 1)) == 3


def test_a_lower_decision_after_a_higher_one_is_recorded() -> None:
    state, _ = apply(member_state(), decision(3))
    state, events = apply(state, decision(2))
    assert of_type(events, ev.CopaymentRateDetermined)[0].copayment_rate_tenths == 2
    assert state.members[HEAD].copayment_rate_on(date(2026, 8, 1)) == 2


@pytest.mark.parametrize("tenths", [1, 4])
def test_only_2_or_3_wari(tenths: int) -> None:
    with pytest.raises(e.CopaymentRateRefused):
        apply(member_state(), decision(tenths))


def test_outside_the_band_is_refused() -> None:
    young = registered(acquire(fact=date(2025, 4, 1), birth=date(1970, 1, 1)))
    with pytest.raises(e.NotInAgeBand):
        apply(young, decision())


def test_special_care_marks_the_confirmation_documents_issued_while_it_holds() -> None:
    """特別療養費 (rules.md 4.6): from delinquency's day on, a 資格確認書 says so; cleared, not."""
    state = member_state()
    flagged_on = date(2026, 10, 1)
    state, events = apply(state, c.RecordSpecialCare(True, flagged_on))
    assert of_type(events, ev.SpecialCareStatusChanged)[0].special_care is True
    with pytest.raises(e.NothingChanged):
        apply(state, c.RecordSpecialCare(True, date(2026, 11, 1)))  # flagged already

    def issued(day: date, kind: str = "eligibility_confirmation_document") -> bool:
        _, out = apply(state, c.IssueCertificate(f"c-{day}-{kind}", kind, HEAD, day))
        return bool(of_type(out, ev.CertificateIssued)[0].special_care)

    assert issued(date(2026, 9, 30)) is False  # the day before
    assert issued(flagged_on) is True  # the day itself
    assert issued(flagged_on, "eligibility_information_notice") is False
    state, _ = apply(state, c.RecordSpecialCare(False, date(2026, 12, 1)))
    _, out = apply(
        state,
        c.IssueCertificate("c-x", "eligibility_confirmation_document", HEAD, date(2026, 12, 2)),
    )
    assert of_type(out, ev.CertificateIssued)[0].special_care is False
    with pytest.raises(e.NothingChanged):
        apply(state, c.RecordSpecialCare(False, date(2026, 12, 3)))  # cleared already
