"""The statutory reports' figures on a fixed data set (ADR 0018): every figure of the monthly,
yearly and levy-base reports checked against the hand-worked value, with the boundaries (a
member lost on the month's last day / the next day, the age attained the day before the
birthday, the fiscal year turning on 1 April, a reversal, a correction) and the CSV layout."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from kokuho.eligibility.adapters.report_csv import (
    levy_base_lines,
    monthly_lines,
    to_csv,
    yearly_lines,
)
from kokuho.eligibility.domain.reports import (
    Assessment,
    BenefitPaid,
    Collected,
    Period,
    age_on,
    levy_base,
    monthly,
    yearly,
)

H1, H2, H3 = "1000000001", "1000000002", "1000000003"

PERIODS = [
    # H1: a couple aged 70 and 64, and a child turning 6 on 2026-12-01 (6 on 30 November)
    Period("2000000001", H1, date(1956, 11, 15), date(2020, 4, 1), None),
    Period("2000000002", H1, date(1962, 3, 3), date(2020, 4, 1), None),
    Period("2000000003", H1, date(2020, 12, 1), date(2020, 12, 1), None),
    # H2: one member lost on 2026-11-30 (not insured on 30 Nov), one lost on 2026-12-01
    Period("2000000004", H2, date(1990, 1, 1), date(2021, 5, 1), date(2026, 11, 30)),
    Period("2000000005", H2, date(1985, 6, 6), date(2021, 5, 1), date(2026, 12, 1)),
    # H3: joined on 2026-11-30, aged 40 the day before the 41st birthday... born 1986-12-01:
    # 40 on 30 November 2026 (attained at the end of the day before the birthday)
    Period("2000000006", H3, date(1986, 12, 1), date(2026, 11, 30), None),
    # a member who joins on 2026-12-01: not on November's count
    Period("2000000007", H3, date(2000, 2, 2), date(2026, 12, 1), None),
]

ASSESSMENTS = [
    Assessment(H1, 2026, 1, date(2026, 6, 15), 300_000, None, 2, 12,
               {"medical": 200_000, "elderly_support": 70_000, "long_term_care": 30_000},
               frozenset(), 90_000,
               {"medical": (6_000, 5_000), "elderly_support": (2_000, 1_500),
                "long_term_care": (1_000, 800)}),
    Assessment(H2, 2026, 1, date(2026, 6, 15), 150_000, None, 7, 12,
               {"medical": 100_000, "elderly_support": 50_000}, frozenset(), 20_000,
               {"medical": (20_000, 19_000), "elderly_support": (7_000, 6_000)}),
    # H2's correction in November: 150,000 -> 120,000 (-30,000), still 7割
    Assessment(H2, 2026, 2, date(2026, 11, 10), 120_000, 150_000, 7, 10,
               {"medical": 80_000, "elderly_support": 40_000}, frozenset(), 16_000,
               {"medical": (17_000, 16_000), "elderly_support": (6_000, 5_000)}),
    # H3 assessed in November for FY2026: +50,000; capped on medical
    Assessment(H3, 2026, 1, date(2026, 11, 30), 50_000, None, 5, 5,
               {"medical": 50_000}, frozenset({"medical"}), 10_000,
               {"medical": (9_000, 8_000)}),
    # a past-year correction in November: FY2025 of H1, 280,000 -> 290,000 (+10,000)
    Assessment(H1, 2025, 1, date(2025, 6, 15), 280_000, None, 0, 12,
               {"medical": 280_000}, frozenset(), 0, {"medical": (0, 0)}),
    Assessment(H1, 2025, 2, date(2026, 11, 5), 290_000, 280_000, 0, 12,
               {"medical": 290_000}, frozenset(), 0, {"medical": (0, 0)}),
    # assessed on 1 December: not in November; an event from before the 軽減額 (none carried)
    Assessment(H3, 2026, 2, date(2026, 12, 1), 60_000, 50_000, 5, 5,
               {"medical": 60_000}, frozenset({"medical"}), 12_000),
]  # fmt: skip

COLLECTED = [
    Collected(H1, 2026, 30_000, date(2026, 7, 31)),
    Collected(H1, 2026, 30_000, date(2026, 10, 31)),
    Collected(H1, 2026, 30_000, date(2026, 11, 1)),  # in November
    Collected(H2, 2026, 15_000, date(2026, 11, 30)),  # in November, the last day
    Collected(H2, 2026, -5_000, date(2026, 11, 20)),  # a reversal in November
    Collected(H1, 2025, 28_000, date(2026, 11, 12)),  # past year, in November
    Collected(H1, 2026, 30_000, date(2026, 12, 1)),  # December
    Collected(H1, 2025, 252_000, date(2026, 3, 31)),  # FY2025
]

PAID = [
    BenefitPaid("high_cost", 40_000, date(2026, 11, 25)),
    BenefitPaid("high_cost", 12_345, date(2026, 11, 1)),
    BenefitPaid("funeral", 50_000, date(2026, 11, 30)),
    BenefitPaid("childbirth", 500_000, date(2026, 10, 31)),  # October
    BenefitPaid("medical_expense", 7_000, date(2026, 12, 1)),  # December
]


def test_age_is_attained_the_day_before_the_birthday() -> None:
    assert age_on(date(2020, 12, 1), date(2026, 11, 29)) == 5
    assert age_on(date(2020, 12, 1), date(2026, 11, 30)) == 6
    assert age_on(date(2004, 2, 29), date(2025, 2, 27)) == 20
    assert age_on(date(2004, 2, 29), date(2025, 2, 28)) == 21


def test_monthly_report_every_figure() -> None:
    report = monthly(2026, 11, PERIODS, ASSESSMENTS, COLLECTED, PAID)
    m = report.members
    # on 30 Nov: H1 (3), H2 (the one lost on 1 Dec), H3 (the one joined on 30 Nov)
    assert (m.households, m.members) == (3, 5)
    assert m.under_6 == 0  # the child is 6 on 30 November
    assert m.aged_40_64 == 3  # 64 (1962), 41 (1985), 40 (1986-12-01, attained 30 Nov)
    assert (m.aged_65_74, m.aged_70_74) == (1, 1)  # born 1956-11-15: 70
    p = report.premiums
    assert p.fiscal_year == 2026
    assert p.assessed_current_in_period == -30_000 + 50_000
    assert p.assessed_past_in_period == 10_000
    assert p.assessed_current_total == 300_000 + 120_000 + 50_000
    assert p.collected_current_in_period == 30_000 + 15_000 - 5_000
    assert p.collected_past_in_period == 28_000
    assert p.collected_current_to_date == 30_000 * 3 + 15_000 - 5_000
    assert p.collection_rate_current == Decimal("21.28")  # 100,000 / 470,000 = 21.276..
    b = report.benefits
    assert b.by_kind == {
        "high_cost": (2, 52_345),
        "funeral": (1, 50_000),
        "childbirth": (0, 0),
        "medical_expense": (0, 0),
    }
    assert (b.count, b.amount) == (3, 102_345)


def test_the_next_month_sees_the_changes_of_its_first_day() -> None:
    report = monthly(2026, 12, PERIODS, ASSESSMENTS, COLLECTED, PAID)
    assert (report.members.households, report.members.members) == (2, 5)
    assert report.members.under_6 == 0
    assert report.premiums.assessed_current_in_period == 10_000
    assert report.premiums.assessed_current_total == 300_000 + 120_000 + 60_000
    assert report.premiums.collected_current_in_period == 30_000
    assert report.benefits.by_kind["medical_expense"] == (1, 7_000)


def test_a_rate_with_nothing_assessed_is_empty() -> None:
    report = monthly(2026, 4, PERIODS, [], [], [])
    assert report.premiums.collection_rate_current is None
    assert report.premiums.assessed_current_total == 0


def test_yearly_report_every_figure() -> None:
    report = yearly(2026, PERIODS, ASSESSMENTS, COLLECTED, PAID)
    # on 31 March 2027: H1 (3), H3 (2)
    assert (report.members.households, report.members.members) == (2, 5)
    # month ends Apr-Mar: Apr-Oct 5 (H1 3 + H2 2), Nov 5, Dec-Mar 5 (H1 3 + H3 2)
    assert report.average_members == Decimal("5.0")
    p = report.premiums
    assert p.assessed_current_in_period == 300_000 + 150_000 - 30_000 + 50_000 + 10_000
    assert p.assessed_past_in_period == 10_000
    assert p.assessed_current_total == 300_000 + 120_000 + 60_000
    assert p.collected_current_in_period == 30_000 * 4 + 15_000 - 5_000
    assert p.collected_past_in_period == 28_000
    assert p.collection_rate_current == Decimal("27.08")  # 130,000 / 480,000
    assert report.benefits.amount == 40_000 + 12_345 + 50_000 + 500_000 + 7_000
    assert report.benefits.count == 5


def test_levy_base_and_base_stabilisation_every_figure() -> None:
    base = levy_base(2026, PERIODS, ASSESSMENTS)
    assert base.households_assessed == 3
    assert base.premiums_by_component == {
        "medical": 200_000 + 80_000 + 60_000,
        "elderly_support": 70_000 + 40_000,
        "long_term_care": 30_000,
        "child_support": 0,
    }
    assert base.capped_households_by_component == {
        "medical": 1, "elderly_support": 0, "long_term_care": 0, "child_support": 0,
    }  # fmt: skip
    assert base.reduced_households == {7: 1, 5: 1, 2: 1}
    assert base.reduced_insured_months == {7: 10, 5: 5, 2: 12}
    assert base.reduced_levies_after_reduction == {7: 16_000, 5: 12_000, 2: 90_000}
    # 軽減額 of each household's assessment in force on 31 March (H2's correction, H1's first;
    # H3's latest carries none: counted apart, never taken from its earlier revision)
    none = (0, 0)
    assert base.reduction_amounts == {
        7: {"medical": (17_000, 16_000), "elderly_support": (6_000, 5_000),
            "long_term_care": none, "child_support": none},
        5: {"medical": none, "elderly_support": none, "long_term_care": none,
            "child_support": none},
        2: {"medical": (6_000, 5_000), "elderly_support": (2_000, 1_500),
            "long_term_care": (1_000, 800), "child_support": none},
    }  # fmt: skip
    assert base.reduced_households_without_amounts == {7: 0, 5: 1, 2: 0}
    assert base.average_members == Decimal("5.0")
    # on 31 March 2027 the member born 1962-03-03 is 65: one 40-64 (born 1986), two 65-74
    assert (base.members_40_64_at_year_end, base.members_65_74_at_year_end) == (1, 2)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_layout_one_figure_a_line() -> None:
    report = monthly(2026, 11, PERIODS, ASSESSMENTS, COLLECTED, PAID)
    lines = rows(to_csv("monthly", "2026-11", monthly_lines(report)))
    assert list(lines[0]) == ["report", "period", "section", "item", "label", "value"]
    by_item = {r["item"]: r for r in lines}
    assert by_item["members"]["value"] == "5"
    assert by_item["members"]["label"] == "被保険者数"
    assert by_item["collection_rate_current"]["value"] == "21.28"
    assert by_item["high_cost_amount"]["value"] == "52345"
    assert {r["report"] for r in lines} == {"monthly"}
    assert len(by_item) == len(lines)  # each item once
    empty = rows(to_csv("monthly", "2026-04", monthly_lines(monthly(2026, 4, [], [], [], []))))
    assert next(r for r in empty if r["item"] == "collection_rate_current")["value"] == ""
    yearly_rows = rows(to_csv("yearly", "2026", yearly_lines(yearly(2026, PERIODS, [], [], []))))
    assert next(r for r in yearly_rows if r["item"] == "average_members")["value"] == "5.0"
    base = rows(to_csv("levy_base", "2026", levy_base_lines(levy_base(2026, PERIODS, ASSESSMENTS))))
    assert next(r for r in base if r["item"] == "reduced_7_households")["value"] == "1"
    assert next(r for r in base if r["item"] == "medical_capped")["value"] == "1"
    by_item = {r["item"]: r for r in base}
    assert len(by_item) == len(base)
    assert by_item["reduced_7_medical_per_capita_reduction"]["value"] == "17000"
    assert (
        by_item["reduced_7_medical_per_capita_reduction"]["label"] == "7割軽減 医療分 均等割軽減額"
    )
    assert by_item["reduced_2_long_term_care_per_household_reduction"]["value"] == "800"
    assert by_item["reduced_7_reduction"]["value"] == str(17_000 + 16_000 + 6_000 + 5_000)
    assert by_item["reduced_2_reduction"]["value"] == str(
        6_000 + 5_000 + 2_000 + 1_500 + 1_000 + 800
    )
    assert by_item["reduced_5_reduction"]["value"] == "0"
    assert by_item["reduced_5_households_without_reduction"]["value"] == "1"
