"""The payment file, line by line: every bad line named with its number, field and reason."""

from __future__ import annotations

from datetime import date

from kokuho.collection.domain.payment_file import HEADER, notice_number, parse_payment_file
from kokuho.events.contracts.payment_numbers import check_digit

TODAY = date(2026, 12, 1)
N1 = notice_number(2026, "9950000001", 1)
#: well formed with a valid check digit, but for a 13th instalment
BAD_INSTALMENT = "2026995000000113" + str(check_digit("2026995000000113"))


def test_notice_numbers_carry_year_household_instalment_and_a_check_digit() -> None:
    assert N1[:16] == "2026995000000101"
    assert len(N1) == 17
    assert int(N1[16]) == check_digit(N1[:16])
    # GS1 example: 629104150021 → check digit 3
    assert check_digit("629104150021") == 3


def test_a_good_file_parses() -> None:
    text = f"{HEADER}\n{N1},10000,2026-07-01,bank,B-1\n\n{N1},500,2026-07-02,convenience_store,C1\n"
    parsed = parse_payment_file(text, TODAY)
    assert parsed.refused == []
    assert parsed.lines == 2
    first = parsed.valid[0]
    assert (first.line, first.household, first.fiscal_year, first.period) == (
        2,
        "9950000001",
        2026,
        1,
    )
    assert parsed.valid[1].line == 4


def test_every_bad_line_is_named() -> None:
    bad_check = N1[:16] + str((int(N1[16]) + 1) % 10)
    lines = [
        HEADER,
        f"{bad_check},100,2026-07-01,bank,B1",  # 2
        f"{N1},0,2026-07-01,bank,B2",  # 3
        f"{N1},300001,2026-07-01,convenience_store,B3",  # 4
        f"{N1},100,2026-13-01,bank,B4",  # 5
        f"{N1},100,2026-12-02,bank,B5",  # 6: after today
        f"{N1},100,2026-07-01,cash,B6",  # 7
        f"{N1},100,2026-07-01,bank,B 7",  # 8
        f"{N1},100,2026-07-01,bank",  # 9
        f"{N1},100,2026-07-01,bank,B9",  # 10: good
        f"{N1},100,2026-07-01,bank,B9",  # 11: repeats line 10
        f"{BAD_INSTALMENT},100,2026-07-01,bank,B12",  # 12
    ]
    parsed = parse_payment_file("\n".join(lines), TODAY)
    assert [(r.line, r.field) for r in parsed.refused] == [
        (2, "notice_number"),
        (3, "amount"),
        (4, "amount"),
        (5, "paid_on"),
        (6, "paid_on"),
        (7, "channel"),
        (8, "reference"),
        (9, None),
        (11, "reference"),
        (12, "notice_number"),
    ]
    assert [v.line for v in parsed.valid] == [10]
    assert "check digit" in parsed.refused[0].reason
    assert "line 10" in parsed.refused[8].reason


def test_a_file_without_its_header_is_refused_at_line_1() -> None:
    parsed = parse_payment_file(f"{N1},100,2026-07-01,bank,B1", TODAY)
    assert [(r.line, r.reason[:10]) for r in parsed.refused] == [(1, "the header")]
