"""One written form for text the counter types (issue 9): NFKC for width forms (full-width
Latin and digits, half-width kana: １２３ and ｶﾞ become 123 and ガ), so that one name, address or
reason is not stored two ways; kept as entered, because NFKC would destroy them, CJK
compatibility ideographs (神 U+FA19 is another character than 神 U+795E in the 戸籍),
ideographic variation sequences (葛󠄀 U+845B U+E0100) and the ideographic space. Standard library
only: ``RequestModel`` applies it to every free-text field, ``names`` and ``documents`` use the
same clusters.
"""

from __future__ import annotations

import unicodedata


def is_selector(ch: str) -> bool:
    """Variation selectors: VS1-16 (U+FE00-FE0F) and the ideographic VS17-256 (U+E0100-E01EF)."""
    code = ord(ch)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def clusters(text: str) -> list[str]:
    """The characters of ``text``, each with the variation selector that follows it."""
    out: list[str] = []
    for ch in text:
        if is_selector(ch) and out and len(out[-1]) == 1 and not is_selector(out[-1]):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def code_points(cluster: str) -> str:
    return " ".join(f"U+{ord(c):04X}" for c in cluster)


def _compatibility_ideograph(ch: str) -> bool:
    code = ord(ch)
    return 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F


def kept_as_entered(cluster: str) -> bool:
    """A cluster NFKC would destroy: a variation sequence, the ideographic space, a CJK
    compatibility ideograph."""
    return len(cluster) > 1 or cluster == "\u3000" or _compatibility_ideograph(cluster)


def normalise(value: str) -> str:
    """NFKC except for compatibility ideographs, variation sequences and ideographic spaces."""
    if value.isascii():
        return value  # NFKC leaves ASCII as it is
    out: list[str] = []
    pending: list[str] = []
    for cluster in clusters(value):
        if kept_as_entered(cluster):
            out.append(unicodedata.normalize("NFKC", "".join(pending)))
            out.append(cluster)
            pending = []
        else:
            pending.append(cluster)
    out.append(unicodedata.normalize("NFKC", "".join(pending)))
    return "".join(out)
