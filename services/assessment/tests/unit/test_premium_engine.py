"""The premium engine against hand-computed amounts (Hiroshima FY2025/FY2026 parameters).

Every expected value is worked out in the comments from the parameter files:
FY2025 医療 8.30% / 30,133 / 29,758, 支援 2.78% / 10,330 / 10,201, 介護 2.34% / 9,522 / 7,163;
FY2026 医療 8.18% / 31,228 / 30,403, 支援 2.64% / 10,342 / 10,069, 介護 2.52% / 10,443 / 7,860,
子ども 0.27% / 1,072 (+56 for 18+) / 1,044. 基礎控除 43万. Each component is cut to the 100円
below, then capped; reduced amounts are cut to the yen per member.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from kokuho.assessment.domain.errors import HouseholdInvalid, NoInsuredMonths
from kokuho.assessment.domain.household import Childbirth, Household, Income, Person
from kokuho.assessment.domain.parameters import Component, PremiumParameters
from kokuho.assessment.domain.premium import (
    Assessment,
    assess,
    floor_to,
    judge_statutory_reduction,
)

MED, SUP, LTC, CHILD = (
    Component.MEDICAL,
    Component.ELDERLY_SUPPORT,
    Component.LONG_TERM_CARE,
    Component.CHILD_SUPPORT,
)


def p(n: int, birth: date, **fields: Any) -> Person:
    income = {k: fields.pop(k) for k in list(fields) if k in Income.__dataclass_fields__}
    return Person(f"{n:010d}", birth, Income(**income), **fields)


def hh(*people: Person, householder: int | None = None, **fields: Any) -> Household:
    head = f"{householder:010d}" if householder else people[0].addressee_number
    return Household("9000000001", head, tuple(people), **fields)


def amounts(a: Assessment) -> dict[Component, int]:
    return {c.component: c.amount for c in a.components}


AGE_30 = date(1995, 6, 1)
AGE_45 = date(1980, 5, 5)
AGE_70 = date(1955, 1, 10)


# --- the plain case -------------------------------------------------------------------------


def test_single_earner_45_full_year_fy2025(fy2025: PremiumParameters) -> None:
    a = assess(hh(p(1, AGE_45, salary_revenue=3_000_000, salary_income=2_000_000)), fy2025)
    # base 2,000,000 − 430,000 = 1,570,000
    # 医療 1,570,000 × 8.30% = 130,310 + 30,133 + 29,758 = 190,201 → 190,200
    # 支援 1,570,000 × 2.78% = 43,646 + 10,330 + 10,201 = 64,177 → 64,100
    # 介護 1,570,000 × 2.34% = 36,738 + 9,522 + 7,163 = 53,423 → 53,400
    assert amounts(a) == {MED: 190_200, SUP: 64_100, LTC: 53_400}
    assert a.total == 307_700
    seg = a.component(MED).segments[0]  # type: ignore[union-attr]
    assert (seg.income_levy, seg.per_capita_levy, seg.per_household_levy) == (
        130_310,
        30_133,
        29_758,
    )
    assert seg.subtotal == 190_201
    assert seg.rounded == 190_200
    assert not seg.capped
    income_line = next(line for line in seg.lines if line.levy == "income_levy")
    assert income_line.base == 1_570_000
    assert str(income_line.rate) == "0.0830"
    assert seg.judgement.level == 0


def test_no_long_term_care_for_a_30_year_old(fy2025: PremiumParameters) -> None:
    a = assess(hh(p(1, AGE_30, salary_revenue=3_000_000, salary_income=2_000_000)), fy2025)
    assert set(amounts(a)) == {MED, SUP}
    assert a.total == 190_200 + 64_100


# --- 7/5/2割 boundaries (FY2025: 43万; 5割 +30.5万/head; 2割 +56万/head) -----------------------


@pytest.mark.parametrize(
    ("other_income", "level", "expected"),
    [
        # ≤ 430,000 → 7割. base 0.
        # 医療 30,133×0.3 = 9,039.9 → 9,039; 29,758×0.3 = 8,927.4 → 8,927; 17,966 → 17,900
        # 支援 10,330×0.3 = 3,099; 10,201×0.3 = 3,060.3 → 3,060; 6,159 → 6,100
        (430_000, 7, 17_900 + 6_100),
        # 430,001 → 5割. base 1: 所得割 0.083 → 0 and 0.0278 → 0.
        # 医療 30,133×0.5 = 15,066.5 → 15,066; 29,758×0.5 = 14,879; 29,945 → 29,900
        # 支援 5,165 + 10,201×0.5 = 5,100.5 → 5,100; 10,265 → 10,200
        (430_001, 5, 29_900 + 10_200),
        # 735,000 = 430,000 + 305,000×1 → still 5割. base 305,000.
        # 医療 25,315 + 15,066 + 14,879 = 55,260 → 55,200;
        #   支援 8,479 + 5,165 + 5,100 = 18,744 → 18,700
        (735_000, 5, 55_200 + 18_700),
        # 735,001 → 2割. base 305,001: 25,315.08 → 25,315; 8,479.03 → 8,479
        # 医療 30,133×0.8 = 24,106.4 → 24,106; 29,758×0.8 = 23,806.4 → 23,806; 73,227 → 73,200
        # 支援 10,330×0.8 = 8,264; 10,201×0.8 = 8,160.8 → 8,160; 24,903 → 24,900
        (735_001, 2, 73_200 + 24_900),
        # 990,000 = 430,000 + 560,000 → still 2割. base 560,000: 46,480 and 15,568
        # 医療 46,480 + 24,106 + 23,806 = 94,392 → 94,300;
        #   支援 15,568 + 8,264 + 8,160 = 31,992 → 31,900
        (990_000, 2, 94_300 + 31_900),
        # 990,001 → no reduction. base 560,001: 46,480.08 → 46,480; 15,568.03 → 15,568
        # 医療 46,480 + 30,133 + 29,758 = 106,371 → 106,300;
        #   支援 15,568 + 10,330 + 10,201 = 36,099 → 36,000
        (990_001, 0, 106_300 + 36_000),
    ],
)
def test_statutory_reduction_thresholds_fy2025(
    fy2025: PremiumParameters, other_income: int, level: int, expected: int
) -> None:
    a = assess(hh(p(1, AGE_30, other_income=other_income)), fy2025)
    assert a.components[0].segments[0].judgement.level == level
    assert a.total == expected


@pytest.mark.parametrize(
    ("judged", "level"),
    # FY2026 (standard-and-rates.md §C): 5割 43万 + 31万×2 = 1,050,000;
    #   2割 43万 + 57万×2 = 1,570,000
    [(430_000, 7), (430_001, 5), (1_050_000, 5), (1_050_001, 2), (1_570_000, 2), (1_570_001, 0)],
)
def test_statutory_reduction_thresholds_fy2026_two_heads(
    fy2026: PremiumParameters, judged: int, level: int
) -> None:
    h = hh(p(1, AGE_30, other_income=judged), p(2, AGE_30))
    j = judge_statutory_reduction(h, fy2026, date(2026, 4, 1))
    assert (j.heads, j.earners, j.judged_income, j.level) == (2, 0, judged, level)
    assert (j.fifty_threshold, j.twenty_threshold) == (1_050_000, 1_570_000)


def test_earners_raise_the_thresholds_by_100000_each_after_the_first(
    fy2025: PremiumParameters,
) -> None:
    # 給与所得者等: 給与収入 > 550,000. Two earners → 430,000 + 100,000×(2−1) = 530,000
    h = hh(
        p(1, AGE_30, salary_revenue=550_001, salary_income=200_000),
        p(2, AGE_30, salary_revenue=700_000, salary_income=150_000),
        p(3, AGE_30, salary_revenue=550_000, salary_income=0),  # exactly 55万: not an earner
    )
    j = judge_statutory_reduction(h, fy2025, date(2025, 4, 1))
    assert j.earners == 2
    assert j.seventy_threshold == 530_000
    assert j.fifty_threshold == 530_000 + 305_000 * 3
    assert j.judged_income == 350_000
    assert j.level == 7


def test_pension_earner_thresholds_depend_on_age_65(fy2025: PremiumParameters) -> None:
    # under 65: 公的年金等収入 > 600,000; 65+ (at 2024-12-31): > 1,250,000
    young = p(1, date(1965, 1, 1), pension_revenue=600_001)
    old = p(2, date(1959, 12, 31), pension_revenue=1_250_000)  # 65 on 2024-12-30
    j = judge_statutory_reduction(hh(young, old), fy2025, date(2025, 4, 1))
    assert j.earners == 1


def test_65_plus_pension_deduction_counts_for_the_test_only(fy2025: PremiumParameters) -> None:
    # 70 years old, 年金所得 580,000: test income 580,000 − 150,000 = 430,000 → 7割
    # 所得割 base is 580,000 − 430,000 = 150,000 (no 15万 there):
    # 医療 150,000×8.30% = 12,450 + 9,039 + 8,927 = 30,416 → 30,400
    # 支援 150,000×2.78% = 4,170 + 3,099 + 3,060 = 10,329 → 10,300
    a = assess(hh(p(1, AGE_70, pension_revenue=1_680_000, pension_income=580_000)), fy2025)
    assert a.components[0].segments[0].judgement.level == 7
    assert amounts(a) == {MED: 30_400, SUP: 10_300}


def test_deemed_householder_income_counts_in_the_test_but_not_in_income_levy(
    fy2025: PremiumParameters,
) -> None:
    deemed = p(1, AGE_45, insured=False, salary_revenue=7_000_000, salary_income=5_000_000)
    wife = p(2, date(1990, 7, 7))  # 35, no income
    a = assess(hh(deemed, wife), fy2025)
    j = a.components[0].segments[0].judgement
    # 5,000,000 > 430,000 + 560,000 × 1 head → no reduction
    assert (j.heads, j.judged_income, j.level) == (1, 5_000_000, 0)
    # only the wife's levies: 医療 0 + 30,133 + 29,758 = 59,891 → 59,800; 支援 20,531 → 20,500
    assert amounts(a) == {MED: 59_800, SUP: 20_500}
    alone = assess(hh(wife), fy2025)
    assert alone.components[0].segments[0].judgement.level == 7


def test_specified_same_household_member_counts_as_a_head(fy2025: PremiumParameters) -> None:
    member = p(1, AGE_70, pension_revenue=2_000_000, pension_income=900_000)
    moved = p(2, date(1948, 3, 3), insured=False, specified_same_household=True)
    j = judge_statutory_reduction(hh(member, moved), fy2025, date(2025, 4, 1))
    # test income 900,000 − 150,000 = 750,000; 5割 threshold 430,000 + 305,000×2 = 1,040,000
    assert (j.heads, j.judged_income, j.level) == (2, 750_000, 5)


def test_undeclared_income_gets_no_reduction(fy2025: PremiumParameters) -> None:
    a = assess(hh(p(1, AGE_30, declared=False)), fy2025)
    j = a.components[0].segments[0].judgement
    assert (j.level, j.reason) == (0, "income-not-declared")
    # 医療 30,133 + 29,758 = 59,891 → 59,800; 支援 20,531 → 20,500
    assert a.total == 59_800 + 20_500


# --- 未就学児 -------------------------------------------------------------------------------------


def test_preschool_reduction_after_the_seventy_percent(fy2025: PremiumParameters) -> None:
    parent = p(1, AGE_30)
    child = p(2, date(2021, 4, 2))  # attains 6 on 2027-04-01: preschool all FY2025
    a = assess(hh(parent, child), fy2025)
    med = a.component(MED).segments[0]  # type: ignore[union-attr]
    line = next(
        x
        for x in med.lines
        if x.addressee_number == child.addressee_number and x.levy == "per_capita_levy"
    )
    # 30,133 × 0.3 = 9,039.9; × 0.5 = 4,519.95 → 4,519 (8.5割 in all)
    assert [r.name for r in line.reductions] == ["statutory_70_percent", "preschool"]
    assert med.per_capita_levy == 9_039 + 4_519
    # 医療 13,558 + 8,927 = 22,485 → 22,400;
    #   支援 3,099 + 1,549 (10,330×0.15=1,549.5) + 3,060 = 7,708 → 7,700
    assert amounts(a) == {MED: 22_400, SUP: 7_700}


def test_school_entrant_is_not_preschool(fy2025: PremiumParameters) -> None:
    child = p(2, date(2019, 4, 1))  # attains 6 on 2025-03-31: enters school April 2025
    a = assess(hh(p(1, AGE_30, other_income=5_000_000), child), fy2025)
    lines = a.component(MED).segments[0].lines  # type: ignore[union-attr]
    line = next(
        x
        for x in lines
        if x.addressee_number == child.addressee_number and x.levy == "per_capita_levy"
    )
    assert line.reductions == ()
    assert line.net == 30_133


# --- 介護分 ages and proration --------------------------------------------------------------------


def test_long_term_care_from_the_month_of_turning_40(fy2025: PremiumParameters) -> None:
    # born 1985-10-15: attains 40 on 2025-10-14 → 介護 Oct–Mar, 6 months; no income, 7割
    # annual 介護: 9,522×0.3 = 2,856.6 → 2,856; 7,163×0.3 = 2,148.9 → 2,148; 5,004 → 5,000
    # 月割 5,000 × 6 / 12 = 2,500
    a = assess(hh(p(1, date(1985, 10, 15))), fy2025)
    ltc = a.component(LTC)
    assert ltc is not None
    assert (ltc.months, ltc.amount) == (6, 2_500)
    assert a.component(MED).amount == 17_900  # type: ignore[union-attr]


def test_long_term_care_ends_the_month_before_turning_65(fy2025: PremiumParameters) -> None:
    # born 1960-08-20: attains 65 on 2025-08-19 → 介護 Apr–Jul, 4 months: 5,000 × 4 / 12 =
    #   1,666.67 → 1,600
    a = assess(hh(p(1, date(1960, 8, 20))), fy2025)
    assert (a.component(LTC).months, a.component(LTC).amount) == (4, 1_600)  # type: ignore[union-attr]


def test_long_term_care_birthday_on_the_first_of_a_month(fy2025: PremiumParameters) -> None:
    # born 1960-06-01: attains 65 on 2025-05-31 → liable Apr only (May is the month of turning 65)
    a = assess(hh(p(1, date(1960, 6, 1))), fy2025)
    assert a.component(LTC).months == 1  # type: ignore[union-attr]


def test_joiner_pays_from_the_joining_month(fy2025: PremiumParameters) -> None:
    # joins 2025-10-15: Oct–Mar = 6 months. Annual 医療 190,200 and 支援 64,100 (see the plain case)
    # 医療 190,200 × 6/12 = 95,100; 支援 64,100 × 6/12 = 32,050 → 32,000
    a = assess(
        hh(
            p(
                1,
                AGE_30,
                salary_revenue=3_000_000,
                salary_income=2_000_000,
                acquisition_date=date(2025, 10, 15),
            )
        ),
        fy2025,
    )
    assert a.insured_months == 6
    assert amounts(a) == {MED: 95_100, SUP: 32_000}
    assert a.components[0].segments[0].judgement.reference_date == date(2025, 10, 15)


def test_leaver_pays_to_the_month_before_the_loss(fy2025: PremiumParameters) -> None:
    # loss 2025-06-01: Apr, May = 2 months. 医療 190,200 × 2/12 = 31,700;
    #   支援 64,100 × 2/12 = 10,683 → 10,600
    a = assess(
        hh(
            p(
                1,
                AGE_30,
                salary_revenue=3_000_000,
                salary_income=2_000_000,
                loss_date=date(2025, 6, 1),
            )
        ),
        fy2025,
    )
    assert amounts(a) == {MED: 31_700, SUP: 10_600}


def test_loss_on_the_last_day_of_a_month_excludes_that_month(fy2025: PremiumParameters) -> None:
    a = assess(hh(p(1, AGE_30, loss_date=date(2025, 5, 31))), fy2025)
    assert a.insured_months == 1


def test_a_member_joining_mid_year_adds_only_their_months(fy2025: PremiumParameters) -> None:
    # the household (30, no income, 7割) gets a baby born 2025-12-05: Dec–Mar = 4 months
    # Apr–Nov: 医療 9,039 + 8,927 = 17,966 → 17,900
    # Dec–Mar: 均等割 + baby 30,133 × 0.3 × 0.5 = 4,519.95 → 4,519: 22,485 → 22,400
    # 医療 (17,900×8 + 22,400×4)/12 = (143,200 + 89,600)/12 = 19,400
    parent = p(1, AGE_30)
    baby = p(2, date(2025, 12, 5), acquisition_date=date(2025, 12, 5))
    a = assess(hh(parent, baby), fy2025)
    assert a.component(MED).amount == 19_400  # type: ignore[union-attr]
    assert len(a.component(MED).segments) == 2  # type: ignore[union-attr]


def test_no_insured_month_is_refused(fy2025: PremiumParameters) -> None:
    with pytest.raises(NoInsuredMonths):
        assess(hh(p(1, AGE_30, loss_date=date(2025, 4, 1))), fy2025)


# --- caps ---


def test_caps_per_component_fy2025(fy2025: PremiumParameters) -> None:
    a = assess(hh(p(1, AGE_45, salary_revenue=25_000_000, salary_income=23_000_000)), fy2025)
    assert amounts(a) == {MED: 660_000, SUP: 260_000, LTC: 170_000}
    assert all(c.segments[0].capped for c in a.components)
    assert a.total == 1_090_000


def test_cap_boundary_medical(fy2025: PremiumParameters) -> None:
    # 医療 reaches 660,000 when 所得割 ≥ 660,000 − 59,891 = 600,109 (subtotal cut to 100 first):
    # base × 8.3% = 600,100 → base 7,230,120.48...;
    #   use base 7,230,000: 600,090 + 59,891 = 659,981 → 659,900
    below = assess(hh(p(1, AGE_30, other_income=7_230_000 + 430_000)), fy2025)
    assert below.component(MED).amount == 659_900  # type: ignore[union-attr]
    assert not below.component(MED).segments[0].capped  # type: ignore[union-attr]
    # base 7,231,326: 600,200.05 → 600,200 + 59,891 = 660,091 → 660,000: equal to the cap
    at = assess(hh(p(1, AGE_30, other_income=7_231_326 + 430_000)), fy2025)
    assert at.component(MED).amount == 660_000  # type: ignore[union-attr]


def test_capped_household_may_see_no_benefit_from_a_reduction(fy2025: PremiumParameters) -> None:
    # a high-income member plus a baby: both with and without the baby, 医療 is at the cap
    rich = p(1, AGE_45, other_income=30_000_000)
    a = assess(hh(rich, p(2, date(2024, 5, 5))), fy2025)
    assert a.component(MED).amount == 660_000  # type: ignore[union-attr]


def test_fy2026_child_support_cap(fy2026: PremiumParameters) -> None:
    # 子ども 所得割 19,570,000 × 0.27% = 52,839 → capped at 30,000
    a = assess(hh(p(1, AGE_30, other_income=20_000_000)), fy2026)
    assert a.component(CHILD).amount == 30_000  # type: ignore[union-attr]
    assert a.component(MED).amount == 670_000  # type: ignore[union-attr]


# --- FY2026 子ども・子育て支援金分 ----------------------------------------------------------------


def test_fy2026_family_of_four(fy2026: PremiumParameters) -> None:
    father = p(1, date(1980, 5, 5), salary_revenue=5_500_000, salary_income=4_000_000)
    mother = p(2, date(1982, 8, 8))  # 43, no income
    child = p(3, date(2015, 9, 9))  # 10
    small = p(4, date(2021, 11, 11))  # 4: 未就学児
    a = assess(hh(father, mother, child, small), fy2026)
    assert a.components[0].segments[0].judgement.level == 0  # 4,000,000 > 430,000 + 570,000×4
    # base 3,570,000 (father only)
    # 医療 3,570,000×8.18% = 292,026; 均等割 31,228×3 + 31,228×0.5 = 93,684 + 15,614 = 109,298;
    #      + 30,403 = 431,727 → 431,700
    # 支援 3,570,000×2.64% = 94,248; 10,342×3 + 5,171 = 36,197; + 10,069 = 140,514 → 140,500
    # 介護 (father 45, mother 43) 3,570,000×2.52% = 89,964; 10,443×2 = 20,886;
    #   + 7,860 = 118,710 → 118,700
    # 子ども 3,570,000×0.27% = 9,639; adults 2 × (1,072 + 56) = 2,256; children 0 (10割); + 1,044
    #      = 12,939 → 12,900
    assert amounts(a) == {MED: 431_700, SUP: 140_500, LTC: 118_700, CHILD: 12_900}
    assert a.total == 703_800
    child_lines = [
        x
        for x in a.component(CHILD).segments[0].lines  # type: ignore[union-attr]
        if x.levy == "per_capita_levy" and x.addressee_number == child.addressee_number
    ]
    assert child_lines[0].reductions[0].name == "under_18"
    assert child_lines[0].net == 0


def test_fy2026_child_support_with_seventy_percent(fy2026: PremiumParameters) -> None:
    # single adult, no income: 7割 on (1,072 + 56) = 1,128 × 0.3 = 338.4 → 338;
    # 1,044 × 0.3 = 313.2 → 313; 651 → 600
    a = assess(hh(p(1, AGE_30)), fy2026)
    assert a.component(CHILD).amount == 600  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("birth", "minor"),
    [(date(2008, 4, 2), True), (date(2008, 4, 1), False)],  # attains 18 on 2026-04-01 / 03-31
)
def test_fy2026_under_18_boundary(fy2026: PremiumParameters, birth: date, minor: bool) -> None:
    a = assess(hh(p(1, AGE_45, other_income=9_000_000), p(2, birth)), fy2026)
    line = next(
        x
        for x in a.component(CHILD).segments[0].lines  # type: ignore[union-attr]
        if x.levy == "per_capita_levy" and x.addressee_number == "0000000002"
    )
    assert line.net == (0 if minor else 1_128)


def test_fy2025_has_no_child_support(fy2025: PremiumParameters) -> None:
    a = assess(hh(p(1, AGE_30)), fy2025)
    assert a.component(CHILD) is None


# --- 産前産後 -------------------------------------------------------------------------------------


def test_childbirth_exempts_four_months_of_income_and_per_capita_levy(
    fy2025: PremiumParameters,
) -> None:
    # birth 2025-08-10: Jul, Aug, Sep, Oct exempt. Single member, income 2,000,000 (no reduction)
    # 医療 normal 190,200; exempt months: 平等割 only 29,758 → 29,700
    #   (190,200×8 + 29,700×4)/12 = 1,640,400/12 = 136,700
    # 支援 normal 64,100; exempt 10,201 → 10,200: (512,800 + 40,800)/12 = 46,133 → 46,100
    mother = p(
        1,
        AGE_30,
        salary_revenue=3_000_000,
        salary_income=2_000_000,
        childbirth=Childbirth(date(2025, 8, 10)),
    )
    a = assess(hh(mother), fy2025)
    assert amounts(a) == {MED: 136_700, SUP: 46_100}
    exempt = a.component(MED).segments[1]  # type: ignore[union-attr]
    assert [m.month for m in exempt.months] == [7, 8, 9, 10]


def test_multiple_birth_exempts_six_months(fy2025: PremiumParameters) -> None:
    mother = p(
        1, AGE_30, salary_income=2_000_000, childbirth=Childbirth(date(2025, 8, 10), multiple=True)
    )
    a = assess(hh(mother), fy2025)
    assert [m.month for m in a.component(MED).segments[1].months] == [5, 6, 7, 8, 9, 10]  # type: ignore[union-attr]


def test_childbirth_before_november_2023_is_not_exempt(fy2025: PremiumParameters) -> None:
    mother = p(1, AGE_30, salary_income=2_000_000, childbirth=Childbirth(date(2023, 10, 31)))
    assert len(assess(hh(mother), fy2025).components[0].segments) == 1


# --- 非自発的失業者 -------------------------------------------------------------------------------


def test_involuntary_unemployment_whole_year(fy2025: PremiumParameters) -> None:
    # separated 2025-03-31 → from April 2025 to March 2027: 給与所得 3,000,000 × 30/100 = 900,000
    # test: 900,000 with 1 earner → 2割 (≤ 990,000). base 470,000.
    # 医療 470,000×8.30% = 39,010 + 24,106 + 23,806 = 86,922 → 86,900
    # 支援 470,000×2.78% = 13,066 + 8,264 + 8,160 = 29,490 → 29,400
    member = p(
        1,
        AGE_30,
        salary_revenue=4_400_000,
        salary_income=3_000_000,
        involuntary_separation_date=date(2025, 3, 31),
    )
    a = assess(hh(member), fy2025)
    assert a.components[0].segments[0].judgement.level == 2
    assert amounts(a) == {MED: 86_900, SUP: 29_400}


def test_involuntary_unemployment_ends_after_the_following_fiscal_year() -> None:
    from kokuho.assessment.parameters import load_parameters

    member = p(
        1,
        AGE_30,
        salary_revenue=4_400_000,
        salary_income=3_000_000,
        involuntary_separation_date=date(2024, 6, 30),
    )
    # FY2024 Jul → FY2025 end: all of FY2025 reduced; FY2026 not.
    assert assess(hh(member), load_parameters(2025)).components[0].segments[0].judgement.level == 2
    assert assess(hh(member), load_parameters(2026)).components[0].segments[0].judgement.level == 0


def test_involuntary_unemployment_from_mid_year(fy2025: PremiumParameters) -> None:
    # separated 2025-09-30 → reduced from October: Apr–Sep normal, Oct–Mar reduced
    # 医療 normal: base 2,570,000: 213,310 + 59,891 = 273,201 → 273,200; reduced 86,900
    # (273,200×6 + 86,900×6)/12 = 180,050 → 180,000
    member = p(
        1,
        AGE_30,
        salary_revenue=4_400_000,
        salary_income=3_000_000,
        involuntary_separation_date=date(2025, 9, 30),
    )
    a = assess(hh(member), fy2025)
    assert a.component(MED).amount == 180_000  # type: ignore[union-attr]
    assert [s.judgement.level for s in a.component(MED).segments] == [0, 2]  # type: ignore[union-attr]


def test_involuntary_unemployment_over_65_is_refused(fy2025: PremiumParameters) -> None:
    with pytest.raises(HouseholdInvalid):
        assess(hh(p(1, date(1958, 1, 1), involuntary_separation_date=date(2025, 3, 31))), fy2025)


# --- 特定世帯 / 特定継続世帯 ----------------------------------------------------------------------


def _specified(since: date) -> Household:
    member = p(1, AGE_70, other_income=3_000_000)
    moved = p(2, date(1948, 3, 3), insured=False, specified_same_household=True)
    return hh(member, moved, specified_household_since=since)


def test_specified_household_halves_per_household_levy(fy2025: PremiumParameters) -> None:
    # test: 3,000,000 > 430,000 + 560,000×2 → no reduction. base 2,570,000
    # 医療 213,310 + 30,133 + 14,879 (特定世帯) = 258,322 → 258,300
    # 支援 71,446 + 10,330 + 5,101 = 86,877 → 86,800
    a = assess(_specified(date(2024, 9, 15)), fy2025)
    assert amounts(a) == {MED: 258_300, SUP: 86_800}


def test_specified_continuing_household_three_quarters(fy2025: PremiumParameters) -> None:
    # since 2020-01: April 2025 is month 63 → 特定継続 (60 ≤ 63 < 96): 22,319 and 7,651
    # 医療 213,310 + 30,133 + 22,319 = 265,762 → 265,700;
    #   支援 71,446 + 10,330 + 7,651 = 89,427 → 89,400
    a = assess(_specified(date(2020, 1, 10)), fy2025)
    assert amounts(a) == {MED: 265_700, SUP: 89_400}


def test_specified_household_turns_continuing_mid_year(fy2025: PremiumParameters) -> None:
    # since 2020-09: Apr–Aug 2025 months 55–59 → 特定 (258,300); Sep– → 継続 (265,700)
    # (258,300×5 + 265,700×7)/12 = 3,151,400/12 = 262,616 → 262,600
    a = assess(_specified(date(2020, 9, 1)), fy2025)
    assert a.component(MED).amount == 262_600  # type: ignore[union-attr]


def test_specified_household_ends_after_eight_years(fy2025: PremiumParameters) -> None:
    # since 2016-01: April 2025 is month 111 ≥ 96 → the full 平等割 again:
    # 213,310 + 30,133 + 29,758 = 273,201 → 273,200
    a = assess(_specified(date(2016, 1, 1)), fy2025)
    assert a.component(MED).amount == 273_200  # type: ignore[union-attr]


def test_specified_household_needs_a_single_insured_member(fy2025: PremiumParameters) -> None:
    h = hh(
        p(1, AGE_70, other_income=3_000_000),
        p(3, AGE_70),
        p(2, date(1948, 3, 3), insured=False, specified_same_household=True),
        specified_household_since=date(2024, 9, 15),
    )
    lines = assess(h, fy2025).component(MED).segments[0].lines  # type: ignore[union-attr]
    household_line = next(x for x in lines if x.levy == "per_household_levy")
    assert household_line.reductions == ()


# --- 旧被扶養者 -----------------------------------------------------------------------------------


def test_former_dependant(fy2025: PremiumParameters) -> None:
    # 68, pension income 2,000,000 (test 1,850,000 → no reduction); 所得割 exempt;
    # 均等割 halved 15,066.5 → 15,066; 平等割 halved (household only of 旧被扶養者) 14,879
    # 医療 29,945 → 29,900; 支援 5,165 + 5,100.5→5,100 = 10,265 → 10,200
    member = p(
        1,
        date(1957, 2, 2),
        pension_revenue=3_100_000,
        pension_income=2_000_000,
        acquisition_date=date(2025, 4, 1),
        former_dependant_since=date(2025, 4, 1),
    )
    a = assess(hh(member), fy2025)
    assert amounts(a) == {MED: 29_900, SUP: 10_200}


def test_former_dependant_halving_ends_after_two_years(fy2025: PremiumParameters) -> None:
    # since 2023-07: 24 months end with June 2025. Apr–Jun halved (29,900); Jul– only 所得割 exempt:
    # 30,133 + 29,758 = 59,891 → 59,800.
    #   医療 (29,900×3 + 59,800×9)/12 = 628,200/12 = 52,350 → 52,300
    member = p(
        1,
        date(1957, 2, 2),
        pension_revenue=3_100_000,
        pension_income=2_000_000,
        former_dependant_since=date(2023, 7, 1),
    )
    assert assess(hh(member), fy2025).component(MED).amount == 52_300  # type: ignore[union-attr]


def test_statutory_reduction_wins_over_the_former_dependant_halving(
    fy2025: PremiumParameters,
) -> None:
    member = p(1, date(1957, 2, 2), former_dependant_since=date(2025, 1, 1))  # no income → 7割
    lines = assess(hh(member), fy2025).component(MED).segments[0].lines  # type: ignore[union-attr]
    capita = next(x for x in lines if x.levy == "per_capita_levy")
    assert [r.name for r in capita.reductions] == ["statutory_70_percent"]


# --- validation ---


def test_householder_must_be_listed(fy2025: PremiumParameters) -> None:
    with pytest.raises(HouseholdInvalid):
        assess(hh(p(1, AGE_30), householder=5), fy2025)


def test_a_person_who_counts_for_nothing_is_refused(fy2025: PremiumParameters) -> None:
    with pytest.raises(HouseholdInvalid):
        assess(hh(p(1, AGE_30), p(2, AGE_30, insured=False)), fy2025)


def test_duplicate_person_is_refused(fy2025: PremiumParameters) -> None:
    with pytest.raises(HouseholdInvalid):
        assess(hh(p(1, AGE_30), p(1, AGE_30)), fy2025)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (0, 100, 0),
        (199, 100, 100),
        (Decimal("9039.9"), 1, 9039),
        (Decimal("-0.5"), 1, -1),
        (Decimal("-100"), 100, -100),
        (Decimal("190201"), 100, 190200),
        (-1, 100, -100),
    ],
)
def test_floor_to(value: Decimal | int, unit: int, expected: int) -> None:
    assert floor_to(value, unit) == expected
