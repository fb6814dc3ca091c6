"""The fonts every Kokuho document is printed with, found at their Debian paths (ADR 0008).

Each face names the Debian package that installs it (``deploy/local/prereqs.sh system`` installs
them like the other prerequisites); a missing file stops rendering with ``MissingFont`` naming the
package, never a silent substitute. What a face can print (its cmap, and its variation sequences
from cmap format 14) is read once per process with fontTools, lazily, so that the name policy
(``kokuho.platform.names``) accepts exactly what the print fonts can draw."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from fontTools import ttLib


class MissingFont(RuntimeError):
    """A print font is not installed: documents are not rendered without it (fail closed)."""

    def __init__(self, face: Face, searched: list[Path]) -> None:
        super().__init__(
            f"font {face.family} ({face.file_name}) is not installed; it comes with the Debian"
            f" package {face.package} (apt-get install {face.package}, or"
            f" deploy/local/prereqs.sh system); looked in {', '.join(map(str, searched))}"
        )
        self.package = face.package


class Face(Enum):
    """The faces, each with its family in the PDF, its file, its Debian package and directory."""

    #: IPAmj明朝: the MJ文字 (文字情報基盤) glyphs, made for residents' names; Moji_Joho IVS.
    NAME = ("IPAmjMincho", "ipamjm.ttf", "fonts-ipamj-mincho", "truetype/ipamj")
    #: IPAex明朝: body text; JIS X 0213 and the common Adobe-Japan1 IVS (葛󠄀 U+845B U+E0100).
    TEXT = ("IPAexMincho", "ipaexm.ttf", "fonts-ipaexfont-mincho", "opentype/ipaexfont-mincho")
    #: IPAexゴシック: titles, labels and table heads.
    HEADING = ("IPAexGothic", "ipaexg.ttf", "fonts-ipaexfont-gothic", "opentype/ipaexfont-gothic")

    def __init__(self, family: str, file_name: str, package: str, debian_dir: str) -> None:
        self.family = family
        self.file_name = file_name
        self.package = package
        self.debian_dir = debian_dir

    def candidates(self) -> list[Path]:
        """Where the file is looked for: KOKUHO_FONT_DIR (a deployment's own copy), the Debian
        path, then the macOS font folders (Homebrew casks put the same files there)."""
        dirs = [Path(d) for d in os.environ.get("KOKUHO_FONT_DIR", "").split(os.pathsep) if d]
        dirs.append(Path("/usr/share/fonts") / self.debian_dir)
        dirs += [Path("/Library/Fonts"), Path.home() / "Library" / "Fonts"]
        return [d / self.file_name for d in dirs]

    def path(self) -> Path:
        candidates = self.candidates()
        for candidate in candidates:
            if candidate.is_file():
                return candidate
        raise MissingFont(self, candidates)


#: The faces tried in order for each kind of text: the first that has a character (or a
#: variation sequence) draws it. Names try IPAmj first (MJ文字 and Moji_Joho IVS), then IPAex for
#: the Adobe-Japan1 IVS that IPAmj does not register (葛 U+845B U+E0100).
STACKS: dict[Face, tuple[Face, ...]] = {
    Face.NAME: (Face.NAME, Face.TEXT),
    Face.TEXT: (Face.TEXT, Face.NAME),
    Face.HEADING: (Face.HEADING, Face.NAME, Face.TEXT),
}


@dataclass(frozen=True)
class Coverage:
    """What a face draws: characters (its best cmap) and (base, selector) variation sequences
    with the glyph each selects (cmap format 14)."""

    chars: frozenset[int]
    sequences: dict[tuple[int, int], str]

    def draws(self, cluster: str) -> bool:
        if len(cluster) == 1:
            return ord(cluster) in self.chars
        base, selector = ord(cluster[0]), ord(cluster[1])
        return base in self.chars and (base, selector) in self.sequences


@functools.cache
def coverage(face: Face) -> Coverage:
    font = ttLib.TTFont(face.path(), lazy=True)
    try:
        cmap = font.getBestCmap()
        sequences = {
            (base, selector): glyph or cmap[base]  # None: the sequence selects the default glyph
            for table in font["cmap"].tables
            if table.format == 14
            for selector, pairs in table.uvsDict.items()
            for base, glyph in pairs
            if base in cmap
        }
    finally:
        font.close()
    return Coverage(frozenset(cmap), sequences)


def require_fonts() -> dict[Face, Path]:
    """Every face's path; ``MissingFont`` for the first one missing. Services call it when they
    start, so that a machine without the fonts stops at once rather than at the first print."""
    return {face: face.path() for face in Face}
