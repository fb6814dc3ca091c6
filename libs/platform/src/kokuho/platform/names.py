"""Residents' names as the counter takes them: stored as entered, printed exactly (ADR 0008).

``PersonName`` (氏名) and ``PersonNameKana`` (フリガナ) are pydantic-compatible annotated types.
A name is normalised piecewise:

- NFKC for width forms: full-width Latin letters and half-width kana become their usual forms,
  so that one name is not stored two ways;
- kept as entered, because NFKC would destroy them: CJK compatibility ideographs (神 U+FA19 is a
  different character in the 戸籍 from 神 U+795E), ideographic variation sequences (a character
  and its selector, 葛󠄀 U+845B U+E0100) and the ideographic space between surname and given name.

Then every character must be one a name is written with (kanji, kana, Latin letters and the few
marks names use) and one the print fonts have (``kokuho.platform.documents``: IPAmj明朝, the
MJ文字 set that contains 行政事務標準文字, and IPAex明朝). Anything else is refused naming the
character as U+XXXX: bidi controls, zero-width characters, emoji, symbols, a selector the fonts
do not register for that character. The platform's ``RequestModel`` also refuses control and
invisible format characters in every field; this is the names' own, stricter rule.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field

from kokuho.platform.documents.fonts import STACKS, Coverage, Face, coverage
from kokuho.platform.text_forms import (
    clusters,
    code_points,
    is_selector,
    kept_as_entered,
    normalise,
)
from kokuho.platform.warm_up import before_serving

#: Marks that appear in names: ideographic space, space, middle dots, 々 〆 ヶ ー, and for names
#: in Latin letters (外国人住民の氏名) hyphen, apostrophe, full stop and comma.
NAME_MARKS = frozenset("\u3000 ・\u3005\u3006\u30f6\u30fc\u309d\u309e\u30fd\u30fe-'.,")
#: the combining (semi-)voiced sound marks that half-width ﾞ and ﾟ become; NFKC of the whole name
#: composes them with the kana before them (ｶﾞ -> ガ), and one left over is refused
SOUND_MARKS = frozenset("\u3099\u309a")
KANA_PATTERN = re.compile(r"^[\u30A1-\u30FC\u3000 ・]+$")


def _written_in_names(ch: str) -> bool:
    if ch in NAME_MARKS:
        return True
    category = unicodedata.category(ch)
    if category not in ("Lo", "Lu", "Ll", "Lm"):
        return False
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK ", "HIRAGANA", "KATAKANA", "LATIN"))


def _allowed(ch: str) -> bool:
    return ch in SOUND_MARKS or is_selector(ch) or _written_in_names(ch)


@before_serving
def printable_faces() -> list[Coverage]:
    """What the name faces draw (read from the fonts once per process; ``serve`` reads them
    before it serves, not at the first name a request brings)."""
    return [coverage(face) for face in STACKS[Face.NAME]]


def refusal(value: str) -> str | None:
    """Why ``value`` is not accepted as a name (naming the first bad character), or None."""
    printable = printable_faces()
    for cluster in clusters(value):
        base = cluster[0]
        if is_selector(base):
            return f"{code_points(cluster)}: a variation selector without a character before it"
        normalised = normalise(cluster)
        allowed = (
            ch in SOUND_MARKS or is_selector(ch) or _written_in_names(ch) for ch in normalised
        )
        if not all(allowed):
            name = unicodedata.name(base, "unnamed").lower()
            return f"{code_points(cluster)} ({name}) is not a character names are written with"
        if not kept_as_entered(cluster):
            continue  # checked below in its normalised form
        if not any(c.draws(cluster) for c in printable):
            return f"{code_points(cluster)} is not in the name character set (MJ文字)"
    for cluster in clusters(normalise(value)):
        if cluster[0] in SOUND_MARKS:
            return f"{code_points(cluster)}: a sound mark without a kana before it"
        if not any(c.draws(cluster) for c in printable):
            return f"{code_points(cluster)} is not in the name character set (MJ文字)"
    return None


def _person_name(value: str) -> str:
    reason = refusal(value)
    if reason is not None:
        raise ValueError(reason)
    return normalise(value)


def _person_name_kana(value: str) -> str:
    value = _person_name(value)
    if not KANA_PATTERN.match(value):
        bad = next(ch for ch in value if not KANA_PATTERN.match(ch))
        raise ValueError(f"{code_points(bad)}: フリガナ is written in full-width katakana")
    return value


#: 氏名: 1-100 characters, as entered (see the module docstring), printable exactly.
PersonName = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_person_name)]
#: フリガナ: the same rule, then katakana, the long vowel mark, spaces and ・ only.
PersonNameKana = Annotated[
    str, Field(min_length=1, max_length=200), AfterValidator(_person_name_kana)
]
