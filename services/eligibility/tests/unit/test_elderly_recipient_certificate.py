"""No separate 高齢受給者証 from 2024-12-02 (rules.md 3.4 [Q15], issue 13): the 70-74 rate is
printed on the 資格確認書 or the 資格情報のお知らせ; a 高齢受給者証 issued up to 2024-12-01 stays
in the history (and can still be collected). Tested on the day and the day after."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household import Household, decide, evolve, initial
from kokuho.eligibility.parameters import load_rules

RULES = load_rules()
HH, HEAD = "2000000001", "1000000001"
LAST = date(2024, 12, 1)
ELDERLY = "elderly_recipient_certificate"


def apply(state: Household, command: c.Command) -> tuple[Household, list[ev.Event]]:
    events = decide(state, command, RULES)
    for event in events:
        state = evolve(state, event)
    return state, events


def aged_71() -> Household:
    head = c.AcquireQualification(
        HEAD,
        "30000001",
        "moved_in",
        date(2024, 4, 1),
        date(2024, 4, 1),
        date(1953, 7, 7),
        "householder",
        date(2026, 12, 6),
    )
    return apply(initial(HH), c.RegisterHousehold(HH, HEAD, (head,)))[0]


def test_the_last_day_is_a_parameter_with_its_source() -> None:
    assert RULES.elderly_recipient_certificates_last_issue_date == LAST


def test_issued_on_the_last_day_and_kept_in_the_history() -> None:
    state, events = apply(aged_71(), c.IssueCertificate("e1", ELDERLY, HEAD, LAST))
    (issued,) = [x for x in events if isinstance(x, ev.CertificateIssued)]
    assert (issued.kind, issued.copayment_rate_tenths) == (ELDERLY, 2)
    assert issued.valid_until == date(2025, 7, 31)
    assert "e1" in state.certificates
    # the old certificate can still be collected later
    _, collected = apply(state, c.CollectCertificate("e1", date(2025, 8, 1), "returned"))
    assert [type(x) for x in collected] == [ev.CertificateCollected]


def test_refused_from_the_next_day() -> None:
    with pytest.raises(e.NoLongerIssued) as refused:
        apply(aged_71(), c.IssueCertificate("e1", ELDERLY, HEAD, date(2024, 12, 2)))
    assert str(refused.value) == (
        "elderly_recipient_certificate is not issued after 2024-12-01; only earlier records"
    )


@pytest.mark.parametrize(
    "kind", ["eligibility_confirmation_document", "eligibility_information_notice"]
)
def test_from_the_next_day_the_rate_is_on_the_confirmation_document_or_notice(kind: str) -> None:
    _, events = apply(aged_71(), c.IssueCertificate("d1", kind, HEAD, date(2024, 12, 2)))
    (issued,) = [x for x in events if isinstance(x, ev.CertificateIssued)]
    assert issued.copayment_rate_tenths == 2
    assert issued.valid_until == date(2025, 7, 31)  # ends with the rate year (rules.md 5.4)
