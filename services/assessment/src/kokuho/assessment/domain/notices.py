"""通知書番号: the number of each notice assessment issues (納入通知書 for the first assessment
of a household and year, 変更通知書 for each correction), printed on the notice and carried by
``PremiumAssessed`` so that collection can tell which notice a payment answers (ADR 0037).

18 digits: fiscal year (4), NHI household number (10), revision (3) and the modulus-10 check
digit of the 納付番号 (GS1 weights). Derived from what identifies the notice, so it is unique
without a numbering table and the same however often the notice is printed. Pure: no I/O.
"""

from __future__ import annotations

from kokuho.events.contracts.payment_numbers import check_digit

MAX_REVISION = 999


def notice_number(fiscal_year: int, household: str, revision: int) -> str:
    """The 通知書番号 of revision ``revision`` of a household's assessment for a year."""
    if not 2000 <= fiscal_year <= 2100 or not 1 <= revision <= MAX_REVISION:
        raise ValueError("a notice number takes a year 2000-2100 and a revision 1-999")
    body = f"{fiscal_year:04d}{household}{revision:03d}"
    if len(body) != 17 or not body.isdigit():
        raise ValueError("a notice number takes a 10-digit household number")
    return body + str(check_digit(body))


def notice_kind(revision: int) -> str:
    """納入通知書 for the first assessment, 変更通知書 for a correction."""
    return "payment_notice" if revision == 1 else "change_notice"
