"""Who gets which document (rules.md 5.4, SF-Q08): one test per rule, the 3-month lapse at
its boundary, and the renewal's 'held already' rule at its days."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.eligibility.domain.certificate_choice import (
    CONFIRMATION_DOCUMENT,
    INFORMATION_NOTICE,
    CertificateBasis,
    HeldDocument,
    RenewalRules,
    add_months,
    choose_certificate,
    needs_issue,
)
from kokuho.eligibility.parameters.renewal import load_renewal

ON = date(2026, 7, 1)
GRACE = 3


def choose(basis: CertificateBasis, on: date = ON) -> tuple[str, str]:
    choice = choose_certificate(basis, on, GRACE)
    return choice.kind, choice.reason


@pytest.mark.parametrize(
    "status", ["no_card", "not_registered", "registration_cancelled", "card_returned"]
)
def test_no_usable_card_gives_a_confirmation_document(status: str) -> None:
    assert choose(CertificateBasis(status)) == (CONFIRMATION_DOCUMENT, status)


def test_a_registered_card_gives_the_information_notice() -> None:
    assert choose(CertificateBasis("registered")) == (INFORMATION_NOTICE, "registered")


def test_a_registered_card_with_a_valid_e_certificate_gives_the_notice() -> None:
    assert choose(CertificateBasis("registered", date(2030, 1, 1))) == (
        INFORMATION_NOTICE,
        "registered",
    )


def test_e_certificate_lapsed_exactly_3_months_is_still_usable() -> None:
    # expired 2026-04-01: 2026-07-01 is 3 months on, not more
    assert choose(CertificateBasis("registered", date(2026, 4, 1))) == (
        INFORMATION_NOTICE,
        "registered",
    )


def test_e_certificate_lapsed_more_than_3_months_gives_a_confirmation_document() -> None:
    # expired 2026-03-31: 3 months on is 2026-06-30, the next day is more than 3 months
    assert choose(CertificateBasis("registered", date(2026, 3, 31))) == (
        CONFIRMATION_DOCUMENT,
        "e_certificate_lapsed",
    )
    assert choose(CertificateBasis("registered", date(2026, 4, 1)), date(2026, 7, 2)) == (
        CONFIRMATION_DOCUMENT,
        "e_certificate_lapsed",
    )


def test_dv_support_gives_a_confirmation_document_whatever_the_card() -> None:
    assert choose(CertificateBasis("registered", dv_support=True)) == (
        CONFIRMATION_DOCUMENT,
        "dv_support",
    )


def test_an_application_gives_a_confirmation_document_whatever_the_card() -> None:
    assert choose(CertificateBasis("registered", on_application=True)) == (
        CONFIRMATION_DOCUMENT,
        "on_application",
    )


def test_a_member_never_reported_gets_a_confirmation_document() -> None:
    assert choose(CertificateBasis()) == (CONFIRMATION_DOCUMENT, "status_unknown")


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown"):
        choose(CertificateBasis("lost"))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 31), 3, date(2026, 6, 30)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2026, 10, 15), 3, date(2027, 1, 15)),
    ],
)
def test_add_months_at_month_ends(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


RENEWAL = RenewalRules("2026", date(2026, 6, 1), date(2027, 7, 31), 3, "test")
DOC = choose_certificate(CertificateBasis(), ON, GRACE)
NOTICE = choose_certificate(CertificateBasis("registered"), ON, GRACE)


def held(kind: str, issued: date, until: date | None) -> list[HeldDocument]:
    return [HeldDocument(kind, issued, until)]


def test_nothing_held_is_issued() -> None:
    assert needs_issue(DOC, [], RENEWAL)


def test_a_document_issued_on_the_season_s_first_day_counts_as_renewed() -> None:
    assert not needs_issue(
        DOC, held(CONFIRMATION_DOCUMENT, date(2026, 6, 1), date(2026, 12, 31)), RENEWAL
    )
    assert needs_issue(
        DOC, held(CONFIRMATION_DOCUMENT, date(2026, 5, 31), date(2026, 7, 31)), RENEWAL
    )


def test_a_document_valid_on_the_renewal_s_last_day_is_kept() -> None:
    assert not needs_issue(
        DOC, held(CONFIRMATION_DOCUMENT, date(2025, 7, 1), date(2027, 7, 31)), RENEWAL
    )
    assert needs_issue(
        DOC, held(CONFIRMATION_DOCUMENT, date(2025, 7, 1), date(2027, 7, 30)), RENEWAL
    )


def test_a_notice_without_expiry_is_kept_and_the_other_kind_does_not_count() -> None:
    assert not needs_issue(NOTICE, held(INFORMATION_NOTICE, date(2025, 1, 1), None), RENEWAL)
    assert needs_issue(NOTICE, held(CONFIRMATION_DOCUMENT, date(2026, 6, 2), None), RENEWAL)


def test_the_packaged_renewal_parameters_name_their_source() -> None:
    renewal = load_renewal()
    assert renewal.grace_months == 3
    assert renewal.issued_from < renewal.valid_until
