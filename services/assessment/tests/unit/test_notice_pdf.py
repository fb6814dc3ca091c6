"""The notice PDF (on the platform's renderer) shows the amounts, the instalments and the
explanation; mailed to a householder named outside the BMP and with a variation sequence, the
name comes back from the text layer as entered, every font is an embedded subset, the page
rasterises without system fonts and veraPDF finds it PDF/A-2B (issue 18)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from uuid import uuid4

from kokuho.assessment.adapters.notice_pdf import MailTo, render_notice
from kokuho.assessment.app.assessing import compute
from kokuho.assessment.app.ports import StoredAssessment
from kokuho.assessment.domain.household import Household, Income, Person
from kokuho.assessment.domain.notices import notice_number
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.events.contracts.payment_numbers import payment_number
from kokuho.platform.documents import checks


def stored_for(params: PremiumParameters, revision: int) -> tuple[StoredAssessment, dict]:  # type: ignore[type-arg]
    member = Person("9910000001", date(1980, 5, 5), Income(salary_income=2_000_000))
    computed = compute(Household("9900000001", "9910000001", (member,)), params)
    instalments = [
        {
            "period": n,
            "due_date": f"2026-{n + 5:02d}-30" if n < 8 else "2027-03-31",
            "amount": 31_600,
            "difference": -100 if revision > 1 else 0,
        }
        for n in range(1, 11)
    ]
    stored = StoredAssessment(
        "9900000001",
        2026,
        revision,
        uuid4(),
        computed.annual_amount,
        0,
        0,
        computed.components,
        computed.explanation,
        "request",
        "U",
        instalments,
    )
    return stored, computed.explanation or {}


def notice_lines(pdf: bytes) -> list[str]:
    """The notice's text layer, one drawn line per entry (pdftotext -raw: table cells of a row
    on one line, separated by spaces)."""
    return [line for line in checks.text_of(pdf).splitlines() if line.strip("\x0c")]


def test_notice_shows_householder_amounts_instalments_and_explanation(
    fy2026: PremiumParameters,
) -> None:
    stored, explanation = stored_for(fy2026, 1)
    text = notice_lines(render_notice(stored, explanation, "9910000001", date(2026, 6, 10)))
    assert text[0] == "令和8年度 国民健康保険料 納入通知書"
    assert "世帯主（宛名番号）9910000001 様" in text[1]  # addressed to the householder
    assert "9900000001" in text[1]
    assert text[2] == f"通知書番号 {notice_number(2026, '9900000001', 1)}"
    assert "通知日 令和8年6月10日" in text[3]  # a row from before the issue date was stored
    assert text[4] == f"年間保険料 {stored.annual_amount:,}円"
    assert not any("変更額" in line for line in text)  # a first notice has no difference column
    table = text.index("各期の納付額")
    first_slip = payment_number(2026, "9900000001", 1)
    assert text[table + 1 : table + 3] == [
        "期別 納期限 納付額 納付番号",
        f"第1期 令和8年6月30日 31,600円 {first_slip}",
    ]
    # every instalment's 納付番号, the one collection matches a bank's payment by
    for n in range(1, 11):
        assert (
            sum(
                line.endswith(f" 31,600円 {payment_number(2026, '9900000001', n)}") for line in text
            )
            == 1
        )
    # the explanation: per component and levy, the base and the rate (医療分 所得割 8.18%)
    start = text.index("算定の明細（年度当初の状態）")
    medical = next(line for line in text[start:] if line.startswith("医療分所得割"))
    assert medical.split()[1:4] == ["9910000001", "1,570,000円", "8.18%"]


def test_correction_notice_differs_from_the_first(fy2026: PremiumParameters) -> None:
    first, explanation = stored_for(fy2026, 1)
    second, _ = stored_for(fy2026, 2)
    a = notice_lines(render_notice(first, explanation, "9910000001", date(2026, 6, 10)))
    text = notice_lines(render_notice(second, explanation, "9910000001", date(2026, 6, 10)))
    assert a != text
    assert text[0] == "令和8年度 国民健康保険料 変更（更正）通知書"
    assert text[2] == f"通知書番号 {notice_number(2026, '9900000001', 2)}"
    assert text[2] != a[2]  # each notice its own number
    assert "第2回賦課" in text[3]
    table = text.index("各期の納付額")
    assert text[table + 1 : table + 3] == [
        "期別 納期限 納付額 納付番号 変更額",  # the extra column
        f"第1期 令和8年6月30日 31,600円 {payment_number(2026, '9900000001', 1)} -100円",
    ]


def test_the_notice_shows_the_day_it_was_issued_not_the_print_day(
    fy2026: PremiumParameters,
) -> None:
    stored, explanation = stored_for(fy2026, 2)
    stored = replace(stored, notice_issued_on=date(2026, 7, 15))
    text = notice_lines(render_notice(stored, explanation, "9910000001", date(2026, 12, 1)))
    assert "通知日 令和8年7月15日" in text[3]


NAMES = ["𠮷田\u3000髙﨑子", "葛\U000e0100西\u3000辻\U000e0102子"]


def test_a_mailed_notice_prints_the_householders_name_exactly(
    fy2026: PremiumParameters, tmp_path: Path
) -> None:
    stored, explanation = stored_for(fy2026, 1)
    paths = []
    for n, name in enumerate(NAMES):
        mail_to = MailTo(name, "広島県広島市中区国泰寺町一丁目6番34号", "730-8586")
        pdf = render_notice(stored, explanation, "9910000001", date(2026, 6, 10), mail_to)
        text = notice_lines(pdf)
        # poppler gives every space character back as U+0020
        assert text[:3] == ["〒730-8586", mail_to.address, name.replace("\u3000", " ") + " 様"]
        assert text[3] == "令和8年度 国民健康保険料 納入通知書"
        for font in checks.fonts_of(pdf):
            assert (font.embedded, font.subset, font.unicode) == (True, True, True), font
        image, stderr = checks.rasterise_without_system_fonts(pdf)
        assert stderr == ""
        assert image.startswith(b"P5")
        paths.append(tmp_path / f"notice-{n}.pdf")
        paths[-1].write_bytes(pdf)
    ok, report = checks.verapdf(paths)
    assert ok, report
