"""The 療養費 支給決定通知書 (or 不支給決定通知書) as a Japanese PDF on the platform's renderer
(kokuho.platform.documents), addressed by numbers (names join in the mailing step)."""

from __future__ import annotations

from datetime import date

from kokuho.benefits.domain import medical_expense as me
from kokuho.platform.documents import Face, Sheet

NAMES = {
    me.MedicalExpenseKind.ORTHOSIS: "療養費（補装具）",
    me.MedicalExpenseKind.JUDO_THERAPY: "療養費（柔道整復）",
    me.MedicalExpenseKind.ACUPUNCTURE: "療養費（はり・きゅう）",
    me.MedicalExpenseKind.OVERSEAS: "海外療養費",
    me.MedicalExpenseKind.SPECIAL_CARE: "特別療養費",
}
BODY = 9.5


def _wareki(day: date) -> str:
    return f"令和{day.year - 2018}年{day.month}月{day.day}日"


def render_medical_expense_notice(state: me.MedicalExpense, issued: date) -> bytes:
    a = state.application
    approved = state.status == "approved"
    title = f"国民健康保険 {NAMES[a.kind]} {'支給決定' if approved else '不支給決定'}通知書"
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
        ["療養を受けた日", _wareki(a.care_from)],
        ["お支払いの日", _wareki(a.paid_on)],
        ["お支払いの額", f"{a.paid_amount:,}円"],
    ]
    if approved:
        rows += [
            ["保険診療の基準額", f"{state.allowed_cost:,}円"],
            ["一部負担割合", f"{state.rate_percent // 10}割"],
            ["支給額", f"{state.amount:,}円"],
        ]
    else:
        rows += [["理由", state.reason]]
    sheet.table(rows, [70, 100], right_from=2)
    if approved and a.kind is me.MedicalExpenseKind.SPECIAL_CARE:
        sheet.paragraph(
            "特別療養費は、お支払いいただいた費用（10割）から一部負担金を差し引いた額です。"
            "滞納している保険料がある場合は、支給額を保険料に充当することがあります。",
            size=BODY,
        )
    sheet.paragraph(
        "ご指定の口座にお振り込みします。口座の名義・番号はこの通知に印字していません。"
        if approved
        else "この決定に不服がある場合は、広島県国民健康保険審査会に審査請求ができます。",
        size=BODY,
    )
    return sheet.output()
