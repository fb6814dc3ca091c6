"""The 葬祭費 / 出産育児一時金 支給決定通知書 (or 不支給決定通知書) as a Japanese PDF on the
platform's renderer (ADR 0008), addressed by numbers (names join in the mailing step)."""

from __future__ import annotations

from datetime import date

from kokuho.benefits.domain import lump_sum as ls
from kokuho.platform.documents import Face, Sheet

NAMES = {ls.LumpSumKind.FUNERAL: "葬祭費", ls.LumpSumKind.CHILDBIRTH: "出産育児一時金"}
BODY = 9.5


def _wareki(day: date) -> str:
    return f"令和{day.year - 2018}年{day.month}月{day.day}日"


def render_lump_sum_notice(state: ls.LumpSum, issued: date, payment_date: date | None) -> bytes:
    a = state.application
    name = NAMES[a.kind]
    approved = state.status == "approved"
    title = f"国民健康保険 {name} {'支給決定' if approved else '不支給決定'}通知書"
    sheet = Sheet(title)
    sheet.new_page()
    sheet.line(title, face=Face.HEADING, size=15, gap=4)
    sheet.line(
        f"国保世帯番号 {a.nhi_household_number}　受取人（宛名番号）{a.payee_addressee_number}",
        size=BODY,
    )
    sheet.line(f"通知日 {_wareki(issued)}", size=BODY, gap=3)
    what = "死亡年月日" if a.kind is ls.LumpSumKind.FUNERAL else "出産日"
    rows = [["項目", "内容"], [what, _wareki(a.event_date)]]
    if approved:
        rows += [["支給額", f"{state.amount:,}円"]]
        if state.to_institution:
            rows += [["医療機関等へ直接支払済み", f"{state.to_institution:,}円"]]
        rows += [["お振込みする額", f"{state.to_household:,}円"]]
        if payment_date and state.to_household:
            rows += [["支払予定日", _wareki(payment_date)]]
    else:
        rows += [["理由", state.reason]]
    sheet.table(rows, [70, 100], right_from=2)
    sheet.paragraph(
        "ご指定の口座にお振り込みします。口座の名義・番号はこの通知に印字していません。"
        if approved
        else "この決定に不服がある場合は、広島県国民健康保険審査会に審査請求ができます。",
        size=BODY,
    )
    return sheet.output()
