"""The notice PDF is produced with the Japanese CID fonts, the instalments and the explanation."""

from __future__ import annotations

import base64
import re
import zlib
from datetime import date
from uuid import uuid4

from kokuho.assessment.adapters.notice_pdf import render_notice
from kokuho.assessment.app.assessing import compute
from kokuho.assessment.app.ports import StoredAssessment
from kokuho.assessment.domain.household import Household, Income, Person
from kokuho.assessment.domain.parameters import PremiumParameters


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


def page_text(pdf: bytes) -> bytes:
    """The decompressed content streams (the text is hex-encoded CID glyphs)."""
    out = b""
    for part in pdf.split(b"stream\n")[1:]:
        raw = part.split(b"endstream")[0]
        try:
            out += zlib.decompress(raw.strip())
        except zlib.error:
            out += raw
    return out


ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}


def literal_strings(content: bytes) -> list[bytes]:
    """The PDF literal strings ``(...)`` of a content stream, with their escapes undone."""
    out: list[bytes] = []
    i = 0
    while (start := content.find(b"(", i)) != -1:
        buf, i, depth = bytearray(), start + 1, 1
        while True:
            c = content[i]
            if c == 0x5C:  # backslash: \ddd octal or a one-letter escape
                n = content[i + 1]
                if 0x30 <= n <= 0x37:
                    j = i + 1
                    while j < i + 4 and 0x30 <= content[j] <= 0x37:
                        j += 1
                    buf.append(int(content[i + 1 : j], 8) & 0xFF)
                    i = j
                    continue
                buf.append(ESCAPES.get(n, n))
                i += 2
                continue
            depth += c == 0x28
            depth -= c == 0x29
            if depth == 0:
                i += 1
                break
            buf.append(c)
            i += 1
        out.append(bytes(buf))
    return out


def notice_text(pdf: bytes) -> list[str]:
    """The text the notice shows, one entry per drawn string (the CID fonts take UTF-16BE)."""
    texts: list[str] = []
    pattern = rb"/ASCII85Decode /FlateDecode \][^>]*>>\s*stream\r?\n(.*?)endstream"
    for m in re.finditer(pattern, pdf, re.S):
        raw = m.group(1).strip()
        content = zlib.decompress(base64.a85decode(b"<~" + raw.removeprefix(b"<~"), adobe=True))
        for s in literal_strings(content):
            texts.append(s.decode("utf-16-be") if len(s) % 2 == 0 else s.decode("latin-1"))
    return texts


def test_notice_shows_householder_amounts_instalments_and_explanation(
    fy2026: PremiumParameters,
) -> None:
    stored, explanation = stored_for(fy2026, 1)
    text = notice_text(render_notice(stored, explanation, "9910000001", date(2026, 6, 10)))
    assert text[0] == "令和8年度 国民健康保険料 納入通知書"
    assert "世帯主（宛名番号）9910000001 様" in text[1]  # addressed to the householder
    assert "9900000001" in text[1]
    assert "通知日 令和8年6月10日" in text[2]
    assert f"{stored.annual_amount:,}円" in text
    assert "変更額" not in text  # a first notice has no difference column
    table = text.index("各期の納付額")
    assert text[table + 1 : table + 7] == [
        "期別",
        "納期限",
        "納付額",
        "第1期",
        "令和8年6月30日",
        "31,600円",
    ]
    assert text.count("31,600円") == 10
    # the explanation: per component and levy, the base and the rate (医療分 所得割 8.18%)
    start = text.index("算定の明細（年度当初の状態）")
    medical = text.index("医療分所得割", start)
    assert text[medical + 1 : medical + 4] == ["9910000001", "1,570,000円", "8.18%"]


def test_notice_is_a_pdf_with_japanese_fonts(fy2026: PremiumParameters) -> None:
    stored, explanation = stored_for(fy2026, 1)
    pdf = render_notice(stored, explanation, "9910000001", date(2026, 6, 10))
    assert pdf.startswith(b"%PDF")
    assert b"HeiseiMin-W3" in pdf
    assert b"HeiseiKakuGo-W5" in pdf
    assert len(pdf) > 3_000


def test_correction_notice_differs_from_the_first(fy2026: PremiumParameters) -> None:
    first, explanation = stored_for(fy2026, 1)
    second, _ = stored_for(fy2026, 2)
    a = page_text(render_notice(first, explanation, "9910000001", date(2026, 6, 10)))
    b = page_text(render_notice(second, explanation, "9910000001", date(2026, 6, 10)))
    assert a != b
    assert len(b) > len(a)  # the extra 変更額 column
    text = notice_text(render_notice(second, explanation, "9910000001", date(2026, 6, 10)))
    assert text[0] == "令和8年度 国民健康保険料 変更（更正）通知書"
    assert "第2回賦課" in text[2]
    table = text.index("各期の納付額")
    assert text[table + 1 : table + 5] == ["期別", "納期限", "納付額", "変更額"]
    assert text[table + 5 : table + 9] == ["第1期", "令和8年6月30日", "31,600円", "-100円"]
