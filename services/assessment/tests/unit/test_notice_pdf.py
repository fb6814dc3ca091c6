"""The notice PDF is produced with the Japanese CID fonts, the instalments and the explanation."""

from __future__ import annotations

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
