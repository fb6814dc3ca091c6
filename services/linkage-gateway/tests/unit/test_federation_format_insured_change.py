"""KKH-IDO v3 (異動情報) pinned byte for byte, and the reconciliation of a KKH-SKK file with
our qualifications (C-20, C-21)."""

from __future__ import annotations

import random
from datetime import date

import pytest

from kokuho.linkage_gateway.domain.federation import (
    CHANGE_KINDS,
    NUMBER_MASK,
    OUTBOUND_FORMAT,
    OUTBOUND_VERSION,
    ContinuationDifference,
    ContinuationFile,
    ContinuationRecord,
    FieldNotRepresentable,
    InsuredChange,
    NumberMissing,
    OurQualification,
    build_insured_change_file,
    numbered_addressees,
    reconcile_continuation,
    with_individual_numbers,
)
from kokuho.linkage_gateway.synthetic import synthetic_number

LOST = InsuredChange(
    "lost",
    "0000000002",
    "5000000002",
    "10000002",
    "広",
    "77",
    "02",
    date(2020, 1, 1),
    date(2026, 3, 31),
    "ヒロシマ ハナコ",
    "広島 花子",
)
CORRECTED = InsuredChange(
    "corrected", "0000000003", "5000000003", "10000003", "", "", "", None, None
)


def test_the_file_is_the_header_one_line_per_change_and_the_trailer() -> None:
    text = build_insured_change_file([LOST, CORRECTED], file_date=date(2026, 4, 2), sequence=12)
    assert text == (
        "H,KKH-IDO,3,2026-04-02,12\n"
        "D,lost,0000000002,5000000002,10000002,広,77,02,2020-01-01,2026-03-31,"
        "ヒロシマ ハナコ,広島 花子,\n"
        "D,corrected,0000000003,5000000003,10000003,,,,,,,,\n"
        "T,2\n"
    )
    assert (OUTBOUND_FORMAT, OUTBOUND_VERSION, CHANGE_KINDS) == (
        "KKH-IDO",
        "3",
        ("acquired", "lost", "corrected"),
    )


def test_an_empty_file_still_has_header_and_trailer() -> None:
    assert build_insured_change_file([], file_date=date(2026, 4, 2), sequence=1) == (
        "H,KKH-IDO,3,2026-04-02,1\nT,0\n"
    )


def test_an_unknown_change_kind_is_refused() -> None:
    bad = InsuredChange("moved", "0000000001", "5000000001", "1", "", "", "", None, None)
    with pytest.raises(ValueError, match="unknown change kind 'moved'"):
        build_insured_change_file([bad], file_date=date(2026, 4, 2), sequence=1)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("addressee_number", "0000,00001"),
        ("nhi_household_number", "50\n00000001"),
        ("insured_number", "1000\r0001"),
        ("card_symbol", "広,"),
        ("card_number", ","),
        ("branch_number", "0\n2"),
        ("name_kana", "ヒロシマ,ハナコ"),
        ("name", "広島\n花子"),
    ],
)
def test_a_field_with_a_comma_or_line_break_names_itself(field: str, value: str) -> None:
    change = InsuredChange(**{**LOST.__dict__, field: value})
    with pytest.raises(FieldNotRepresentable) as caught:
        build_insured_change_file([change], file_date=date(2026, 4, 2), sequence=1)
    assert caught.value.field == field
    assert value not in str(caught.value)


# --- reconciliation ---------------------------------------------------------------------


def record(n: int, acquired: date, lost: date | None = None) -> ContinuationRecord:
    return ContinuationRecord(n + 1, f"{n:010d}", f"{n:08d}", acquired, lost)


def test_reconciliation_reports_each_difference_in_file_order() -> None:
    a, b = date(2025, 4, 1), date(2026, 3, 31)
    file = ContinuationFile(
        date(2026, 4, 2),
        (record(1, a), record(2, a, b), record(3, a, b), record(4, a)),
    )
    ours = {
        "0000000001": OurQualification(a, None),  # the same
        "0000000002": OurQualification(date(2025, 5, 1), None),  # both dates differ
        "0000000003": OurQualification(a, date(2026, 3, 30)),  # the loss date differs
    }
    assert reconcile_continuation(file, ours) == [
        ContinuationDifference("0000000002", "00000002", "acquisition-date", a, b,
                               date(2025, 5, 1), None),
        ContinuationDifference("0000000002", "00000002", "loss-date", a, b,
                               date(2025, 5, 1), None),
        ContinuationDifference("0000000003", "00000003", "loss-date", a, b, a,
                               date(2026, 3, 30)),
        ContinuationDifference("0000000004", "00000004", "unknown-to-us", a, None, None, None),
    ]  # fmt: skip


def test_no_difference_when_the_files_agree() -> None:
    a = date(2025, 4, 1)
    file = ContinuationFile(date(2026, 4, 2), (record(1, a),))
    assert reconcile_continuation(file, {"0000000001": OurQualification(a, None)}) == []


# --- the individual number for online qualification (S3, KKH-IDO v3) ---------------------

NUMBER = synthetic_number(random.Random(13)).value  # our generator: never a literal number


def test_a_person_with_a_bound_number_is_kept_with_the_mask_never_the_number() -> None:
    kept = build_insured_change_file(
        [LOST, CORRECTED], file_date=date(2026, 4, 2), sequence=3, numbered=["0000000002"]
    )
    lines = kept.splitlines()
    assert lines[1].endswith(f",広島 花子,{NUMBER_MASK}")
    assert lines[2].endswith(",,")  # no number bound: empty, the federation lists it
    assert not any(ch.isdigit() for ch in NUMBER_MASK)
    assert numbered_addressees(kept) == ["0000000002"]


def test_the_numbers_go_in_only_where_the_mask_is() -> None:
    kept = build_insured_change_file(
        [LOST, CORRECTED], file_date=date(2026, 4, 2), sequence=3, numbered=["0000000002"]
    )
    other = synthetic_number(random.Random(14)).value
    sent = with_individual_numbers(kept, {"0000000002": NUMBER, "0000000003": other})
    lines = sent.splitlines()
    assert lines[1].split(",")[12] == NUMBER
    assert lines[2].split(",")[12] == ""  # a number given but not asked for is not put in
    assert NUMBER_MASK not in sent
    assert sent.replace(NUMBER, NUMBER_MASK) == kept


def test_a_missing_number_stops_the_file_rather_than_sending_the_mask() -> None:
    kept = build_insured_change_file(
        [LOST], file_date=date(2026, 4, 2), sequence=3, numbered=["0000000002"]
    )
    with pytest.raises(NumberMissing):
        with_individual_numbers(kept, {})
