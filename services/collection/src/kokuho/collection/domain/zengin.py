"""The Zengin (全銀協) direct-debit file: 預金口座振替 依頼・結果データ, fixed-length records of
120 bytes in JIS X 0201 (half-width kana; cp932 on the wire), one record a line. Layout in the
service README ("Direct-debit file (Zengin 120 bytes)"): a header (1), data records (2), a
trailer (8) and an end record (9). The city writes the request file; the bank returns the same
records with the result code (振替結果コード) filled and the trailer's debited / failed totals.

``write`` builds a file from records; ``parse`` reads one back, returning the records *and*
every refused line with its number and reason (the caller applies nothing while a line is
refused). Pure: the standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

RECORD_BYTES = 120
ENCODING = "cp932"
KIND_DIRECT_DEBIT = "91"  # 種別コード: 口座振替
ACCOUNT_TYPES = {"1": "ordinary", "2": "current", "3": "tax_reserve", "9": "other"}
ACCOUNT_TYPE_CODES = {v: k for k, v in ACCOUNT_TYPES.items()}
#: 振替結果コード (rules.md §4.7 [C23]); 5-7 unused
RESULTS = {
    "0": "debited",  # 振替済
    "1": "insufficient_funds",  # 資金不足
    "2": "no_account",  # 取引なし
    "3": "stopped_by_payer",  # 預金者の都合による振替停止
    "4": "no_mandate",  # 預金口座振替依頼書なし
    "8": "stopped_by_city",  # 委託者の都合による振替停止
    "9": "other",  # その他
}
#: characters a Zengin text field may hold: half-width kana, upper-case letters, digits, ()-./
_TEXT = re.compile(r"^[ 0-9A-Z\uff66-\uff9f().\-/]*$")

# (name, start, length, numeric) of each record kind, positions from 0
HEADER = (
    ("kind", 0, 1, True),
    ("type_code", 1, 2, True),
    ("code_set", 3, 1, True),
    ("consignor_code", 4, 10, True),
    ("consignor_name", 14, 40, False),
    ("debit_date", 54, 4, True),
    ("bank_code", 58, 4, True),
    ("bank_name", 62, 15, False),
    ("branch_code", 77, 3, True),
    ("branch_name", 80, 15, False),
    ("account_type", 95, 1, True),
    ("account_number", 96, 7, True),
    ("dummy", 103, 17, False),
)
DATA = (
    ("kind", 0, 1, True),
    ("bank_code", 1, 4, True),
    ("bank_name", 5, 15, False),
    ("branch_code", 20, 3, True),
    ("branch_name", 23, 15, False),
    ("dummy1", 38, 4, False),
    ("account_type", 42, 1, True),
    ("account_number", 43, 7, True),
    ("holder", 50, 30, False),
    ("amount", 80, 10, True),
    ("new_code", 90, 1, True),
    ("customer_number", 91, 20, True),
    ("result", 111, 1, True),
    ("dummy2", 112, 8, False),
)
TRAILER = (
    ("kind", 0, 1, True),
    ("count", 1, 6, True),
    ("total", 7, 12, True),
    ("debited_count", 19, 6, True),
    ("debited_total", 25, 12, True),
    ("failed_count", 37, 6, True),
    ("failed_total", 43, 12, True),
    ("dummy", 55, 65, False),
)
END = (("kind", 0, 1, True), ("dummy", 1, 119, False))
LAYOUTS = {"1": HEADER, "2": DATA, "8": TRAILER, "9": END}


@dataclass(frozen=True)
class Header:
    consignor_code: str  # 委託者コード (given by the bank)
    consignor_name: str  # half-width kana
    debit_date: str  # MMDD
    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str
    account_type: str  # ordinary | current | ...
    account_number: str  # the city's own collection account


@dataclass(frozen=True)
class DebitRecord:
    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str
    account_type: str
    account_number: str
    holder: str  # 預金者名, half-width kana
    amount: int
    customer_number: str  # 20 digits: "000" + the instalment's 納付番号
    new_code: str = "0"  # 0 other, 1 first debit, 2 changed account
    result: str = "0"  # 振替結果コード ("0" in a request)
    line: int = 0


@dataclass(frozen=True)
class Totals:
    count: int
    total: int
    debited_count: int
    debited_total: int
    failed_count: int
    failed_total: int


@dataclass(frozen=True)
class RefusedRecord:
    line: int
    field: str | None
    reason: str


@dataclass(frozen=True)
class ZenginFile:
    header: Header | None
    records: list[DebitRecord]
    totals: Totals | None
    refused: list[RefusedRecord]


def text_field(value: str, length: int) -> str:
    """Left-aligned, space-padded; refuses what the layout cannot carry."""
    if not _TEXT.match(value):
        raise ValueError(f"{value!r} holds characters a Zengin text field cannot carry")
    encoded = value.encode(ENCODING)
    if len(encoded) > length:
        raise ValueError(f"{value!r} is longer than {length} bytes")
    return value + " " * (length - len(encoded))


def number_field(value: int | str, length: int) -> str:
    text = str(value)
    if not text.isdigit() or len(text) > length:
        raise ValueError(f"{value!r} is not a number of at most {length} digits")
    return text.rjust(length, "0")


def _record(layout: Sequence[tuple[str, int, int, bool]], values: dict[str, object]) -> str:
    parts = []
    for name, _, length, numeric in layout:
        value = values.get(name, "" if not numeric else 0)
        parts.append(number_field(value, length) if numeric else text_field(str(value), length))  # type: ignore[arg-type]
    return "".join(parts)


def totals_of(records: Sequence[DebitRecord]) -> Totals:
    debited = [r for r in records if r.result == "0"]
    failed = [r for r in records if r.result != "0"]
    return Totals(
        len(records),
        sum(r.amount for r in records),
        len(debited),
        sum(r.amount for r in debited),
        len(failed),
        sum(r.amount for r in failed),
    )


def write(header: Header, records: Sequence[DebitRecord], result: bool = False) -> str:
    """The file as text (encode with ``ENCODING``): CRLF after every record. A request file
    carries zero debited/failed totals; a result file (``result``) carries them."""
    head = {
        **header.__dict__,
        "kind": 1,
        "type_code": KIND_DIRECT_DEBIT,
        "code_set": 0,
        "account_type": ACCOUNT_TYPE_CODES[header.account_type],
    }
    lines = [_record(HEADER, head)]
    for r in records:
        data = {**r.__dict__, "kind": 2, "account_type": ACCOUNT_TYPE_CODES[r.account_type]}
        lines.append(_record(DATA, data))
    t = totals_of(records)
    trailer = t.__dict__ if result else {"count": t.count, "total": t.total}
    lines.append(_record(TRAILER, {**trailer, "kind": 8}))
    lines.append(_record(END, {"kind": 9}))
    return "".join(f"{line}\r\n" for line in lines)


def _fields(
    number: int, raw: bytes, layout: Sequence[tuple[str, int, int, bool]]
) -> dict[str, str] | RefusedRecord:
    out: dict[str, str] = {}
    for name, start, length, numeric in layout:
        chunk = raw[start : start + length]
        try:
            value = chunk.decode(ENCODING)
        except UnicodeDecodeError:
            return RefusedRecord(number, name, f"bytes {start + 1}-{start + length} are not JIS")
        if numeric and not value.isdigit():
            return RefusedRecord(number, name, f"bytes {start + 1}-{start + length} are not digits")
        if not numeric and not name.startswith("dummy") and not _TEXT.match(value):
            return RefusedRecord(number, name, "holds characters outside half-width kana")
        out[name] = value if numeric else value.rstrip(" ")
    return out


def _data(number: int, f: dict[str, str]) -> DebitRecord | RefusedRecord:
    if f["account_type"] not in ACCOUNT_TYPES:
        return RefusedRecord(number, "account_type", f"{f['account_type']} is not 1, 2, 3 or 9")
    if f["result"] not in RESULTS:
        return RefusedRecord(number, "result", f"{f['result']} is not a 振替結果コード")
    if int(f["amount"]) <= 0:
        return RefusedRecord(number, "amount", "is zero")
    return DebitRecord(
        f["bank_code"],
        f["bank_name"],
        f["branch_code"],
        f["branch_name"],
        ACCOUNT_TYPES[f["account_type"]],
        f["account_number"],
        f["holder"],
        int(f["amount"]),
        f["customer_number"],
        f["new_code"],
        f["result"],
        number,
    )


def _header(number: int, f: dict[str, str]) -> Header | RefusedRecord:
    if f["type_code"] != KIND_DIRECT_DEBIT:
        return RefusedRecord(number, "type_code", f"{f['type_code']} is not 91 (口座振替)")
    month, day = int(f["debit_date"][:2]), int(f["debit_date"][2:])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return RefusedRecord(number, "debit_date", f"{f['debit_date']} is not MMDD")
    return Header(
        f["consignor_code"],
        f["consignor_name"],
        f["debit_date"],
        f["bank_code"],
        f["bank_name"],
        f["branch_code"],
        f["branch_name"],
        ACCOUNT_TYPES.get(f["account_type"], "other"),
        f["account_number"],
    )


_ORDER = {"1": "header", "2": "data", "8": "trailer", "9": "end"}
_NEXT = {None: {"1"}, "1": {"2", "8"}, "2": {"2", "8"}, "8": {"9"}, "9": set()}


def parse(content: bytes) -> ZenginFile:
    """Every line 120 bytes (CRLF or LF between records), in the order header, data...,
    trailer, end; the trailer's totals match the data records."""
    header: Header | None = None
    records: list[DebitRecord] = []
    totals: Totals | None = None
    refused: list[RefusedRecord] = []
    previous: str | None = None
    lines = content.split(b"\n")
    if lines and lines[-1] in (b"", b"\x1a"):
        lines.pop()
    for number, raw in enumerate(lines, start=1):
        raw = raw.removesuffix(b"\r")
        if len(raw) != RECORD_BYTES:
            refused.append(RefusedRecord(number, None, f"is {len(raw)} bytes, not 120"))
            continue
        kind = chr(raw[0])
        if kind not in LAYOUTS:
            refused.append(
                RefusedRecord(number, "kind", f"record type {kind!r} is not 1, 2, 8 or 9")
            )
            continue
        if kind not in _NEXT[previous]:
            after = _ORDER.get(previous or "", "the start of the file")
            refused.append(RefusedRecord(number, "kind", f"a {_ORDER[kind]} record after {after}"))
        previous = kind
        fields = _fields(number, raw, LAYOUTS[kind])
        if isinstance(fields, RefusedRecord):
            refused.append(fields)
            continue
        if kind == "1":
            parsed_header = _header(number, fields)
            if isinstance(parsed_header, RefusedRecord):
                refused.append(parsed_header)
            else:
                header = parsed_header
        elif kind == "2":
            record = _data(number, fields)
            (refused if isinstance(record, RefusedRecord) else records).append(record)  # type: ignore[arg-type]
        elif kind == "8":
            totals = Totals(*(int(fields[n]) for n, *_ in TRAILER[1:7]))
            refused += _check_totals(number, totals, records)
    if previous != "9":
        refused.append(RefusedRecord(len(lines) + 1, "kind", "the file ends without an end record"))
    return ZenginFile(header, records, totals, refused)


def _check_totals(number: int, given: Totals, records: list[DebitRecord]) -> list[RefusedRecord]:
    found = totals_of(records)
    names = ["count", "total"]
    if given.debited_count or given.failed_count:  # a result file: its split must match too
        names += ["debited_count", "debited_total", "failed_count", "failed_total"]
    return [
        RefusedRecord(number, name, f"says {said}, the data records make {made}")
        for name in names
        if (said := getattr(given, name)) != (made := getattr(found, name))
    ]
