"""The reports as lines and CSV (ADR 0018). The official 事業状況報告 layout was not retrieved
(standard-functions.md 3.7, ❌), so the layout is ours, one figure a line:

``report,period,section,item,label,value`` (UTF-8, header line, comma separated, LF), where
``report`` is ``monthly`` (period ``YYYY-MM``), ``yearly`` or ``levy_base`` (period the fiscal
year ``YYYY``); ``section`` groups the figures (``members``, ``premiums``, ``benefits``,
``levy_base``, ``base_stabilisation``); ``item`` is the figure's stable name, ``label`` its
Japanese name, and ``value`` an integer (yen, counts), a decimal with a point (rates in percent,
averages) or empty (a rate with nothing assessed)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from kokuho.eligibility.domain.reports import (
    BENEFIT_KINDS,
    COMPONENTS,
    REDUCTION_LEVELS,
    Benefits,
    LevyBase,
    Members,
    MonthlyReport,
    Premiums,
    YearlyReport,
)

HEADER = ("report", "period", "section", "item", "label", "value")
BENEFIT_LABELS = {
    "high_cost": "高額療養費",
    "funeral": "葬祭費",
    "childbirth": "出産育児一時金",
    "medical_expense": "療養費",
}
COMPONENT_LABELS = {
    "medical": "医療分",
    "elderly_support": "後期高齢者支援金等分",
    "long_term_care": "介護納付金分",
    "child_support": "子ども・子育て支援納付金分",
}


@dataclass(frozen=True)
class Line:
    section: str
    item: str
    label: str
    value: int | Decimal | None


MEMBERS = (
    ("households", "世帯数"),
    ("members", "被保険者数"),
    ("under_6", "うち6歳未満"),
    ("aged_40_64", "うち40歳以上65歳未満（介護第2号）"),
    ("aged_65_74", "うち65歳以上75歳未満（前期高齢者）"),
    ("aged_70_74", "うち70歳以上75歳未満"),
)
PREMIUMS = (
    ("fiscal_year", "現年度"),
    ("assessed_current_in_period", "調定額増減（現年度分）"),
    ("assessed_past_in_period", "調定額増減（過年度分）"),
    ("assessed_current_total", "調定額（現年度分）"),
    ("collected_current_in_period", "収納額（現年度分）"),
    ("collected_past_in_period", "収納額（過年度分）"),
    ("collected_current_to_date", "収納額累計（現年度分）"),
    ("collection_rate_current", "収納率（現年度分、%）"),
)
REDUCTION_FIGURES = (
    ("households", "世帯数", "reduced_households"),
    ("months", "月数（世帯×月）", "reduced_insured_months"),
    ("levies", "軽減後均等割・平等割額", "reduced_levies_after_reduction"),
)


def _members(m: Members) -> list[Line]:
    return [Line("members", item, label, getattr(m, item)) for item, label in MEMBERS]


def _premiums(p: Premiums) -> list[Line]:
    return [Line("premiums", item, label, getattr(p, item)) for item, label in PREMIUMS]


def _benefits(b: Benefits) -> list[Line]:
    lines = []
    for kind in BENEFIT_KINDS:
        count, amount = b.by_kind.get(kind, (0, 0))
        label = BENEFIT_LABELS[kind]
        lines.append(Line("benefits", f"{kind}_count", f"{label} 件数", count))
        lines.append(Line("benefits", f"{kind}_amount", f"{label} 金額", amount))
    lines.append(Line("benefits", "total_count", "保険給付 件数計", b.count))
    lines.append(Line("benefits", "total_amount", "保険給付 金額計", b.amount))
    return lines


def monthly_lines(report: MonthlyReport) -> list[Line]:
    return [*_members(report.members), *_premiums(report.premiums), *_benefits(report.benefits)]


def yearly_lines(report: YearlyReport) -> list[Line]:
    return [
        *_members(report.members),
        Line("members", "average_members", "年間平均被保険者数", report.average_members),
        *_premiums(report.premiums),
        *_benefits(report.benefits),
    ]


def levy_base_lines(base: LevyBase) -> list[Line]:
    section = "levy_base"
    lines = [
        Line(section, "households_assessed", "賦課世帯数", base.households_assessed),
        Line(section, "average_members", "年間平均被保険者数", base.average_members),
        Line(
            section, "members_40_64", "40歳以上65歳未満（年度末）", base.members_40_64_at_year_end
        ),
        Line(section, "members_65_74", "前期高齢者数（年度末）", base.members_65_74_at_year_end),
    ]
    for name in COMPONENTS:
        label = COMPONENT_LABELS[name]
        assessed = base.premiums_by_component[name]
        capped = base.capped_households_by_component[name]
        lines.append(Line(section, f"{name}_assessed", f"{label} 調定額", assessed))
        lines.append(Line(section, f"{name}_capped", f"{label} 限度額該当世帯数", capped))
    for level in REDUCTION_LEVELS:
        for item, label, attr in REDUCTION_FIGURES:
            value = getattr(base, attr)[level]
            lines.append(
                Line(
                    "base_stabilisation", f"reduced_{level}_{item}", f"{level}割軽減 {label}", value
                )
            )
        lines.extend(_reduction_amounts(base, level))
    return lines


def _reduction_amounts(base: LevyBase, level: int) -> list[Line]:
    """軽減額 (ADR 0080) of one level: per component 均等割 and 平等割, the level's total, and
    the households whose assessment carried none (events from before the figure existed)."""
    section, head = "base_stabilisation", f"{level}割軽減"
    amounts = base.reduction_amounts[level]
    lines = []
    for name in COMPONENTS:
        per_capita, per_household = amounts[name]
        label = f"{head} {COMPONENT_LABELS[name]}"
        lines.append(
            Line(section, f"reduced_{level}_{name}_per_capita_reduction",
                 f"{label} 均等割軽減額", per_capita)
        )  # fmt: skip
        lines.append(
            Line(section, f"reduced_{level}_{name}_per_household_reduction",
                 f"{label} 平等割軽減額", per_household)
        )  # fmt: skip
    total = sum(a + b for a, b in amounts.values())
    lines.append(Line(section, f"reduced_{level}_reduction", f"{head} 軽減額計", total))
    lines.append(
        Line(section, f"reduced_{level}_households_without_reduction",
             f"{head} 軽減額の無い賦課の世帯数", base.reduced_households_without_amounts[level])
    )  # fmt: skip
    return lines


def to_csv(report: str, period: str, lines: list[Line]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for line in lines:
        value = "" if line.value is None else str(line.value)
        writer.writerow((report, period, line.section, line.item, line.label, value))
    return out.getvalue()
