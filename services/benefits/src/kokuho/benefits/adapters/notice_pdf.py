"""The 高額療養費 notices as Japanese PDFs on the platform's renderer (ADR 0008): the 支給決定
通知書 of a paid decision, and the 支給申請のお知らせ (申請勧奨) of a decision awaiting the
household's application. Addressed by household and addressee numbers: names and addresses are
eligibility's and join in the mailing step, as for assessment's notices."""

from __future__ import annotations

from datetime import date

from kokuho.benefits.domain import high_cost_decision as hc
from kokuho.benefits.domain.high_cost.limits import LABELS
from kokuho.platform.documents import Face, Sheet

BODY, HEAD = 9.5, 11.0


def _wareki(day: date) -> str:
    return f"令和{day.year - 2018}年{day.month}月{day.day}日"


def _month(day: date) -> str:
    return f"令和{day.year - 2018}年{day.month}月"


def _yen(amount: int) -> str:
    return f"{amount:,}円"


def kind_of(decision: hc.HighCostDecision) -> str:
    if decision.paid > 0:
        return "国民健康保険 高額療養費 支給決定通知書"
    return "国民健康保険 高額療養費 支給申請のお知らせ"


def render_notice(
    decision: hc.HighCostDecision, payments: list[hc.PaymentOrdered], issued: date
) -> bytes:
    sheet = Sheet(kind_of(decision))
    draw_notice(sheet, decision, payments, issued)
    return sheet.output()


def draw_notice(
    sheet: Sheet, decision: hc.HighCostDecision, payments: list[hc.PaymentOrdered], issued: date
) -> None:
    """One notice on new pages of ``sheet`` (a print file holds many)."""
    o = decision.outcome
    sheet.new_page()
    sheet.line(kind_of(decision), face=Face.HEADING, size=15, gap=4)
    sheet.line(f"国保世帯番号 {decision.nhi_household_number}", size=BODY)
    sheet.line(
        f"通知日 {_wareki(issued)}　診療月 {_month(decision.treatment_month)}"
        f"　第{decision.revision}回決定",
        size=BODY,
        gap=3,
    )
    categories = [
        LABELS[c.value] for c in (decision.under_70_category, decision.elderly_category) if c
    ]
    sheet.line(
        f"支給額 {_yen(o.benefit)}　（所得区分 {'・'.join(categories)}"
        f"{'、多数回該当' if o.many_times else ''}）",
        face=Face.HEADING,
        size=HEAD,
        gap=3,
    )
    sheet.line("受診者ごとの内訳", face=Face.HEADING, size=HEAD)
    rows = [["受診者（宛名番号）", "一部負担金", "支給額"]]
    rows += [[p, _yen(s), _yen(b)] for p, s, b in o.persons]
    rows.append(["世帯計", _yen(o.self_pay_total), _yen(o.benefit)])
    sheet.table(rows, [70, 50, 50])
    sheet.line("適用した自己負担限度額", face=Face.HEADING, size=HEAD)
    sheet.table(
        [["区分", "算式", "限度額"]] + [[n, f, _yen(a)] for n, f, a in o.limits], [60, 80, 40]
    )
    if payments:
        sheet.line("お支払い", face=Face.HEADING, size=HEAD)
        sheet.table(
            [["支払予定日", "金額"]]
            + [[_wareki(p.payment_date), _yen(p.amount)] for p in payments],
            [60, 50],
        )
        sheet.paragraph(
            "ご指定の口座にお振り込みします。口座の名義・番号はこの通知に印字していません。",
            size=BODY,
        )
    else:
        sheet.paragraph(
            "高額療養費の支給対象となる診療がありました。支給を受けるには、振込先口座を記入した"
            "支給申請書を国民健康保険の窓口へ提出してください。一度申請された後は、以後の月の"
            "高額療養費も同じ口座へお振り込みします。",
            size=BODY,
        )
