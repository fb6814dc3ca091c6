"""The Zengin 120-byte direct-debit layout: a file this code writes reads back the same, a
hand-written result file (fixtures/zengin_result.txt) reads back field by field, and every
broken line is refused with its number and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from kokuho.collection.domain import zengin

FIXTURE = Path(__file__).parent / "fixtures" / "zengin_result.txt"
HEADER = zengin.Header(
    "1234567890", "ﾋﾛｼﾏｼ ｺｸﾐﾝｹﾝｺｳﾎｹﾝ", "0630", "0001", "ﾐｽﾞﾎ", "001", "ﾄｳｷﾖｳ", "ordinary", "0000001"
)


def record(
    amount: int, customer: str, result: str = "0", holder: str = "ｺｸﾎ ﾀﾛｳ"
) -> zengin.DebitRecord:
    return zengin.DebitRecord(
        "0001", "ﾐｽﾞﾎ", "001", "ﾄｳｷﾖｳ", "ordinary", "1234567", holder, amount, customer, "0", result
    )


def lines(text: str) -> list[bytes]:
    return text.encode(zengin.ENCODING).split(b"\r\n")[:-1]


def test_a_written_request_file_reads_back_the_same() -> None:
    records = [record(12_000, "00020269950000001011"), record(9_999, "00020269950000002018")]
    text = zengin.write(HEADER, records)
    assert all(len(line) == 120 for line in lines(text))
    assert [line[:1] for line in lines(text)] == [b"1", b"2", b"2", b"8", b"9"]
    parsed = zengin.parse(text.encode(zengin.ENCODING))
    assert parsed.refused == []
    assert parsed.header == HEADER
    assert [(r.amount, r.customer_number, r.holder, r.line) for r in parsed.records] == [
        (12_000, "00020269950000001011", "ｺｸﾎ ﾀﾛｳ", 2),
        (9_999, "00020269950000002018", "ｺｸﾎ ﾀﾛｳ", 3),
    ]
    assert parsed.totals == zengin.Totals(2, 21_999, 0, 0, 0, 0)


def test_a_result_file_written_with_results_reads_back_its_split() -> None:
    records = [record(1, "00020269950000001011", "0"), record(2, "00020269950000002018", "3")]
    parsed = zengin.parse(zengin.write(HEADER, records, result=True).encode(zengin.ENCODING))
    assert parsed.refused == []
    assert parsed.totals == zengin.Totals(2, 3, 1, 1, 1, 2)
    assert [zengin.RESULTS[r.result] for r in parsed.records] == ["debited", "stopped_by_payer"]


def test_the_hand_written_fixture_reads_back() -> None:
    parsed = zengin.parse(FIXTURE.read_bytes())
    assert parsed.refused == []
    assert parsed.header is not None
    assert (parsed.header.consignor_code, parsed.header.debit_date) == ("1234567890", "0630")
    assert parsed.header.consignor_name == "ﾋﾛｼﾏｼ ｺｸﾐﾝｹﾝｺｳﾎｹﾝ"
    first, second = parsed.records
    assert (first.bank_code, first.branch_code, first.account_type) == ("0001", "001", "ordinary")
    assert (first.account_number, first.holder, first.amount) == ("1234567", "ｺｸﾎ ﾀﾛｳ", 12_000)
    assert (first.customer_number, first.result) == ("00020269950000001011", "0")
    assert (second.bank_name, second.account_type, second.new_code) == (
        "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ",
        "current",
        "1",
    )
    assert (second.amount, zengin.RESULTS[second.result]) == (8_000, "insufficient_funds")
    assert parsed.totals == zengin.Totals(2, 20_000, 1, 12_000, 1, 8_000)


def broken(index: int, replace: bytes) -> list[zengin.RefusedRecord]:
    rows = FIXTURE.read_bytes().split(b"\r\n")
    rows[index] = replace
    return zengin.parse(b"\r\n".join(rows)).refused


@pytest.mark.parametrize(
    ("index", "make", "line", "reason"),
    [
        (1, lambda r: r[:119], 2, "is 119 bytes, not 120"),
        (1, lambda r: r + b" ", 2, "is 121 bytes, not 120"),
        (2, lambda r: b"7" + r[1:], 3, "record type '7' is not 1, 2, 8 or 9"),
        (2, lambda r: r[:111] + b"6" + r[112:], 3, "6 is not a 振替結果コード"),
        (2, lambda r: r[:80] + b"00000X8000" + r[90:], 3, "bytes 81-90 are not digits"),
        (0, lambda r: r[:1] + b"21" + r[3:], 1, "21 is not 91 (口座振替)"),
    ],
)
def test_a_broken_line_is_refused_with_its_number_and_reason(
    index: int, make: object, line: int, reason: str
) -> None:
    rows = FIXTURE.read_bytes().split(b"\r\n")
    refused = broken(index, make(rows[index]))  # type: ignore[operator]
    assert (refused[0].line, refused[0].reason) == (line, reason)


def test_trailer_totals_that_do_not_match_are_refused() -> None:
    rows = FIXTURE.read_bytes().split(b"\r\n")
    # the trailer's 12-digit yen totals, one yen off each (formatted, as the layout pads them)
    total, debited = f"{20_001:012d}".encode(), f"{12_001:012d}".encode()
    trailer = rows[3][:7] + total + rows[3][19:25] + debited + rows[3][37:]
    refused = broken(3, trailer)
    assert [(r.line, r.field, r.reason) for r in refused] == [
        (4, "total", "says 20001, the data records make 20000"),
        (4, "debited_total", "says 12001, the data records make 12000"),
    ]


def test_records_out_of_order_and_a_missing_end_are_refused() -> None:
    rows = FIXTURE.read_bytes().split(b"\r\n")
    swapped = zengin.parse(b"\r\n".join([rows[1], rows[0], *rows[2:]])).refused
    assert (swapped[0].line, swapped[0].reason) == (1, "a data record after the start of the file")
    no_end = zengin.parse(b"\r\n".join(rows[:4]) + b"\r\n").refused
    assert [r.reason for r in no_end] == ["the file ends without an end record"]


def test_text_the_layout_cannot_carry_is_refused_when_writing() -> None:
    with pytest.raises(ValueError, match="cannot carry"):
        zengin.write(HEADER, [record(1, "00020269950000001011", holder="国保太郎")])
