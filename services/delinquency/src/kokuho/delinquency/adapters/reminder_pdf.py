"""The reminder letter (催告書) with its payment slip (納付書), a Japanese PDF on the platform's
renderer (embedded subset fonts, PDF/A-2B; ADR 0008). Addressed to the householder by NHI
household number: names and addresses live in eligibility, and the mailing step joins them."""

from __future__ import annotations

from datetime import date

from kokuho.delinquency.domain.model import Case, Letter
from kokuho.platform.documents import Face, Sheet

BODY = 9.5
TITLE = "国民健康保険料 催告書"


def _wareki(d: date) -> str:
    return f"令和{d.year - 2018}年{d.month}月{d.day}日"


def _yen(amount: int) -> str:
    return f"{amount:,}円"


def _arrears(sheet: Sheet, case: Case) -> None:
    rows = [["年度", "期別", "納期限", "未納額", "延滞金"]]
    for a in sorted(case.arrears, key=lambda a: a.key):
        if a.outstanding or a.late_charge:
            rows.append(
                [
                    f"令和{a.fiscal_year - 2018}年度",
                    f"第{a.period}期",
                    _wareki(a.due_date),
                    _yen(a.outstanding),
                    _yen(a.late_charge),
                ]
            )
    sheet.table(rows, [30, 18, 38, 34, 30])


def _slip(sheet: Sheet, case: Case, letter: Letter) -> None:
    sheet.space(6)
    sheet.line(
        "- - - - - - - - - - - - - - - - き り と り - - - - - - - - - - - - - - - -", size=8
    )
    sheet.line("国民健康保険料 納付書（催告分）", face=Face.HEADING, size=12, gap=2)
    total = letter.billed_unpaid + letter.billed_late_charge
    sheet.table(
        [
            ["国保世帯番号", "保険料", "延滞金", "合計", "納付指定日", "確認番号"],
            [
                case.household,
                _yen(letter.billed_unpaid),
                _yen(letter.billed_late_charge),
                _yen(total),
                _wareki(letter.pay_by),
                letter.letter_id[:12],
            ],
        ],
        [30, 28, 26, 28, 36, 30],
    )


def render_reminder(case: Case, letter: Letter) -> bytes:
    sheet = Sheet(TITLE)
    sheet.new_page()
    sheet.line(TITLE, face=Face.HEADING, size=15, gap=4)
    sheet.line(f"国保世帯番号 {case.household}　世帯主 様", size=BODY)
    sheet.line(f"発行日 {_wareki(letter.issued_on)}　文書番号 {letter.letter_id}", size=BODY, gap=3)
    sheet.paragraph(
        "督促状により納付をお願いしました下記の国民健康保険料が、まだ納付されていません。"
        f"{_wareki(letter.pay_by)}までに、下の納付書により納付してください。"
        "納付がない場合は、地方税の滞納処分の例により財産の差押え等の処分を行うことがあります"
        "（国民健康保険法第79条の2、地方自治法第231条の3）。"
        "納付が困難な事情がある場合は、納付指定日までにご相談ください。",
        size=BODY,
    )
    sheet.space(2)
    _arrears(sheet, case)
    _slip(sheet, case, letter)
    return sheet.output()
