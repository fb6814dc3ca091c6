"""Japanese PDF of an issued document, on the platform's document renderer (embedded subset
fonts, PDF/A-2B; the name printed exactly as entered, ADR 0008).

The layout is ours: the standard 帳票 layouts were not retrieved (rules.md section 1,
UNCONFIRMED); the items printed follow data-items.md NHI-Q and NHI-O."""

from __future__ import annotations

from datetime import date
from typing import Any

from kokuho.platform.documents import Face, Sheet

TITLES = {
    "eligibility_confirmation_document": "国民健康保険資格確認書",
    "eligibility_information_notice": "資格情報のお知らせ",
    "elderly_recipient_certificate": "国民健康保険高齢受給者証",
    "limit_certificate": "限度額適用認定証",
    "standard_burden_reduction_certificate": "標準負担額減額認定証",
    "specified_disease_certificate": "特定疾病療養受療証",
}
SEX = {"male": "男", "female": "女"}


def wareki(day: date | None) -> str:
    """A date in the Japanese era calendar as printed on cards (令和 from 2019-05-01)."""
    if day is None:
        return "定めなし"
    eras = ((date(2019, 5, 1), "令和"), (date(1989, 1, 8), "平成"), (date(1926, 12, 25), "昭和"))
    for start, name in eras:
        if day >= start:
            year = day.year - start.year + 1
            return f"{name}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def title_of(cert: dict[str, Any]) -> str:
    title = str(TITLES.get(cert["kind"], cert["kind"]))
    return title + "（特別療養費）" if cert.get("special_care") else title


def render_certificate(cert: dict[str, Any]) -> bytes:
    sheet = Sheet(title_of(cert))
    draw_certificate(sheet, cert)
    return sheet.output()


def draw_certificate(sheet: Sheet, cert: dict[str, Any]) -> None:
    """One certificate on a new page of ``sheet`` (a print file holds many)."""
    title = title_of(cert)
    sheet.new_page()
    sheet.text(0, 24, title, face=Face.HEADING, size=18, width=210, align="C")
    y = 44.0
    for label, value in _rows(cert):
        sheet.text(25, y, label, face=Face.HEADING, size=10)
        face = Face.NAME if label in NAMED else Face.TEXT
        sheet.text(65, y, value, face=face, size=11)
        y += 9
    sheet.text(25, 263, "保険者  広島市", size=10)
    sheet.text(25, 269, "この書面は医療機関等の窓口で提示してください。", size=10)


#: rows whose value is a person's name: drawn in the names' face (IPAmj明朝, MJ文字)
NAMED = frozenset({"氏名", "世帯主氏名"})


def _rows(cert: dict[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = [
        ("記号・番号", f"{cert.get('card_symbol') or ''} {cert['nhi_household_number']}"),
        ("被保険者番号", cert["insured_number"]),
        ("氏名", cert.get("name") or ""),
        ("フリガナ", cert.get("name_kana") or ""),
        ("性別", SEX.get(cert.get("sex") or "", "")),
        ("生年月日", wareki(cert.get("birth_date"))),
        ("住所", f"〒{cert['postal_code']} " if cert.get("postal_code") else ""),
        ("", cert.get("address") or ""),
        ("世帯主氏名", cert.get("householder_name") or ""),
        ("交付年月日", wareki(cert["issue_date"])),
        ("有効期間", f"{wareki(cert['valid_from'])} から {wareki(cert.get('valid_until'))} まで"),
    ]
    if cert.get("copayment_rate_tenths"):
        rows.append(("一部負担金の割合", f"{cert['copayment_rate_tenths']}割"))
    if cert.get("special_care"):
        # 資格確認書(特別療養費): 10割 at the counter, the insurer's share paid back on request
        rows.append(("特別療養費", "対象（窓口で医療費の全額をお支払いください）"))
    if cert.get("limit_category"):
        rows.append(("適用区分", str(cert["limit_category"])))
    if cert.get("long_term"):
        rows.append(("長期該当", "該当"))
    if cert.get("disease_name"):
        rows.append(("認定疾病名", str(cert["disease_name"])))
    if cert.get("copayment_limit_yen") is not None:
        rows.append(("自己負担限度額", f"{cert['copayment_limit_yen']:,}円"))
    if cert.get("collected_date"):
        rows.append(("回収", wareki(cert["collected_date"])))
    return rows
