"""Text split into what one font draws: clusters (a character, or a character and its variation
selector) assigned to the first face of the stack that has them; a cluster no face has is refused
with the character named (``Unprintable``), never printed as a box."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from kokuho.platform.documents.fonts import STACKS, Face, coverage
from kokuho.platform.text_forms import clusters, code_points, is_selector

__all__ = ["Run", "Unprintable", "clusters", "code_points", "face_for", "is_selector", "runs"]


def is_variant(cluster: str) -> bool:
    """A cluster of a character and its variation selector (``clusters`` makes them)."""
    return len(cluster) > 1 and is_selector(cluster[-1])


class Unprintable(ValueError):
    """A character (or variation sequence) that none of the print fonts has."""

    def __init__(self, cluster: str, face: Face) -> None:
        families = ", ".join(f.family for f in STACKS[face])
        super().__init__(f"{code_points(cluster)} cannot be printed (fonts: {families})")
        self.cluster = cluster


@dataclass(frozen=True)
class Run:
    face: Face
    text: str
    #: a run holding a variation sequence draws that glyph from the font's cmap format 14 (no
    #: shaping engine needed: Japanese text has no other contextual forms)
    variants: bool


def face_for(cluster: str, face: Face) -> Face:
    for candidate in STACKS[face]:
        if coverage(candidate).draws(cluster):
            return candidate
    raise Unprintable(cluster, face)


@functools.lru_cache(maxsize=65536)
def runs(text: str, face: Face) -> tuple[Run, ...]:
    """The runs of ``text`` (cached: a print run repeats the same labels and amounts)."""
    out: list[Run] = []
    for cluster in clusters(text):
        chosen = face_for(cluster, face)
        variant = len(cluster) > 1
        if out and out[-1].face is chosen:
            last = out[-1]
            out[-1] = Run(chosen, last.text + cluster, last.variants or variant)
        else:
            out.append(Run(chosen, cluster, variant))
    return tuple(out)
