"""Every rule of the calculation at its boundaries: the 21,000-yen floor, pharmacy to
prescriber, settings kept apart, the 1% term's rounding and thresholds, 多数回 with carried
counts, half limits (move, turning 75, both), annual caps and the effective dates."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.benefits.domain.errors import HouseholdMonthInvalid, NoLimitsForMonth
from kokuho.benefits.domain.high_cost.household_month import Kind, Setting
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory as E
from kokuho.benefits.domain.high_cost.limits import Under70Category as U

from .high_cost_kit import SCHEDULE, benefit_of, bill, elder, inpatient, run, under

AUG_2026 = date(2026, 8, 1)
AUG_2027 = date(2027, 8, 1)


@pytest.mark.parametrize(("self_pay", "counted"), [(20_999, False), (21_000, True)])
def test_the_21000_yen_floor_is_inclusive(self_pay: int, counted: bool) -> None:
    small = bill("P1", "A", self_pay * 10 // 3 + 1, self_pay)
    result = run([under("P1")], [small, inpatient("P1", "H", 1_000_000, 300_000)], u70=U.U)
    assert (small.bill_id in result.excluded_bill_ids) is (not counted)
    assert result.counted_self_pay == 300_000 + (self_pay if counted else 0)


def test_a_pharmacy_bill_is_added_to_its_prescriber() -> None:
    clinic = bill("P1", "CLINIC", 50_000, 15_000)
    pharmacy = bill("P1", "PHARM", 20_000, 6_000, kind=Kind.PHARMACY, prescriber="CLINIC")
    result = run([under("P1")], [clinic, pharmacy, inpatient("P1", "H", 900_000, 270_000)], u70=U.U)
    assert result.excluded_bill_ids == ()
    assert result.counted_self_pay == 291_000
    assert any(clinic.bill_id in s.text and pharmacy.bill_id in s.text for s in result.steps)


def test_inpatient_outpatient_and_dental_of_one_provider_are_separate_units() -> None:
    bills = [
        bill("P1", "H", 40_000, 12_000),
        inpatient("P1", "H", 40_000, 12_000),
        bill("P1", "H", 40_000, 12_000, kind=Kind.DENTAL),
    ]
    result = run([under("P1")], bills, u70=U.U)
    assert len(result.excluded_bill_ids) == 3
    assert result.benefit == 0


def test_the_same_person_provider_and_setting_add_up_across_bills() -> None:
    bills = [bill("P1", "H", 40_000, 12_000), bill("P1", "H", 40_000, 12_000)]
    result = run([under("P1")], bills, u70=U.E)
    assert result.excluded_bill_ids == ()
    assert result.counted_self_pay == 24_000


@pytest.mark.parametrize(
    ("category", "threshold", "base"),
    [(U.A, 842_000, 252_600), (U.I, 558_000, 167_400), (U.U, 267_000, 80_100)],
)
@pytest.mark.parametrize(("excess", "term"), [(0, 0), (49, 0), (50, 1), (149, 1), (150, 2)])
def test_the_one_percent_term_rounds_half_up_from_the_threshold(
    category: U, threshold: int, base: int, excess: int, term: int
) -> None:
    limit = SCHEDULE.for_month(date(2026, 7, 1)).under_70[category]
    assert limit.amount(threshold + excess, many_times=False) == base + term
    assert limit.amount(threshold - 1_000, many_times=False) == base  # never below the base


UNDER_70_BEFORE = {
    U.A: (252_600, 140_100),
    U.I: (167_400, 93_000),
    U.U: (80_100, 44_400),
    U.E: (57_600, 44_400),
    U.O: (35_400, 24_600),
}
ELDERLY_BEFORE = {
    E.ACTIVE_3: (252_600, 140_100, None),
    E.ACTIVE_2: (167_400, 93_000, None),
    E.ACTIVE_1: (80_100, 44_400, None),
    E.GENERAL: (57_600, 44_400, 18_000),
    E.LOW_2: (24_600, 24_600, 8_000),
    E.LOW_1: (15_000, 15_000, 8_000),
}


@pytest.mark.parametrize("category", list(U))
def test_every_under_70_figure_before_august_2026(category: U) -> None:
    limit = SCHEDULE.for_month(date(2026, 7, 1)).under_70[category]
    base, many = UNDER_70_BEFORE[category]
    assert limit.amount(0, many_times=False) == base
    assert limit.amount(10_000_000, many_times=True) == many


@pytest.mark.parametrize("category", list(E))
def test_every_70_74_figure_before_august_2026(category: E) -> None:
    limits = SCHEDULE.for_month(date(2026, 7, 1)).elderly[category]
    base, many, outpatient = ELDERLY_BEFORE[category]
    assert limits.household.amount(0, many_times=False) == base
    assert limits.household.amount(0, many_times=True) == many
    assert limits.outpatient == outpatient


@pytest.mark.parametrize(
    ("month", "table", "u_base"),
    [
        (date(2018, 8, 1), "high-cost-2018-08.toml", 80_100),
        (date(2026, 7, 1), "high-cost-2018-08.toml", 80_100),
        (AUG_2026, "high-cost-2026-08.toml", 85_800),
        (date(2027, 7, 1), "high-cost-2026-08.toml", 85_800),
        (AUG_2027, "high-cost-2027-08.toml", 85_800),
    ],
)
def test_limits_are_effective_dated_by_treatment_month(
    month: date, table: str, u_base: int
) -> None:
    result = run([under("P1")], [inpatient("P1", "H", 100_000, 30_000)], u70=U.U, month=month)
    assert result.table == table
    assert SCHEDULE.for_month(month).under_70[U.U].base == u_base


def test_a_month_before_the_first_table_is_refused_by_name() -> None:
    with pytest.raises(NoLimitsForMonth, match="treatment_month"):
        run([under("P1")], [], u70=U.U, month=date(2018, 7, 1))


def test_august_2026_u_with_one_million_yen() -> None:
    """rules.md §3.6 ◐ [B30]: ウ 85,800 + 1% (threshold 286,000 ❌ configuration [B33])."""
    result = run([under("P1")], [inpatient("P1", "H", 1_000_000, 300_000)], u70=U.U, month=AUG_2026)
    assert next(limit.amount for limit in result.limits) == 85_800 + 7_140


@pytest.mark.parametrize(("prior", "limit"), [(2, 87_430), (3, 44_400), (11, 44_400)])
def test_many_times_from_the_fourth_month_with_carried_counts(prior: int, limit: int) -> None:
    result = run([under("P1")], [inpatient("P1", "H", 1_000_000, 300_000)], u70=U.U, prior=prior)
    assert result.household_borne == limit
    assert result.many_times is (prior >= 3)
    assert result.counts_for_many_times


def test_an_outpatient_only_month_does_not_count_towards_many_times() -> None:
    result = run([elder("P1")], [bill("P1", "A", 150_000, 30_000)], elderly=E.GENERAL)
    assert result.benefit == 12_000
    assert not result.counts_for_many_times


def test_a_low_income_70_74_household_has_no_many_times() -> None:
    bills = [inpatient("P1", "H", 500_000, 100_000)]
    first = run([elder("P1")], bills, elderly=E.LOW_2, prior=0)
    fourth = run([elder("P1")], bills, elderly=E.LOW_2, prior=5)
    assert first.household_borne == fourth.household_borne == 24_600
    assert not first.counts_for_many_times


def test_the_move_month_halves_every_limit() -> None:
    result = run([under("P1")], [inpatient("P1", "H", 1_000_000, 300_000)], u70=U.U, moved=True)
    # 40,050 + (1,000,000 − 133,500) × 1%
    assert result.household_borne == 40_050 + 8_665


def test_turning_75_halves_that_members_limits_only() -> None:
    result = run(
        [elder("P1", turning_75=True), elder("P2")],
        [bill("P1", "A", 100_000, 20_000), bill("P2", "B", 100_000, 20_000)],
        elderly=E.GENERAL,
    )
    assert benefit_of(result, "P1") == 11_000  # outpatient half limit 9,000
    assert benefit_of(result, "P2") == 2_000  # full 18,000


def test_turning_75_in_a_move_month_quarters_the_members_limits() -> None:
    result = run(
        [elder("P1", turning_75=True)],
        [inpatient("P1", "H", 400_000, 80_000)],
        elderly=E.GENERAL,
        moved=True,
    )
    assert result.household_borne == 14_400  # 57,600 / 4 (rules.md §3.3 25%/25%/50%)


def test_the_outpatient_annual_cap_of_general() -> None:
    result = run(
        [elder("P1", before=140_000)], [bill("P1", "A", 100_000, 20_000)], elderly=E.GENERAL
    )
    assert result.household_borne == 4_000


def test_the_annual_cap_from_august_2026() -> None:
    result = run(
        [under("P1")],
        [inpatient("P1", "H", 1_000_000, 300_000)],
        u70=U.U,
        month=AUG_2026,
        annual_before=500_000,
    )
    assert result.household_borne == 30_000
    assert result.steps[-1].rule == "annual-cap"


def test_no_annual_cap_before_august_2026() -> None:
    result = run(
        [under("P1")], [inpatient("P1", "H", 1_000_000, 300_000)], u70=U.U, annual_before=10**7
    )
    assert result.household_borne == 87_430


def test_every_step_cites_its_figure_and_mark() -> None:
    result = run([under("P1")], [inpatient("P1", "H", 1_000_000, 300_000)], u70=U.U, month=AUG_2026)
    limit, cap = result.limits
    assert "high-cost-2026-08.toml" in limit.source
    assert "◐" in limit.source
    assert "[B30]" in limit.source
    assert cap.amount == 530_000
    assert "◐" in cap.source


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"person": "nobody"}, "bills/0/person"),
        ({"self_pay": 200_000}, "bills/0/self_pay"),
        ({"kind": Kind.PHARMACY}, "bills/0/prescriber"),
        (
            {"kind": Kind.PHARMACY, "prescriber": "X", "setting": Setting.INPATIENT},
            "bills/0/setting",
        ),
    ],
)
def test_a_self_contradicting_month_is_refused_naming_the_field(
    change: dict[str, object], field: str
) -> None:
    import dataclasses

    bad = dataclasses.replace(bill("P1", "H", 100_000, 30_000), **change)  # type: ignore[arg-type]
    with pytest.raises(HouseholdMonthInvalid, match=field):
        run([under("P1")], [bad], u70=U.U)


def test_a_category_is_required_for_each_band_present() -> None:
    with pytest.raises(HouseholdMonthInvalid, match="elderly_category"):
        run([under("P1"), elder("P2")], [], u70=U.U)
    with pytest.raises(HouseholdMonthInvalid, match="under_70_category"):
        run([under("P1")], [])
