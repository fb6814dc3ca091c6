"""The premium notice (納入通知書) and the correction notice (変更通知書) as a Japanese PDF, on the
platform's document renderer (embedded subset fonts, PDF/A-2B; ADR 0008). Addressed to the
householder by addressee number: names and addresses live in eligibility, and the mailing step
that joins them passes ``MailTo`` (printed in the address window exactly as entered)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from kokuho.assessment.app.ports import StoredAssessment
from kokuho.assessment.domain.notices import notice_number
from kokuho.events.contracts.payment_numbers import payment_number
from kokuho.platform.documents import Face, Sheet

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


def _era(fiscal_year: int) -> str:
    reiwa = fiscal_year - 2018
    return "令和元年度" if reiwa == 1 else f"令和{reiwa}年度"


def _wareki(day: date) -> str:
    return f"令和{day.year - 2018}年{day.month}月{day.day}日"


def _yen(amount: int | str) -> str:
    return f"{int(amount):,}円"


@dataclass(frozen=True)
class MailTo:
    """The householder's name and address from eligibility, for the mailing step's print run."""

    name: str
    address: str
    postal_code: str | None = None


BODY, HEAD = 9.5, 11.0


def render_notice(
    stored: StoredAssessment,
    explanation: dict[str, Any],
    householder: str,
    issued: date,
    mail_to: MailTo | None = None,
) -> bytes:
    sheet = Sheet(_kind(stored))
    draw_notice(sheet, stored, explanation, householder, issued, mail_to)
    return sheet.output()


def _kind(stored: StoredAssessment) -> str:
    correction = stored.revision > 1
    return "国民健康保険料 変更（更正）通知書" if correction else "国民健康保険料 納入通知書"


def draw_notice(
    sheet: Sheet,
    stored: StoredAssessment,
    explanation: dict[str, Any],
    householder: str,
    issued: date,
    mail_to: MailTo | None = None,
) -> None:
    """One notice on new pages of ``sheet`` (a print file holds many)."""
    correction = stored.revision > 1
    sheet.new_page()
    if mail_to is not None:
        _address(sheet, mail_to)
    _heading(sheet, stored, _kind(stored), householder, issued)
    sheet.line("保険料の内訳（年額）", face=Face.HEADING, size=HEAD)
    sheet.table(_components(stored), [42, 26, 26, 26, 16, 28])
    sheet.line("各期の納付額", face=Face.HEADING, size=HEAD)
    sheet.table(_instalments(stored, correction), [18, 40, 30, 44] + ([28] if correction else []))
    sheet.line("算定の明細（年度当初の状態）", face=Face.HEADING, size=HEAD)
    sheet.table(_detail(explanation), [48, 24, 26, 14, 44, 22], size=7.5)
    sheet.space(1)
    sheet.paragraph(
        "所得割は前年の総所得金額等から基礎控除43万円を引いた額（旧ただし書き所得）に料率を掛けて"
        "算定しています。年度の途中で加入・脱退があった場合は月割で算定しています。",
        size=BODY,
    )


def _address(sheet: Sheet, mail_to: MailTo) -> None:
    """The address window of a window envelope (長形3号): postal code, address, name 様."""
    if mail_to.postal_code:
        sheet.line(f"〒{mail_to.postal_code}", size=BODY, gap=0.5)
    sheet.line(mail_to.address, size=BODY, gap=1)
    sheet.line(f"{mail_to.name}　様", face=Face.NAME, size=12, gap=4)


def _heading(
    sheet: Sheet, stored: StoredAssessment, kind: str, householder: str, issued: date
) -> None:
    sheet.line(f"{_era(stored.fiscal_year)} {kind}", face=Face.HEADING, size=15, gap=4)
    sheet.line(
        f"国保世帯番号 {stored.nhi_household_number}　世帯主（宛名番号）{householder} 様",
        size=BODY,
    )
    number = notice_number(stored.fiscal_year, stored.nhi_household_number, stored.revision)
    sheet.line(f"通知書番号 {number}", size=BODY)
    # the issue date is the assessment's day; a row from before it was stored: the print day
    sheet.line(
        f"通知日 {_wareki(stored.notice_issued_on or issued)}　第{stored.revision}回賦課",
        size=BODY,
        gap=3,
    )
    y = sheet.y
    x = sheet.text(sheet.margin, y, "年間保険料 ", size=BODY, height=6)
    x = sheet.text(x, y, _yen(stored.annual_amount), face=Face.HEADING, size=13, height=6)
    if stored.reduction_exemption_amount:
        sheet.text(
            x, y, f"（減免額 {_yen(stored.reduction_exemption_amount)}）", size=BODY, height=6
        )
    sheet.space(7.5)
    if stored.statutory_reduction:
        sheet.line(f"均等割・平等割は{stored.statutory_reduction}割軽減されています。", size=BODY)


def _components(stored: StoredAssessment) -> list[list[str]]:
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
    return rows


def _instalments(stored: StoredAssessment, correction: bool) -> Sequence[Sequence[str]]:
    rows = [["期別", "納期限", "納付額", "納付番号"] + (["変更額"] if correction else [])]
    for i in stored.instalments:
        row = [
            f"第{i['period']}期",
            _wareki(date.fromisoformat(i["due_date"])),
            _yen(i["amount"]),
            # the 納付番号 banks and convenience stores report a payment with (older stored
            # assessments have none: derived the same way)
            i.get("payment_number")
            or payment_number(stored.fiscal_year, stored.nhi_household_number, i["period"]),
        ]
        if correction:
            row.append(f"{int(i['difference']):+,}円")
        rows.append(row)
    return rows


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
