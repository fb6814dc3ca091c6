"""The income file: every line validated, refused lines named with number and reason."""

from __future__ import annotations

import pytest

from kokuho.assessment.domain.income_file import COLUMNS, parse_income_file

HEADER = ",".join(COLUMNS)
GOOD = "1000000001,2024,1980-05-05,1,3000000,2000000,0,0,0,0,0,0,taxable"
GOOD2 = "1000000002,2024,1950-01-10,1,0,0,1680000,580000,0,0,0,0,non_taxable"


def test_a_valid_file() -> None:
    parsed = parse_income_file(f"{HEADER}\n{GOOD}\n{GOOD2}\n")
    assert parsed.valid
    assert parsed.lines == 2
    first = parsed.records[0]
    assert (first.addressee_number, first.income_year) == ("1000000001", 2024)
    assert first.income.salary_income == 2_000_000
    assert first.income.declared


def test_bom_and_blank_lines_are_tolerated() -> None:
    parsed = parse_income_file(f"\ufeff{HEADER}\r\n{GOOD}\r\n\r\n")
    assert parsed.valid
    assert parsed.lines == 1


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        ("100000001,2024,1980-05-05,1,0,0,0,0,0,0,0,0,taxable", "addressee_number", "10 digits"),
        ("1000000001,24x,1980-05-05,1,0,0,0,0,0,0,0,0,taxable", "income_year", "year"),
        ("1000000001,2024,1980-13-05,1,0,0,0,0,0,0,0,0,taxable", "birth_date", "ISO date"),
        ("1000000001,2024,1980-05-05,y,0,0,0,0,0,0,0,0,taxable", "declared", "1 (income"),
        ("1000000001,2024,1980-05-05,1,-5,0,0,0,0,0,0,0,taxable", "salary_revenue", "non-negative"),
        ("1000000001,2024,1980-05-05,1,100,200,0,0,0,0,0,0,taxable", "salary_income", "exceeds"),
        ("1000000001,2024,1980-05-05,1,0,0,0,10,0,0,0,0,taxable", "pension_income", "exceeds"),
        ("1000000001,2024,1980-05-05,1,0,0,0,0,0,0,0,0,rich", "resident_tax_status", "one of"),
        ("1000000001,2024,1980-05-05,1,0,0,0,0,0,0,0,0", None, "expected 13 fields"),
        ("1000000001,2024,1980-05-05,1,0,0,0,0,1.5,0,0,0,taxable", "other_income", "integer"),
    ],
)
def test_a_bad_line_is_refused_with_number_and_reason(
    line: str, field: str | None, reason: str
) -> None:
    parsed = parse_income_file(f"{HEADER}\n{GOOD}\n{line}\n{GOOD2}\n")
    assert not parsed.valid
    assert len(parsed.records) == 2  # the valid part, applied only on the operator's choice
    (refused,) = parsed.refused
    assert refused.line == 3
    assert refused.field == field
    assert reason in refused.reason


def test_a_twelve_digit_number_is_refused_and_not_echoed() -> None:
    twelve = "1234567890" + "12"  # built at run time: no 12-digit literal in the repository
    line = f"1000000001,2024,1980-05-05,1,0,0,0,0,0,0,0,0,{twelve}"
    parsed = parse_income_file(f"{HEADER}\n{line}\n")
    (refused,) = parsed.refused
    assert refused.field == "resident_tax_status"
    assert twelve not in refused.reason


def test_duplicate_person_and_year() -> None:
    parsed = parse_income_file(f"{HEADER}\n{GOOD}\n{GOOD}\n")
    assert [r.line for r in parsed.refused] == [3]


@pytest.mark.parametrize("text", ["", "a,b,c\n" + GOOD, HEADER + "\n"])
def test_header_and_empty_files(text: str) -> None:
    parsed = parse_income_file(text)
    assert not parsed.valid
    assert parsed.refused[0].line == 1
    assert parsed.records == ()
