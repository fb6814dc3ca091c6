"""The claims file (KKH-RZP): every line validated, all or nothing, each bad line named."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.benefits.domain.claims import ClaimsFileRefused, parse_claims_file, refuse_unknown
from kokuho.benefits.domain.high_cost.household_month import AgeBand, Kind, Setting

from .claims_kit import a_line, claims_file, d_line


def reasons(text: str) -> dict[int, list[str]]:
    with pytest.raises(ClaimsFileRefused) as refused:
        parse_claims_file(text)
    out: dict[int, list[str]] = {}
    for e in refused.value.errors:
        out.setdefault(e.line, []).append(e.reason)
    return out


def test_a_good_file_gives_its_claims_and_adjustments() -> None:
    text = claims_file(
        d_line("C1", "9920000101", "9910000101", cost=1_000_000, self_pay=300_000),
        d_line(
            "C2",
            "9920000101",
            "9910000101",
            cost=30_000,
            self_pay=9_000,
            setting="O",
            kind="P",
            provider="1340000001",
            prescriber="1310000001",
            prescriber_kind="M",
            band="E",
        ),
        a_line("C1", "R", 900_000, 270_000),
    )
    file = parse_claims_file("\ufeff" + text.replace("\n", "\r\n"))
    assert (file.file_date, file.processing_month) == (date(2026, 8, 20), date(2026, 8, 1))
    first, pharmacy = file.claims
    assert (first.line, first.treatment_month, first.setting) == (
        2,
        date(2026, 7, 1),
        Setting.INPATIENT,
    )
    assert (first.medical_cost, first.self_pay, first.points) == (1_000_000, 300_000, 100_000)
    assert (pharmacy.kind, pharmacy.prescriber, pharmacy.prescriber_kind) == (
        Kind.PHARMACY,
        "1310000001",
        Kind.MEDICAL,
    )
    assert pharmacy.age_band is AgeBand.AGED_70_74
    [adjustment] = file.adjustments
    assert (adjustment.line, adjustment.kind, adjustment.self_pay) == (4, "reexamination", 270_000)


def test_every_bad_line_is_named_with_its_reason() -> None:
    text = claims_file(
        d_line("C1", "9920000101", "9910000101", cost=1_000_000, self_pay=300_000),
        d_line("C2", "992000010", "9910000101", cost=10_000, self_pay=3_000),  # 9 digits
        d_line("C3", "9920000101", "9910000101", cost=10_000, self_pay=30_000),  # > cost
        d_line("C4", "9920000101", "9910000101", cost=10_000, self_pay=3_000, kind="P"),
        d_line("C1", "9920000101", "9910000101", cost=10_000, self_pay=3_000),  # repeats
        d_line("C6", "9920000101", "9910000101", cost=10_000, self_pay=3_000, month="2026-09"),
        "D,C7,2026-07,short",
        a_line("C1", "X", 10, 3),
        "Z,unknown",
    )
    found = reasons(text)
    assert sorted(found) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert found[3] == ["nhi_household_number must be 10 digits"]
    assert found[4] == ["self_pay is above medical_cost"]
    assert any("pharmacy" in r for r in found[5])
    assert found[6] == ["the claim number repeats line 2"]
    assert found[7] == ["treatment_month is after the processing month"]
    assert found[8] == ["a D line has 16 fields, not 4"]
    assert found[9] == ["adjustment kind must be R (再審査) or E (過誤)"]
    assert "unknown record type" in found[10][0]


def test_the_header_and_trailer_are_checked() -> None:
    line = d_line("C1", "9920000101", "9910000101", cost=1_000, self_pay=300)
    assert reasons(claims_file(line, header="H,KKH-XXX,1,2026-08-20,2026-08")) == {
        1: ["unknown format 'KKH-XXX' version '1'"]
    }
    assert 3 in reasons("H,KKH-RZP,1,2026-08-20,2026-08\n" + line + "\nT,5\n")
    assert reasons("H,KKH-RZP,1,2026-08-20,2026-08\n" + line + "\n") == {
        2: ["the trailer T,<count> is missing"]
    }
    assert reasons("") == {1: ["the file is empty"]}
    cost_mismatch = line.replace(",100,1000,", ",101,1000,")
    assert reasons(claims_file(cost_mismatch)) == {2: ["medical_cost is not points x 10 yen"]}


def test_claims_received_before_and_adjustments_of_unknown_claims_are_refused() -> None:
    file = parse_claims_file(
        claims_file(
            d_line("C1", "9920000101", "9910000101", cost=1_000, self_pay=300),
            a_line("C1", "E", 900, 270),
            a_line("OLD", "R", 900, 270),
            a_line("NOPE", "R", 900, 270),
        )
    )
    with pytest.raises(ClaimsFileRefused) as refused:
        refuse_unknown(file, {"OLD"})
    assert [(e.line, e.reason) for e in refused.value.errors] == [
        (5, "claim NOPE is not known: nothing to adjust")
    ]
    with pytest.raises(ClaimsFileRefused) as again:
        refuse_unknown(file, {"C1", "OLD", "NOPE"})
    assert [e.line for e in again.value.errors] == [2]
