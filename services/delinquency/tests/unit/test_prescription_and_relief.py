"""Prescription per arrear across interruptions, and relief under four eyes: a lapse is written
off on the day it lapses (not the day before); a seizure renews and holds it back; a deferral
stops the clock; a suspension leads to write-off after 3 years; the requester never decides."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.delinquency.domain import events as ev
from kokuho.delinquency.domain.decide import decide
from kokuho.delinquency.domain.enforcement import ReleaseSeizure, Seize
from kokuho.delinquency.domain.errors import (
    EnforcementBarred,
    ReliefAlreadyDecided,
    ReliefInvalid,
    SamePersonDecides,
)
from kokuho.delinquency.domain.model import Arrear
from kokuho.delinquency.domain.prescription import add_months, lapses_on, period_end
from kokuho.delinquency.domain.relief import DecideRelief, RequestRelief
from kokuho.delinquency.domain.review import Review

from .rules import RULES, opened, run

LAPSE = date(2028, 8, 1)  # the 指定期限 2026-07-31 renews: 2026-08-01 .. 2028-07-31


def test_periods_count_from_the_next_day_and_end_on_the_day_before() -> None:
    assert period_end(date(2026, 7, 1), 24) == date(2028, 6, 30)
    assert period_end(date(2028, 2, 29), 12) == date(2029, 2, 28)  # no corresponding day
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    arrear = Arrear(2026, 1, date(2026, 6, 30), 1, date(2026, 7, 31))
    assert lapses_on(arrear, 2) == date(2028, 7, 1)
    assert lapses_on(arrear, 2, [(date(2026, 9, 1), date(2026, 9, 10))]) == date(2028, 7, 11)


def test_an_arrear_is_written_off_the_day_it_lapses_not_the_day_before() -> None:
    case = opened()
    assert not any(
        isinstance(e, ev.ArrearWrittenOff) for e in decide(case, Review(date(2028, 7, 31), RULES))
    )
    events = decide(case, Review(LAPSE, RULES))
    assert ev.ArrearWrittenOff(2026, 1, 30_000, "prescription", LAPSE) in events
    assert ev.CaseClosed("written_off", LAPSE) in events


def seize(on: date, seizure_id: str = "s1") -> Seize:
    return Seize(seizure_id, "deposit", "普通預金", 50_000, None, None, (), "U-1", on, on, RULES)


def test_a_seizure_renews_and_holds_back_the_lapse_until_released() -> None:
    case = run(opened(), seize(date(2027, 1, 15)))
    assert case.arrears[0].renewals[-1] == date(2027, 1, 15)
    assert case.stage == "seizure"
    far = date(2030, 1, 1)
    assert not any(isinstance(e, ev.ArrearWrittenOff) for e in decide(case, Review(far, RULES)))
    case = run(case, ReleaseSeizure("s1", "取立完了", "U-1", date(2029, 3, 1), date(2029, 3, 1)))
    assert case.arrears[0].renewals[-1] == date(2029, 3, 1)
    assert ev.ArrearWrittenOff(2026, 1, 30_000, "prescription", date(2031, 3, 2)) in decide(
        case, Review(date(2031, 3, 2), RULES)
    )


def request(
    kind: str, ground: str, start: date, end: date | None, by: str = "U-1"
) -> RequestRelief:
    return RequestRelief("rl1", kind, ground, start, end, 30_000, 0, by, "事情", start, RULES)


def test_a_relief_is_decided_by_another_person_only_and_once() -> None:
    case = run(
        opened(), request("collection_deferral", "illness", date(2026, 9, 1), date(2027, 2, 28))
    )
    with pytest.raises(SamePersonDecides):
        decide(case, DecideRelief("rl1", True, "ｕ-1", "", date(2026, 9, 2)))
    case = run(case, DecideRelief("rl1", True, "U-SUP", "可", date(2026, 9, 2)))
    with pytest.raises(ReliefAlreadyDecided):
        decide(case, DecideRelief("rl1", False, "U-SUP2", "", date(2026, 9, 3)))
    with pytest.raises(EnforcementBarred):
        decide(case, seize(date(2026, 10, 1)))
    assert decide(case, seize(date(2027, 3, 1)))  # after the deferral


def test_a_deferral_checks_its_ground_and_length() -> None:
    case = opened()
    with pytest.raises(ReliefInvalid):
        decide(
            case, request("collection_deferral", "no_property", date(2026, 9, 1), date(2027, 2, 1))
        )
    with pytest.raises(ReliefInvalid):  # one year is the most: 2026-09-01 .. 2027-08-31
        decide(case, request("collection_deferral", "illness", date(2026, 9, 1), date(2027, 9, 1)))
    assert decide(
        case, request("collection_deferral", "illness", date(2026, 9, 1), date(2027, 8, 31))
    )
    with pytest.raises(ReliefInvalid):
        decide(
            case,
            request("enforcement_suspension", "no_property", date(2026, 9, 1), date(2027, 1, 1)),
        )


def test_an_approved_deferral_stops_the_prescription_clock() -> None:
    case = run(
        opened(),
        request("collection_deferral", "illness", date(2026, 9, 1), date(2026, 9, 30)),
        DecideRelief("rl1", True, "U-SUP", "", date(2026, 9, 1)),
    )
    assert not any(
        isinstance(e, ev.ArrearWrittenOff) for e in decide(case, Review(date(2028, 8, 30), RULES))
    )
    assert ev.ArrearWrittenOff(2026, 1, 30_000, "prescription", date(2028, 8, 31)) in decide(
        case, Review(date(2028, 8, 31), RULES)
    )


def test_a_suspension_writes_off_after_three_years_with_its_ground() -> None:
    case = run(
        opened(),
        seize(date(2026, 8, 5)),  # holds back the 2-year lapse
        request("enforcement_suspension", "no_property", date(2026, 9, 1), None),
        DecideRelief("rl1", True, "U-SUP", "", date(2026, 9, 1)),
    )
    assert case.stage == "suspended"
    assert decide(case, Review(date(2029, 8, 31), RULES)) == []
    events = decide(case, Review(date(2029, 9, 1), RULES))
    assert events[0] == ev.ArrearWrittenOff(2026, 1, 30_000, "suspension_period", date(2029, 9, 1))
    assert ev.CaseClosed("written_off", date(2029, 9, 1)) in events
