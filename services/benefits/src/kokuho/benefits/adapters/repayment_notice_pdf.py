"""The 返納金 納入通知書 (不当利得返還請求) as a Japanese PDF on the platform's renderer, addressed
by numbers (names join in the mailing step)."""

from __future__ import annotations

from datetime import date

from kokuho.benefits.domain import repayment as rp
from kokuho.platform.documents import Face, Sheet

BODY = 9.5


def _wareki(day: date) -> str:
    return f"令和{day.year - 2018}年{day.month}月{day.day}日"


def render_repayment_notice(state: rp.Repayment, issued: date) -> bytes:
    assert state.due_date is not None
    title = "国民健康保険 返納金納入通知書"
    sheet = Sheet(title)
    sheet.new_page()
    sheet.line(title, face=Face.HEADING, size=15, gap=4)
    who = f"納入義務者（宛名番号）{state.addressee_number}"
    sheet.line(f"国保世帯番号 {state.nhi_household_number}　{who}", size=BODY)
    sheet.line(f"通知日 {_wareki(issued)}", size=BODY, gap=3)
    sheet.paragraph(
        f"あなたは{_wareki(state.loss_date)}に国民健康保険の資格を喪失しましたが、その後に"
        "国民健康保険の被保険者証等で受診されたため、保険者が負担した医療費（不当利得）の"
        "返納をお願いします。",
        size=BODY,
    )
    rows = [["診療年月", "件数", "保険者負担額"]]
    months: dict[date, list[rp.TargetClaim]] = {}
    for c in state.claims:
        months.setdefault(c.treatment_month, []).append(c)
    for month, claims in sorted(months.items()):
        rows.append(
            [
                f"令和{month.year - 2018}年{month.month}月",
                f"{len(claims)}件",
                f"{sum(c.insurer_share for c in claims):,}円",
            ]
        )
    sheet.table(rows, [60, 30, 60], right_from=1)
    sheet.line(f"返納金額 {state.amount:,}円", face=Face.HEADING, size=12, gap=2)
    sheet.line(f"納期限 {_wareki(state.due_date)}", size=BODY, gap=3)
    sheet.paragraph(
        "喪失後に加入した医療保険者へ療養費として請求できる場合があります。"
        "この処分に不服がある場合は、広島県国民健康保険審査会に審査請求ができます。",
        size=BODY,
    )
    return sheet.output()
