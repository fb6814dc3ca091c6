"""Recognising an individual number (個人番号) wherever text may carry one, so that no service but
linkage-gateway ever stores, logs or publishes it.

The check digit follows the ministerial order (番号法施行規則 第5条): with the
eleven digits numbered P_n from the right (n = 1..11) and weights Q_n = n + 1 for n <= 6 and
n - 5 for n >= 7, remainder = sum(P_n * Q_n) mod 11; check digit = 0 if remainder <= 1 else
11 - remainder.

Text is NFKC-normalised first (full-width １２３ become 123) and digits of any script count
(``unicodedata.decimal``). A number is a run of exactly twelve digits whose last digit is the
check digit of the other eleven, contiguous or written as on the card in groups of four parted
by single spaces or hyphens ("1234 5678 9012", "1234-5678-9012"); other groupings are ids.
Values are checked by their type (strings only): a UUID is a UUID, not
text, so the twelve digits that end one UUID in about 3,000 are never mistaken for a number;
and a UUID written inside text (a stream id such as ``income-import-<uuid>``) is passed over
too. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping

LENGTH = 12
SEPARATORS = frozenset(" -")
#: A UUID written as text (an event's stream id, ``import-<uuid>``) is a UUID, not a number:
#: its last group is twelve decimal digits with a valid check digit about once in 3,000.
UUID_TEXT = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def check_digit(first_eleven: str) -> int:
    """The check digit of eleven ASCII digits."""
    if len(first_eleven) != LENGTH - 1 or not first_eleven.isascii() or not first_eleven.isdigit():
        raise ValueError("the check digit needs exactly 11 ASCII digits")
    total = 0
    for n in range(1, LENGTH):  # n counts from the right, next to the check digit
        weight = n + 1 if n <= 6 else n - 5
        total += int(first_eleven[LENGTH - 1 - n]) * weight
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_individual_number(digits: str) -> bool:
    """Twelve ASCII digits whose last is the check digit of the first eleven."""
    return (
        len(digits) == LENGTH
        and digits.isascii()
        and digits.isdigit()
        and check_digit(digits[:-1]) == int(digits[-1])
    )


def _linked_groups(text: str) -> Iterator[list[str]]:
    """Groups of contiguous decimal digits (as ASCII), linked into one list while single
    separators part them."""
    linked: list[str] = []
    group: list[str] = []
    separated = False
    for ch in UUID_TEXT.sub("/", unicodedata.normalize("NFKC", text)):
        value = unicodedata.decimal(ch, None)
        if value is not None:
            group.append(str(value))
            separated = False
            continue
        if group:
            linked.append("".join(group))
            group = []
        if ch in SEPARATORS and linked and not separated:
            separated = True
            continue
        if linked:
            yield linked
        linked, separated = [], False
    if group:
        linked.append("".join(group))
    if linked:
        yield linked


def _candidates(text: str) -> Iterator[str]:
    """Twelve contiguous digits, or three linked groups of four as the number is written on
    the card (1234 5678 9012); other groupings (an id such as ``S1056064531-12``) are not."""
    for linked in _linked_groups(text):
        yield from (g for g in linked if len(g) == LENGTH)
        for k in range(len(linked) - 2):
            if all(len(g) == 4 for g in linked[k : k + 3]):
                yield "".join(linked[k : k + 3])


#: deletes the ASCII digits (``str.translate``): what is left tells how many there were
_WITHOUT_DIGITS = str.maketrans("", "", "0123456789")


def _too_few_digits(text: str) -> bool:
    """An ASCII text with fewer than twelve digits cannot carry a number (NFKC leaves ASCII as
    it is): the common case, answered without the character-by-character scan. Other text may
    widen under NFKC (⑫ is two digits), so it always takes the full scan."""
    return text.isascii() and len(text) - len(text.translate(_WITHOUT_DIGITS)) < LENGTH


def contains_individual_number(value: object) -> bool:
    """True when a string (or a string inside a list, tuple, set or mapping) carries a run of
    exactly twelve digits (contiguous, or grouped 4-4-4) with a valid check digit."""
    if isinstance(value, str):
        if _too_few_digits(value):
            return False
        return any(is_individual_number(c) for c in _candidates(value))
    if isinstance(value, Mapping):
        return any(
            contains_individual_number(k) or contains_individual_number(v) for k, v in value.items()
        )
    if isinstance(value, list | tuple | set | frozenset):
        return any(contains_individual_number(v) for v in value)
    return False
