"""The one document renderer (ADR 0008): A4 pages drawn with fpdf2 as PDF/A-2B, every font an
embedded subset (CID TrueType, Identity-H, with a ToUnicode map), every character drawn by a
face that has it (``kokuho.platform.documents.text``). Positions are millimetres from the
top-left corner; a cursor ``y`` flows down the page and a table that does not fit goes on to
the next page with its head repeated."""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from typing import Literal

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from kokuho.platform.documents.fonts import Face, coverage
from kokuho.platform.documents.text import Run, clusters, is_variant, runs

Align = Literal["L", "R", "C"]
PT = 25.4 / 72  # millimetres per point
WIDTH, HEIGHT = 210.0, 297.0


@functools.cache
def _parsed(face: Face) -> TTFFont:
    """The face parsed once per process (widths of 50,000 glyphs take most of a second); each
    document gets a copy with its own font file handle and subset (``_attach``)."""
    return TTFFont(FPDF(), face.path(), face.family.lower(), "")


@functools.cache
def _variant_glyph(face: Face, cluster: str) -> tuple[int, str, int]:
    """The glyph id, name and width (thousandths of an em) a variation sequence selects."""
    parsed = _parsed(face)
    name = coverage(face).sequences[(ord(cluster[0]), ord(cluster[1]))]
    width = round(parsed.scale * parsed.ttfont["hmtx"].metrics[name][0] + 0.001)
    return parsed.ttfont.getGlyphID(name), name, width


@functools.lru_cache(maxsize=65536)
def _em_width(face: Face, piece: str) -> float:
    """The advance of a plain stretch or a variation sequence, in thousandths of an em."""
    if is_variant(piece):
        return _variant_glyph(face, piece)[2]
    widths = _parsed(face).cw
    return float(sum(widths[ord(ch)] for ch in piece))


def _pieces(run: Run) -> list[str]:
    """A run as plain stretches and single variation sequences."""
    if not run.variants:
        return [run.text]
    out: list[str] = []
    for cluster in clusters(run.text):
        if is_variant(cluster) or not out or is_variant(out[-1]):
            out.append(cluster)
        else:
            out[-1] += cluster
    return out


def _attach(pdf: FPDF, face: Face) -> None:
    font = copy.copy(_parsed(face))
    # fpdf2 subsets the fontTools object in place when it writes the file: a fresh lazy one
    font.ttfont = ttLib.TTFont(font.ttffile, recalcTimestamp=False, lazy=True)
    font.i = len(pdf.fonts) + 1
    font.subset = SubsetMap(font)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    pdf.fonts[font.fontkey] = font


class Sheet:
    """One PDF of one or more documents (a print file holds many, one ``new_page`` each)."""

    def __init__(self, title: str, *, margin: float = 15.0) -> None:
        pdf = FPDF(format="A4", unit="mm", enforce_compliance="PDF/A-2B")
        pdf.set_auto_page_break(False)
        pdf.set_margins(margin, margin, margin)
        pdf.set_title(title)
        pdf.set_lang("ja-JP")
        pdf.set_creator("Kokuho")
        pdf.c_margin = 0.8
        for face in Face:
            _attach(pdf, face)
        self._pdf = pdf
        self.margin = margin
        self.y = margin
        self.pages = 0
        self._current: tuple[Face, float] | None = None

    # -- pages and text -------------------------------------------------------------------
    def new_page(self) -> None:
        self._pdf.add_page()
        self._current = None  # a new page starts its content stream without a font
        self.pages += 1
        self.y = self.margin

    def _font(self, face: Face, size: float) -> None:
        if self._current != (face, size):  # fpdf2's set_font costs as much as drawing a word
            self._pdf.set_font(face.family, size=size)
            self._current = (face, size)

    def _runs(self, text: str, face: Face, size: float) -> list[tuple[Run, float]]:
        out = []
        for run in runs(text, face):
            self._font(run.face, size)
            out.append((run, sum(self._width(piece, run.face, size) for piece in _pieces(run))))
        return out

    def _width(self, piece: str, face: Face, size: float) -> float:
        return _em_width(face, piece) * size / 1000 * PT

    def width_of(self, text: str, *, face: Face = Face.TEXT, size: float = 10.0) -> float:
        return sum(w for _, w in self._runs(text, face, size))

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        face: Face = Face.TEXT,
        size: float = 10.0,
        width: float = 0.0,
        align: Align = "L",
        height: float | None = None,
    ) -> float:
        """Draw one line in the box (x, y, width, height); returns the x where it ends."""
        pdf = self._pdf
        parts = self._runs(text, face, size)
        total = sum(w for _, w in parts)
        h = height if height is not None else size * PT * 1.4
        left = x
        if align == "R":
            left = x + width - total - 2 * pdf.c_margin
        elif align == "C":
            left = x + (width - total) / 2 - pdf.c_margin
        # the baseline where fpdf2's cell() would put it (half the box plus 0.3 of the font
        # size); text() draws twenty times faster than cell()
        baseline = y + h / 2 + 0.3 * size * PT
        at = left + pdf.c_margin
        for run, _ in parts:
            self._font(run.face, size)
            for piece in _pieces(run):
                self._show(at, baseline, piece, run.face)
                at += self._width(piece, run.face, size)
        return left + total

    def _show(self, x: float, baseline: float, piece: str, face: Face) -> None:
        """Text in the current font at a baseline, as fpdf2's text() writes it but without its
        per-call overhead (a notice has two hundred cells); a variation sequence is drawn with
        the glyph its selector names (the font's cmap format 14) and mapped back to both code
        points in the ToUnicode map, so the text layer keeps them. fpdf2 is pinned below 2.9
        for these internals."""
        pdf = self._pdf
        font = pdf.current_font
        assert isinstance(font, TTFFont)
        if is_variant(piece):
            glyph_id, name, width = _variant_glyph(face, piece)
            glyph = font.subset.get_glyph(glyph_id, tuple(map(ord, piece)), name, width)
            code = font.subset.pick_glyph(glyph)
            assert code is not None
            shown = f"({font.escape_text(chr(code))}) Tj"
        else:
            shown = font.encode_text(piece)
        if not pdf.current_font_is_set_on_page:
            pdf._out(pdf._set_font_for_page(font, pdf.font_size_pt))
        pdf._out(f"BT {x * pdf.k:.2f} {(pdf.h - baseline) * pdf.k:.2f} Td {shown} ET")

    def line(
        self, text: str, *, face: Face = Face.TEXT, size: float = 10.0, gap: float = 1.5
    ) -> None:
        """A line at the cursor, which moves below it."""
        self.text(self.margin, self.y, text, face=face, size=size)
        self.y += size * PT * 1.4 + gap

    def paragraph(self, text: str, *, face: Face = Face.TEXT, size: float = 9.5) -> None:
        """Text wrapped at any character (Japanese has no spaces to break at) across the page."""
        limit = WIDTH - 2 * self.margin
        line, used = "", 0.0
        for run, _ in self._runs(text, face, size):
            for ch in _pieces(run) if run.variants else run.text:
                w = self._width(ch, run.face, size)
                if used + w > limit and line:
                    self.line(line, face=face, size=size, gap=0.5)
                    line, used = "", 0.0
                line, used = line + ch, used + w
        if line:
            self.line(line, face=face, size=size, gap=0.5)

    def space(self, mm: float) -> None:
        self.y += mm

    # -- tables ---------------------------------------------------------------------------
    def table(
        self,
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        size: float = 9.0,
        right_from: int = 1,
        head: bool = True,
    ) -> None:
        """A grid at the cursor: the head row in the heading face on grey, columns from
        ``right_from`` on aligned right (amounts); rows that do not fit go on a new page."""
        h = size * PT * 1.6
        for i, row in enumerate(rows):
            if self.y + h > HEIGHT - self.margin:
                self.new_page()
                if head and i > 0:
                    self._row(rows[0], widths, size, h, True, right_from)
            self._row(row, widths, size, h, head and i == 0, right_from)
        self.y += 2.0

    def _row(
        self,
        row: Sequence[str],
        widths: Sequence[float],
        size: float,
        h: float,
        head: bool,
        right: int,
    ) -> None:
        pdf, x, k = self._pdf, self.margin, self._pdf.k
        # the cell borders in one operator list, grey and thin, the head filled light grey;
        # inside q/Q so the colours do not leak into the text drawn next (black)
        boxes = " ".join(
            f"{(x + sum(widths[:c])) * k:.2f} {(HEIGHT - self.y) * k:.2f} {w * k:.2f}"
            f" {-h * k:.2f} re"
            for c, w in enumerate(widths[: len(row)])
        )
        pdf._out(f"q 0.5 G 0.4 w {'0.96 g ' + boxes + ' B' if head else boxes + ' S'} Q")
        for col, (cell, w) in enumerate(zip(row, widths, strict=False)):
            align: Align = "R" if col >= right and not head else "L"
            face = Face.HEADING if head else Face.TEXT
            self.text(x, self.y, cell, face=face, size=size, width=w, align=align, height=h)
            x += w
        self.y += h

    def output(self) -> bytes:
        data = bytes(self._pdf.output())
        missing = {
            key: font.missing_glyphs
            for key, font in self._pdf.fonts.items()
            if isinstance(font, TTFFont) and font.missing_glyphs
        }
        if missing:  # text.runs refuses these before drawing; this is the last guard
            raise RuntimeError(f"glyphs missing from the print fonts: {missing}")
        return data
