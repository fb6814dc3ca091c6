"""The document renderer (ADR 0008): names outside the BMP and with variation selectors come back
from the text layer as drawn, every font is an embedded subset, the page rasterises on a machine
with no fonts, the file is PDF/A-2B for veraPDF, and a missing font or glyph stops rendering."""

from __future__ import annotations

from pathlib import Path

import pytest

from kokuho.platform.documents import Face, MissingFont, Sheet, Unprintable, checks, fonts
from kokuho.platform.documents.text import clusters, runs

YOSHIDA = "𠮷田\u3000髙﨑子"  # U+20BB7 outside the BMP; 髙 U+9AD9; 﨑 U+FA11
KATSURA = "葛\U000e0100西"  # an Adobe-Japan1 variation sequence (IPAex明朝 has it)
TSUJI = "辻\U000e0102"  # a Moji_Joho variation sequence (IPAmj明朝 has it)


def shown(text: str) -> str:
    """A text as poppler gives it back: every space character becomes U+0020."""
    return text.replace("\u3000", " ")


def sample() -> bytes:
    sheet = Sheet("試験")
    sheet.new_page()
    sheet.line("国民健康保険料 納入通知書", face=Face.HEADING, size=15)
    for name in (YOSHIDA, KATSURA, TSUJI):
        sheet.line(name, face=Face.NAME, size=11)
    sheet.table([["期別", "納付額"], ["第1期", "31,600円"]], [20, 30])
    return sheet.output()


def test_names_come_back_from_the_text_layer_as_entered() -> None:
    lines = checks.text_of(sample()).splitlines()
    assert lines[:4] == ["国民健康保険料 納入通知書", shown(YOSHIDA), KATSURA, TSUJI]


def test_every_font_is_an_embedded_subset_with_a_unicode_map() -> None:
    rows = checks.fonts_of(sample())
    assert {r.name.split("+")[1] for r in rows} == {"IPAexGothic", "IPAmjMincho", "IPAexMincho"}
    for row in rows:
        assert (row.embedded, row.subset, row.unicode) == (True, True, True), row
        assert row.encoding == "Identity-H"


def test_the_page_rasterises_on_a_machine_without_fonts() -> None:
    image, stderr = checks.rasterise_without_system_fonts(sample())
    assert stderr == ""  # poppler names any font it had to look for
    header, pixels = image.split(b"\n255\n", 1)
    assert header.startswith(b"P5")
    assert min(pixels) < 64  # ink: the glyphs were drawn from the embedded fonts


def test_a_pdf_a_2b_for_verapdf(tmp_path: Path) -> None:
    path = tmp_path / "sample.pdf"
    path.write_bytes(sample())
    ok, report = checks.verapdf([path])
    assert ok, report
    assert report.startswith("PASS")


def test_variation_sequences_go_to_the_font_that_registers_them() -> None:
    assert clusters(KATSURA) == ["葛\U000e0100", "西"]
    assert [(r.face, r.variants) for r in runs(KATSURA, Face.NAME)] == [
        (Face.TEXT, True),  # IPAmj registers 葛 only with Moji_Joho selectors
        (Face.NAME, False),
    ]
    assert [(r.face, r.variants) for r in runs(TSUJI, Face.NAME)] == [(Face.NAME, True)]
    assert [r.face for r in runs("𠮷", Face.TEXT)] == [Face.NAME]  # IPAex has no 𠮷


def test_a_character_no_font_has_is_refused_naming_it() -> None:
    sheet = Sheet("試験")
    sheet.new_page()
    with pytest.raises(Unprintable, match=r"U\+1F600"):
        sheet.line("山田😀")
    with pytest.raises(Unprintable, match=r"U\+7530 U\+E0100"):
        sheet.line("田\U000e0100")


def test_a_missing_font_stops_rendering_naming_its_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(Face, "candidates", lambda self: [tmp_path / self.file_name])
    with pytest.raises(MissingFont, match="fonts-ipamj-mincho"):
        fonts.require_fonts()


def test_a_print_file_holds_many_documents_with_one_font_set() -> None:
    sheet = Sheet("一括")
    for n in range(30):
        sheet.new_page()
        sheet.line(f"{YOSHIDA} 第{n}号", face=Face.NAME)
    pdf = sheet.output()
    assert sheet.pages == 30
    assert len(checks.fonts_of(pdf)) == 1  # one IPAmj subset for all thirty
    assert checks.text_of(pdf).count(shown(YOSHIDA)) == 30
