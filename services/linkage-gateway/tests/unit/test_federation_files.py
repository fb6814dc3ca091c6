from __future__ import annotations

import random
from datetime import date

import pytest

from kokuho.linkage_gateway.domain.federation import (
    INDIVIDUAL_NUMBER_IN_FILE,
    FieldNotRepresentable,
    FileRejected,
    InsuredChange,
    OurQualification,
    build_insured_change_file,
    parse_carry_over_list,
    parse_continuation_file,
    reconcile_continuation,
    refuse_out_of_cycle,
)
from kokuho.linkage_gateway.synthetic import synthetic_number

GOOD = (
    "H,KKH-SKK,1,2026-04-02\n"
    "D,0000000001,10000001,2026-04-01,\n"
    "D,0000000002,10000002,2025-04-01,2026-03-31\n"
    "T,2\n"
)


def test_a_well_formed_file_is_read() -> None:
    f = parse_continuation_file(GOOD)
    assert f.file_date == date(2026, 4, 2)
    assert [(r.line, r.addressee_number, r.loss_date) for r in f.records] == [
        (2, "0000000001", None),
        (3, "0000000002", date(2026, 3, 31)),
    ]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (GOOD.replace("D,0000000002,10000002", "D,000000002,10000002"), 3, "10 digits"),
        (GOOD.replace("2025-04-01", "2025-13-01"), 3, "acquisition_date is not a date"),
        (GOOD.replace("2026-03-31", "2026-03-31,X"), 3, "5 fields"),
        (GOOD.replace("T,2", "T,3"), 4, "counts 3"),
        (GOOD.replace("KKH-SKK,1", "KKH-SKK,2"), 1, "version"),
        (GOOD.replace("D,0000000002", "X,0000000002"), 3, "unknown record type"),
        (GOOD.replace("0000000002", "0000000001"), 3, "repeats line 2"),
        (GOOD.replace("2025-04-01,2026-03-31", "2026-04-01,2026-03-31"), 3, "before"),
        (GOOD.replace("T,2\n", ""), 3, "trailer"),
        (GOOD + "D,0000000003,10000003,2026-04-01,\n", 5, "after the trailer"),
    ],
)
def test_a_bad_line_rejects_the_file_with_its_number_and_reason(
    text: str, line: int, reason: str
) -> None:
    with pytest.raises(FileRejected) as caught:
        parse_continuation_file(text)
    assert any(e.line == line and reason in e.reason for e in caught.value.errors), (
        caught.value.errors
    )


def test_every_bad_line_is_reported_not_only_the_first() -> None:
    text = GOOD.replace("10000001", "1").replace("10000002", "2")
    with pytest.raises(FileRejected) as caught:
        parse_continuation_file(text)
    assert [(e.line, e.reason) for e in caught.value.errors] == [
        (2, "insured_number must be 8 digits"),
        (3, "insured_number must be 8 digits"),
    ]


def test_reconciliation_lists_differences_only() -> None:
    f = parse_continuation_file(GOOD)
    ours = {
        "0000000001": OurQualification(date(2026, 4, 1), None),
        "0000000002": OurQualification(date(2025, 4, 1), None),
    }
    [diff] = reconcile_continuation(f, ours)
    assert (diff.addressee_number, diff.kind) == ("0000000002", "loss-date")
    assert diff.federation_loss_date == date(2026, 3, 31)
    unknown = reconcile_continuation(f, {})
    assert [d.kind for d in unknown] == ["unknown-to-us", "unknown-to-us"]


def test_the_outbound_file_has_header_lines_and_trailer() -> None:
    change = InsuredChange(
        "acquired",
        "0000000001",
        "5000000001",
        "10000001",
        "広",
        "1234",
        "01",
        date(2026, 4, 1),
        None,
    )
    text = build_insured_change_file([change], file_date=date(2026, 4, 2), sequence=7)
    assert text.splitlines() == [
        "H,KKH-IDO,3,2026-04-02,7",
        "D,acquired,0000000001,5000000001,10000001,広,1234,01,2026-04-01,,,,",
        "T,1",
    ]
    named = build_insured_change_file(
        [InsuredChange(**{**change.__dict__, "name_kana": "ヒロシマ タロウ", "name": "広島 太郎"})],
        file_date=date(2026, 4, 2),
        sequence=8,
    )
    assert named.splitlines()[1].endswith(",2026-04-01,,ヒロシマ タロウ,広島 太郎,")
    with pytest.raises(FieldNotRepresentable):
        build_insured_change_file(
            [InsuredChange("lost", "0000000001", "5000000001", "1", "a,b", "1", "01", None, None)],
            file_date=date(2026, 4, 2),
            sequence=8,
        )


CARRY = (
    "H,KKH-KGK,1,2026-09-05,confirmed,2026-08\n"
    "D,5000000001,1000000001,340001,3,2026-07\n"
    "D,5000000002,1000000004,06340012,0,2025-12\n"
    "T,2\n"
)


def test_a_carry_over_list_is_read() -> None:
    listed = parse_carry_over_list(CARRY)
    assert (listed.kind, listed.target_month) == ("confirmed", "2026-08")
    assert [(h.nhi_household_number, h.high_cost_months) for h in listed.households] == [
        ("5000000001", 3),
        ("5000000002", 0),
    ]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (CARRY.replace("confirmed", "maybe"), 1, "list kind"),
        (CARRY.replace(",2026-08\n", ",2026-13\n", 1), 1, "target month"),
        (CARRY.replace(",3,2026-07", ",13,2026-07"), 2, "0 to 12"),
        (CARRY.replace("340001", "3400"), 2, "6 or 8 digits"),
        (CARRY.replace("5000000002", "5000000001"), 3, "repeats line 2"),
        (CARRY.replace("T,2", "T,1"), 4, "counts 1"),
    ],
)
def test_a_bad_carry_over_line_rejects_the_list(text: str, line: int, reason: str) -> None:
    with pytest.raises(FileRejected) as caught:
        parse_carry_over_list(text)
    assert any(e.line == line and reason in e.reason for e in caught.value.errors), (
        caught.value.errors
    )


def test_an_individual_number_in_an_inbound_file_rejects_it_without_echoing_it() -> None:
    number = synthetic_number(random.Random()).value
    continuation = GOOD.replace("D,0000000002,10000002,", f"D,{number},10000002,")
    with pytest.raises(FileRejected) as caught:
        parse_continuation_file(continuation)
    reasons = {(e.line, e.reason) for e in caught.value.errors}
    assert (3, f"{INDIVIDUAL_NUMBER_IN_FILE}: field 2") in reasons
    assert number not in str(caught.value) + repr(caught.value.errors)

    carry_over = (
        "H,KKH-KGK,1,2026-05-01,candidate,2026-05\n"
        f"D,7000000001,1000000001,{number},3,2026-04\n"
        "T,1\n"
    )
    with pytest.raises(FileRejected) as caught:
        parse_carry_over_list(carry_over)
    assert (2, f"{INDIVIDUAL_NUMBER_IN_FILE}: field 4") in {
        (e.line, e.reason) for e in caught.value.errors
    }
    # a 12-digit value with a wrong check digit is only a format error, not a number
    wrong = number[:11] + str((int(number[11]) + 1) % 10)
    with pytest.raises(FileRejected) as caught:
        parse_continuation_file(GOOD.replace("D,0000000002,", f"D,{wrong},"))
    assert not any(INDIVIDUAL_NUMBER_IN_FILE in e.reason for e in caught.value.errors)


def test_a_file_dated_after_today_is_refused_as_out_of_cycle() -> None:
    refuse_out_of_cycle(date(2026, 4, 2), today=date(2026, 4, 2))
    with pytest.raises(FileRejected) as caught:
        refuse_out_of_cycle(date(2026, 4, 3), today=date(2026, 4, 2))
    assert caught.value.errors[0].line == 1
    assert "not of this cycle" in caught.value.errors[0].reason
