"""The premium notice (納入通知書) and the correction notice (変更通知書) as a Japanese PDF, with
reportlab's built-in CID fonts (no font files). Addressed to the householder by addressee
number: names and addresses live in eligibility and are printed by the mailing step."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kokuho.assessment.app.ports import StoredAssessment

GOTHIC = "HeiseiKakuGo-W5"
MINCHO = "HeiseiMin-W3"

COMPONENT_NAMES = {
    "medical": "医療分",
    "elderly_support": "後期高齢者支援金分",
    "long_term_care": "介護分",
    "child_support": "子ども・子育て支援金分",
}
LEVY_NAMES = {
    "income_levy": "所得割",
    "asset_levy": "資産割",
    "per_capita_levy": "均等割",
    "per_household_levy": "平等割",
}
REDUCTION_NAMES = {
    "statutory_70_percent": "7割軽減",
    "statutory_50_percent": "5割軽減",
    "statutory_20_percent": "2割軽減",
    "preschool": "未就学児軽減",
    "under_18": "18歳未満 子ども分均等割軽減",
    "childbirth": "産前産後免除",
    "former_dependant": "旧被扶養者減免",
    "specified_household": "特定世帯",
    "specified_continuing_household": "特定継続世帯",
}


def _fonts() -> None:
    for name in (GOTHIC, MINCHO):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(name))


def _era(fiscal_year: int) -> str:
    reiwa = fiscal_year - 2018
    return "令和元年度" if reiwa == 1 else f"令和{reiwa}年度"


def _wareki(day: date) -> str:
    return f"令和{day.year - 2018}年{day.month}月{day.day}日"


def _yen(amount: int | str) -> str:
    return f"{int(amount):,}円"


TITLE = ParagraphStyle("title", fontName=GOTHIC, fontSize=15, leading=20)
BODY = ParagraphStyle("body", fontName=MINCHO, fontSize=9.5, leading=14)
HEAD = ParagraphStyle("head", fontName=GOTHIC, fontSize=11, leading=16, spaceBefore=6)


def render_notice(
    stored: StoredAssessment, explanation: dict[str, Any], householder: str, issued: date
) -> bytes:
    _fonts()
    correction = stored.revision > 1
    kind = "国民健康保険料 変更（更正）通知書" if correction else "国民健康保険料 納入通知書"
    story = _heading(stored, kind, householder, issued)
    story += [Paragraph("保険料の内訳（年額）", HEAD), _components(stored)]
    story += [Paragraph("各期の納付額", HEAD), _instalments(stored, correction)]
    story += [
        Paragraph("算定の明細（年度当初の状態）", HEAD),
        _table(_detail(explanation), [48, 24, 26, 14, 44, 22], size=7.5),
        Spacer(1, 3 * mm),
        Paragraph(
            "所得割は前年の総所得金額等から基礎控除43万円を引いた額（旧ただし書き所得）に料率を掛けて"
            "算定しています。年度の途中で加入・脱退があった場合は月割で算定しています。",
            BODY,
        ),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=kind,
    ).build(story)
    return buffer.getvalue()


def _heading(stored: StoredAssessment, kind: str, householder: str, issued: date) -> list[Any]:
    story: list[Any] = [
        Paragraph(f"{_era(stored.fiscal_year)} {kind}", TITLE),
        Spacer(1, 4 * mm),
        Paragraph(
            f"国保世帯番号 {stored.nhi_household_number}　世帯主（宛名番号）{householder} 様",
            BODY,
        ),
        Paragraph(f"通知日 {_wareki(issued)}　第{stored.revision}回賦課", BODY),
        Spacer(1, 3 * mm),
        Paragraph(
            f"年間保険料 <font name='{GOTHIC}' size='13'>{_yen(stored.annual_amount)}</font>"
            + (
                f"（減免額 {_yen(stored.reduction_exemption_amount)}）"
                if stored.reduction_exemption_amount
                else ""
            ),
            BODY,
        ),
    ]
    if stored.statutory_reduction:
        story.append(
            Paragraph(f"均等割・平等割は{stored.statutory_reduction}割軽減されています。", BODY)
        )
    return story


def _components(stored: StoredAssessment) -> Table:
    rows: list[list[str]] = [["区分", "所得割", "均等割", "平等割", "月数", "保険料"]]
    for c in stored.components:
        rows.append(
            [
                COMPONENT_NAMES.get(c["component"], c["component"]),
                _yen(c["income_levy"]),
                _yen(c["per_capita_levy"]),
                _yen(c["per_household_levy"]),
                f"{c['months']}か月",
                _yen(c["amount"]),
            ]
        )
    rows.append(["合計", "", "", "", "", _yen(stored.annual_amount)])
    return _table(rows, [42, 26, 26, 26, 16, 28])


def _instalments(stored: StoredAssessment, correction: bool) -> Table:
    rows = [["期別", "納期限", "納付額"] + (["変更額"] if correction else [])]
    for i in stored.instalments:
        row = [f"第{i['period']}期", _wareki(date.fromisoformat(i["due_date"])), _yen(i["amount"])]
        if correction:
            row.append(f"{int(i['difference']):+,}円")
        rows.append(row)
    return _table(rows, [20, 45, 30] + ([30] if correction else []))


def _detail(explanation: dict[str, Any]) -> list[list[str]]:
    detail = [["区分", "対象", "算定基礎", "率", "軽減・減免", "金額"]]
    for component in explanation.get("components", []):
        segments = component.get("segments", [])
        if not segments:
            continue
        for line in segments[0]["lines"]:
            reductions = "、".join(
                REDUCTION_NAMES.get(r["name"], r["name"]) for r in line["reductions"]
            )
            detail.append(
                [
                    COMPONENT_NAMES.get(component["component"], component["component"])
                    + LEVY_NAMES.get(line["levy"], line["levy"]),
                    line["addressee_number"] or "世帯",
                    _yen(line["base"]),
                    f"{Decimal(line['rate']) * 100:.2f}%" if line["rate"] else "",
                    reductions,
                    _yen(int(Decimal(line["net"]))),
                ]
            )
    return detail


def _table(rows: list[list[str]], widths_mm: list[int], size: float = 9) -> Table:
    table = Table(rows, colWidths=[w * mm for w in widths_mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), MINCHO, size),
                ("FONT", (0, 0), (-1, 0), GOTHIC, size),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    return table
