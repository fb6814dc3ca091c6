"""The printed documents of collection as Japanese PDFs, on the platform's renderer (embedded
subset fonts, PDF/A-2B; ADR 0008): the dunning notice (督促状, 地方自治法231条の3(1)) and the
過誤納金還付・充当通知書 (rules.md §4.4). Addressed to the householder by NHI household number:
names and addresses live in eligibility, and the mailing step joins them."""

from __future__ import annotations

from datetime import date
from typing import Any

from kokuho.collection.app.ports import Document
from kokuho.platform.documents import Face, Sheet

BODY, HEAD = 9.5, 11.0
ACCOUNT_TYPES = {"ordinary": "普通", "current": "当座", "savings": "貯蓄"}


def _wareki(day: date | str) -> str:
    d = date.fromisoformat(day) if isinstance(day, str) else day
    return f"令和{d.year - 2018}年{d.month}月{d.day}日"


def _era(fiscal_year: int) -> str:
    return f"令和{fiscal_year - 2018}年度"


def _yen(amount: int) -> str:
    return f"{amount:,}円"


def _heading(sheet: Sheet, title: str, document: Document) -> None:
    sheet.new_page()
    sheet.line(title, face=Face.HEADING, size=15, gap=4)
    sheet.line(f"国保世帯番号 {document.household}　世帯主 様", size=BODY)
    sheet.line(
        f"発行日 {_wareki(document.issued_on)}　文書番号 {document.document_id}", size=BODY, gap=3
    )


def draw_dunning(sheet: Sheet, document: Document) -> None:
    c = document.content
    _heading(sheet, "国民健康保険料 督促状", document)
    sheet.paragraph(
        "下記の国民健康保険料が納期限までに納付されていません。指定期限までに納付してください。"
        "指定期限までに納付がない場合は、地方税の滞納処分の例により財産の差押え等の処分を行う"
        "ことがあります（国民健康保険法第79条の2、地方自治法第231条の3）。",
        size=BODY,
    )
    sheet.space(2)
    rows = [
        ["年度", "期別", "納期限", "未納額", "督促手数料", "指定期限"],
        [
            _era(c["fiscal_year"]),
            f"第{c['period']}期",
            _wareki(c["due_date"]),
            _yen(c["outstanding"]),
            _yen(c["fee"]),
            _wareki(c["designated_deadline"]),
        ],
    ]
    sheet.table(rows, [26, 16, 36, 30, 26, 36])
    sheet.space(2)
    sheet.paragraph(
        "納期限の翌日から納付の日までの期間に応じて延滞金が加算されることがあります。"
        "延滞金は別途お知らせします。",
        size=BODY,
    )


def _applied_rows(items: list[dict[str, Any]], kind: str) -> list[list[str]]:
    return [[_era(a["fiscal_year"]), f"第{a['period']}期", kind, _yen(a["amount"])] for a in items]


def draw_refund(sheet: Sheet, document: Document) -> None:
    c = document.content
    _heading(sheet, "国民健康保険料 過誤納金還付・充当通知書", document)
    sheet.paragraph(
        "納付された国民健康保険料に過誤納金が生じましたので、下記のとおり未納の保険料等に充当し、"
        "残額を還付します（地方税法第17条・第17条の2の例）。還付加算金は納付日の翌日から還付決定日"
        "までの期間について計算しています（地方税法第17条の4）。",
        size=BODY,
    )
    sheet.space(2)
    sheet.line("充当の内訳", face=Face.HEADING, size=HEAD)
    rows = [["年度", "期別", "区分", "充当額"]]
    rows += _applied_rows(c["principal"], "保険料")
    rows += _applied_rows(c["late_charge"], "延滞金")
    if len(rows) == 1:
        rows.append(["", "", "充当なし", _yen(0)])
    sheet.table(rows, [30, 20, 30, 34])
    sheet.line("還付の内訳", face=Face.HEADING, size=HEAD)
    sheet.table(
        [
            ["還付金額", "還付加算金", "合計"],
            [_yen(c["refund"]), _yen(c["interest"]), _yen(c["refund"] + c["interest"])],
        ],
        [40, 40, 40],
    )
    account = c.get("account")
    if account and c["refund"]:
        masked = "*" * 3 + account["account_number"][-4:]
        sheet.line(
            f"振込先 金融機関コード {account['bank_code']} 支店コード {account['branch_code']}"
            f" {ACCOUNT_TYPES.get(account['account_type'], '')} {masked}",
            size=BODY,
        )
    elif c["refund"]:
        sheet.paragraph("還付請求書に振込先口座を記入して提出してください。", size=BODY)


DRAW = {"dunning_notice": draw_dunning, "refund_appropriation_notice": draw_refund}
TITLES = {
    "dunning_notice": "国民健康保険料 督促状",
    "refund_appropriation_notice": "国民健康保険料 過誤納金還付・充当通知書",
}


def render(document: Document) -> bytes:
    sheet = Sheet(TITLES[document.kind])
    DRAW[document.kind](sheet, document)
    return sheet.output()
