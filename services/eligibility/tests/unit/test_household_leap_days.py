"""People born on 29 February: in a common year their birthday is the configured day
(``leap_day_birthday_in_common_year``, 1 March), in every age the household computes."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household import Household, decide, evolve, initial
from kokuho.eligibility.parameters import load_rules

RULES = load_rules()
TODAY = date(2026, 11, 26)
HH = "2000000001"
HEAD = "1000000001"
LEAP = date(1980, 2, 29)


def apply(state: Household, command: c.Command) -> tuple[Household, list[ev.Event]]:
    events = decide(state, command, RULES)
    for event in events:
        state = evolve(state, event)
    return state, events


def born_on(birth: date, fact: date = date(2025, 4, 1)) -> Household:
    head = c.AcquireQualification(
        HEAD, "30000001", "moved_in", fact, fact, birth, "householder", TODAY
    )
    return apply(initial(HH), c.RegisterHousehold(HH, HEAD, (head,)))[0]


def test_a_child_born_on_29_february_moves_in_in_a_common_year() -> None:
    state = born_on(date(2024, 2, 29), fact=date(2026, 4, 1))
    assert state.members[HEAD].birth_date == date(2024, 2, 29)


def test_unemployment_age_of_someone_born_on_29_february() -> None:
    _, events = apply(
        born_on(LEAP), c.RecordInvoluntaryUnemployment(HEAD, date(2026, 3, 30), "11", TODAY)
    )
    assert [type(x) for x in events] == [ev.InvoluntaryUnemploymentRecorded]


def test_age_band_refusals_of_someone_born_on_29_february() -> None:
    state = born_on(LEAP)
    with pytest.raises(e.NotInAgeBand) as raised:
        apply(state, c.DetermineCopaymentRate(HEAD, date(2026, 2, 28)))
    assert str(raised.value) == f"addressee {HEAD} is 45, outside 70-74 (高齢受給者)"
    early = born_on(LEAP, date(2023, 1, 1))  # 高齢受給者証 only until 2024-12-01 (rules.md 3.4)
    with pytest.raises(e.NotInAgeBand) as raised:
        apply(
            early, c.IssueCertificate("e1", "elderly_recipient_certificate", HEAD, date(2023, 3, 1))
        )
    assert str(raised.value) == f"addressee {HEAD} is 43, outside 70-74 (高齢受給者)"


def test_a_document_of_someone_born_on_29_february() -> None:
    _, events = apply(
        born_on(LEAP),
        c.IssueCertificate("d1", "eligibility_confirmation_document", HEAD, date(2026, 6, 1)),
    )
    (issued,) = events
    assert isinstance(issued, ev.CertificateIssued)
    assert issued.valid_until == date(2031, 5, 31)


def test_a_document_issued_on_29_february_runs_to_28_february_five_years_on() -> None:
    _, events = apply(
        born_on(date(1990, 1, 1)),
        c.IssueCertificate("d1", "eligibility_confirmation_document", HEAD, date(2028, 2, 29)),
    )
    (issued,) = events
    assert isinstance(issued, ev.CertificateIssued)
    assert (issued.valid_from, issued.valid_until) == (date(2028, 2, 29), date(2033, 2, 28))
