"""The 高額介護合算療養費 支給決定通知書 (or 不支給決定通知書) as a Japanese PDF on the platform's
renderer, addressed by numbers (names join in the mailing step)."""

from __future__ import annotations

from datetime import date

from kokuho.benefits.domain import combined_care as cc
from kokuho.platform.documents import Face, Sheet

BODY = 9.5


def _wareki(day: date) -> str:
    return f"令和{day.year - 2018}年{day.month}月{day.day}日"


def render_combined_care_notice(state: cc.CombinedCare, issued: date) -> bytes:
    a = state.application
    c = a.calculation
    start, end = cc.period_of(a.year)
    paid = state.status == "approved" and c.excess > 0
    title = f"国民健康保険 高額介護合算療養費 {'支給決定' if paid else '不支給決定'}通知書"
    sheet = Sheet(title)
    sheet.new_page()
    sheet.line(title, face=Face.HEADING, size=15, gap=4)
    sheet.line(
        f"国保世帯番号 {a.nhi_household_number}　受取人（宛名番号）{a.payee_addressee_number}",
        size=BODY,
    )
    sheet.line(f"通知日 {_wareki(issued)}", size=BODY, gap=3)
    rows = [
        ["項目", "内容"],
        ["計算期間", f"{_wareki(start)}〜{_wareki(end)}"],
        ["医療保険の自己負担額", f"{c.medical_total:,}円"],
        ["介護保険の自己負担額", f"{c.ltc_total:,}円"],
    ]
    if paid:
        rows += [
            ["支給額（合計）", f"{c.excess:,}円"],
            ["うち国民健康保険の支給額", f"{c.medical_share:,}円"],
            ["うち介護保険の支給額", f"{c.ltc_share:,}円"],
        ]
    else:
        rows += [["理由", state.reason or "基準額を超える額が500円以下のため"]]
    sheet.table(rows, [70, 100], right_from=2)
    sheet.paragraph(
        "国民健康保険の支給額はご指定の口座にお振り込みします。介護保険の支給額は介護保険者から"
        "支給されます。口座の名義・番号はこの通知に印字していません。"
        if paid
        else "この決定に不服がある場合は、広島県国民健康保険審査会に審査請求ができます。",
        size=BODY,
    )
    return sheet.output()
