"""KKH-SKK v1 (資格継続) pinned line by line: every error of a rejected file, in order, with its
line number and reason, so that a change in the parser shows up as a diff here (C-04, C-16)."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.linkage_gateway.domain.federation import (
    FileRejected,
    parse_continuation_file,
)

HEAD = "H,KKH-SKK,1,2026-04-02\n"
NUMBER = "123456789018"  # 11 digits + their check digit: an individual number (C-19)
C19 = "an individual number is not allowed in a federation file (C-19)"
NOT_A_HEADER = "the first line must be the header H,KKH-SKK,1,date"
NO_TRAILER = "the trailer line T,<count> is missing"


def errors_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(FileRejected) as caught:
        parse_continuation_file(text)
    return [(e.line, e.reason) for e in caught.value.errors]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [(1, "the file is empty")]),
        ("\n", [(1, NOT_A_HEADER), (1, NO_TRAILER)]),
        (HEAD, [(1, NO_TRAILER)]),
        ("X,KKH-SKK,1,2026-04-02\nT,0\n", [(1, NOT_A_HEADER)]),
        ("H,KKH-SKK,1\nT,0\n", [(1, NOT_A_HEADER)]),
        ("H,KKH-SKK,1,2026-4-2\nT,0\n", [(1, "the file date is not a date (YYYY-MM-DD)")]),
        ("H,KKH-IDO,1,2026-04-02\nT,0\n", [(1, "unknown format 'KKH-IDO' version '1'")]),
        (
            "D,0000000001,10000001,2026-04-01,\nT,1\n",
            [(1, NOT_A_HEADER), (2, "the trailer counts 1, the file has 0")],
        ),
        (HEAD + "T,0\nT,0\n", [(3, "a line after the trailer")]),
        (
            HEAD + "D,0000000001,10000001,2026-04-01,\nT,0\n",
            [(3, "the trailer counts 0, the file has 1")],
        ),
        (HEAD + "T\n", [(2, "the trailer must be T,<count>")]),
        (HEAD + "T,1,2\n", [(2, "the trailer must be T,<count>")]),
        (
            HEAD + "\nT,0\n",
            [(2, "unknown record type ''"), (3, "the trailer counts 0, the file has 1")],
        ),
        (
            HEAD + "D,0000000001,10000001, 2026-04-01,\nT,1\n",
            [(2, "acquisition_date is not a date (YYYY-MM-DD)")],
        ),
        (
            HEAD + "D,０００００００００1,10000001,2026-04-01,\nT,1\n",
            [(2, "addressee_number must be 10 digits")],
        ),
        # a bad line is not remembered, so a later line with the same number is not a repeat
        (
            HEAD + "D,0000000001,1000001,2026-04-01,\nD,0000000001,10000001,2026-04-01,\nT,2\n",
            [(2, "insured_number must be 8 digits")],
        ),
    ],
)
def test_each_rejected_file_names_every_broken_line(
    text: str, expected: list[tuple[int, str]]
) -> None:
    assert errors_of(text) == expected


def test_every_error_of_a_bad_file_in_line_order() -> None:
    text = (
        HEAD
        + "D,1,2,x,y\n"
        + "D,0000000001,10000001,2026-04-01,2026-03-01\n"
        + "D,0000000001,10000001,2026-04-01,\n"
        + "D,0000000001,10000001,2026-04-01,\n"
        + "Z\n"
        + "T,x\n"
        + "D,0000000002,10000002,2026-04-01,\n"
    )
    assert errors_of(text) == [
        (2, "addressee_number must be 10 digits"),
        (2, "insured_number must be 8 digits"),
        (2, "acquisition_date is not a date (YYYY-MM-DD)"),
        (2, "loss_date is not a date (YYYY-MM-DD)"),
        (3, "loss_date is before acquisition_date"),
        (5, "addressee_number repeats line 4"),
        (6, "unknown record type 'Z'"),
        (7, "the trailer must be T,<count>"),
        (8, "a line after the trailer"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"H,KKH-SKK,1,2026-04-02,{NUMBER}\nT,0\n", [(1, f"{C19}: field 5"), (1, NOT_A_HEADER)]),
        (
            HEAD + f"D,0000000001,10000001,2026-04-01, {NUMBER} \nT,1\n",
            [(2, f"{C19}: field 5"), (2, "loss_date is not a date (YYYY-MM-DD)")],
        ),
        (HEAD + f"T,0\n{NUMBER}\n", [(3, f"{C19}: field 1"), (3, "a line after the trailer")]),
    ],
)
def test_an_individual_number_is_found_in_any_line_and_field(
    text: str, expected: list[tuple[int, str]]
) -> None:
    assert errors_of(text) == expected
    assert NUMBER not in str(expected)


def test_the_message_counts_the_errors_and_names_the_first() -> None:
    with pytest.raises(FileRejected) as caught:
        parse_continuation_file(HEAD + "T,0\nT,0\nT,0\n")
    assert str(caught.value) == (
        "the file was rejected: 2 line(s) break the format; first: line 3: a line after the trailer"
    )


@pytest.mark.parametrize(
    "text",
    [
        HEAD.replace("\n", "\r\n") + "D,0000000001,10000001,2026-04-01,\r\nT,1\r\n",
        HEAD + "D,0000000001,10000001,2026-04-01,\nT,1",
    ],
    ids=["crlf", "no-final-newline"],
)
def test_line_endings_do_not_matter(text: str) -> None:
    f = parse_continuation_file(text)
    assert f.file_date == date(2026, 4, 2)
    assert [(r.line, r.addressee_number, r.insured_number) for r in f.records] == [
        (2, "0000000001", "10000001")
    ]
    assert (f.records[0].acquisition_date, f.records[0].loss_date) == (date(2026, 4, 1), None)


def test_a_file_with_only_header_and_trailer_has_no_records() -> None:
    assert parse_continuation_file(HEAD + "T,0\n").records == ()


def test_a_loss_on_the_acquisition_day_is_a_valid_record() -> None:
    f = parse_continuation_file(HEAD + "D,0000000001,10000001,2026-04-01,2026-04-01\nT,1\n")
    assert (f.records[0].acquisition_date, f.records[0].loss_date) == (
        date(2026, 4, 1),
        date(2026, 4, 1),
    )
