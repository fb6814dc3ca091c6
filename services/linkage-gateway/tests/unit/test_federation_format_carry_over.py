"""KKH-KGK v1 (高額該当の引き継ぎ) pinned line by line: every error of a rejected list, in
order, with its line number and reason."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.linkage_gateway.domain.federation import (
    CarryOverHousehold,
    FileRejected,
    parse_carry_over_list,
)

HEAD = "H,KKH-KGK,1,2026-05-01,candidate,2026-05\n"
NUMBER = "123456789018"  # an individual number (C-19)
C19 = "an individual number is not allowed in a federation file (C-19)"
NOT_A_HEADER = "the first line must be the header H,KKH-KGK,1,date,kind,month"


def errors_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(FileRejected) as caught:
        parse_carry_over_list(text)
    return [(e.line, e.reason) for e in caught.value.errors]


def test_a_list_is_read_with_its_line_numbers() -> None:
    got = parse_carry_over_list(
        HEAD
        + "D,0000000001,0000000011,123456,3,2026-03\n"
        + "D,0000000002,0000000012,12345678,12,2026-04\n"
        + "T,2\n"
    )
    assert (got.file_date, got.kind, got.target_month) == (date(2026, 5, 1), "candidate", "2026-05")
    assert got.households == (
        CarryOverHousehold(2, "0000000001", "0000000011", "123456", 3, "2026-03"),
        CarryOverHousehold(3, "0000000002", "0000000012", "12345678", 12, "2026-04"),
    )


def test_crlf_line_endings_are_read() -> None:
    text = HEAD.replace("\n", "\r\n") + "D,0000000001,0000000011,123456,0,2026-03\r\nT,1\r\n"
    got = parse_carry_over_list(text)
    assert [(h.line, h.high_cost_months) for h in got.households] == [(2, 0)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [(1, "the file is empty")]),
        (HEAD, [(1, "the trailer line T,<count> is missing")]),
        ("H,KKH-KGK,1,2026-05-01,candidate\nT,0\n", [(1, NOT_A_HEADER)]),
        ("D,KKH-KGK,1,2026-05-01,confirmed,2026-05\nT,0\n", [(1, NOT_A_HEADER)]),
        (
            "H,KKH-KGK,1,2026-05-01,other,2026-13\nT,0\n",
            [
                (1, "list kind must be one of ['candidate', 'confirmed']"),
                (1, "the target month is not YYYY-MM"),
            ],
        ),
        (
            "H,KKH-KGK,1,2026-05-1,confirmed,2026-05\nT,0\n",
            [(1, "the file date is not a date (YYYY-MM-DD)")],
        ),
        (
            "H,KKH-KGK,2,2026-05-01,confirmed,2026-05\nT,0\n",
            [(1, "unknown format 'KKH-KGK' version '2'")],
        ),
        (HEAD + "T,\n", [(2, "the trailer must be T,<count>")]),
        (
            HEAD + "D,0000000001,0000000011,123456,3,2026-03\n",
            [(2, "the trailer line T,<count> is missing")],
        ),
        (
            HEAD + "\nT,0\n",
            [(2, "unknown record type ''"), (3, "the trailer counts 0, the file has 1")],
        ),
        (
            HEAD + f"D,0000000001,0000000011,123456,3,2026-03,{NUMBER}\nT,1\n",
            [(2, f"{C19}: field 7"), (2, "a D line has 6 fields, not 7")],
        ),
        (
            f"H,KKH-KGK,1,2026-05-01,candidate,{NUMBER}\nT,0\n",
            [(1, f"{C19}: field 6"), (1, "the target month is not YYYY-MM")],
        ),
    ],
)
def test_each_rejected_list_names_every_broken_line(
    text: str, expected: list[tuple[int, str]]
) -> None:
    assert errors_of(text) == expected


def test_every_error_of_a_bad_list_in_line_order() -> None:
    text = (
        HEAD
        + "D,1,2,3,13,2026-1\n"
        + "D,0000000001,0000000011,1234567,x,2026-03\n"
        + "D,0000000001,0000000011,123456,3,2026-03\n"
        + "D,0000000001,0000000011,123456,3,2026-03\n"
        + "D,short\n"
        + "Q,1\n"
        + "T,9\n"
        + "D,after\n"
    )
    assert errors_of(text) == [
        (2, "nhi_household_number must be 10 digits"),
        (2, "householder_addressee_number must be 10 digits"),
        (2, "previous_insurer_number must be 6 or 8 digits"),
        (2, "high_cost_months must be 0 to 12"),
        (2, "last_high_cost_month is not YYYY-MM"),
        (3, "previous_insurer_number must be 6 or 8 digits"),
        (3, "high_cost_months must be 0 to 12"),
        (5, "the household repeats line 4"),
        (6, "a D line has 6 fields, not 2"),
        (7, "unknown record type 'Q'"),
        (8, "the trailer counts 9, the file has 6"),
        (9, "a line after the trailer"),
    ]


@pytest.mark.parametrize(("months", "ok"), [("0", True), ("12", True), ("13", False)])
def test_high_cost_months_lie_in_0_to_12(months: str, ok: bool) -> None:
    text = HEAD + f"D,0000000001,0000000011,123456,{months},2026-03\nT,1\n"
    if ok:
        assert parse_carry_over_list(text).households[0].high_cost_months == int(months)
    else:
        assert errors_of(text) == [(2, "high_cost_months must be 0 to 12")]
