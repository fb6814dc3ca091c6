"""The platform's recogniser of individual numbers: the check digit at its boundaries, any
script, separators, and the values it must leave alone."""

from __future__ import annotations

import random
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kokuho.events.individual_numbers import (
    _candidates,
    check_digit,
    contains_individual_number,
    is_individual_number,
)


def reference(first_eleven: str) -> int:
    """The ordinance's formula written out from its text, P_n from the right."""
    p = [int(d) for d in reversed(first_eleven)]  # p[0] is P_1
    q = [n + 1 if n <= 6 else n - 5 for n in range(1, 12)]
    remainder = sum(pn * qn for pn, qn in zip(p, q, strict=True)) % 11
    return 0 if remainder <= 1 else 11 - remainder


def number(first_eleven: str) -> str:
    return first_eleven + str(check_digit(first_eleven))


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_check_digit_is_the_ordinance_formula(first: str) -> None:
    assert check_digit(first) == reference(first)


def test_remainders_zero_and_one_give_zero() -> None:
    # 00000000000 -> remainder 0; find an input with remainder 1 and one with 2.
    assert check_digit("00000000000") == 0
    by_remainder: dict[int, str] = {}
    for i in range(2000):
        first = f"{i:011d}"
        by_remainder.setdefault(
            sum(int(d) * (n + 1 if n <= 6 else n - 5) for n, d in enumerate(first[::-1], 1)) % 11,
            first,
        )
    assert check_digit(by_remainder[1]) == 0
    assert check_digit(by_remainder[2]) == 9


@pytest.mark.parametrize(
    "bad", ["", "1234567890", "123456789012", "1234567890a", "１２３４５６７８９０１"]
)
def test_check_digit_needs_eleven_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="11 ASCII digits"):
        check_digit(bad)


def test_recognised_in_every_form() -> None:
    n = number("12345678901")
    wrong = n[:-1] + str((int(n[-1]) + 1) % 10)
    full_width = n.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    devanagari = n.translate(str.maketrans("0123456789", "०१२३४५६७८९"))
    for text in (
        n,
        f"reason {n}",
        f"{n[:4]}-{n[4:8]}-{n[8:]}",
        f"{n[:4]} {n[4:8]} {n[8:]}",
        full_width,
        f"番号は{full_width}です",
        devanagari,
    ):
        assert contains_individual_number(text), text
    for text in (
        wrong,
        n + "0",  # thirteen digits: not a twelve-digit run
        "0" + n,
        f"{n[:4]}--{n[4:]}",  # a double separator ends the run
        n[:11],
        "",
        "no digits",
    ):
        assert not contains_individual_number(text), text
    assert is_individual_number(n)
    assert not is_individual_number(wrong)


def test_nested_values_and_types() -> None:
    n = number("98765432109")
    assert contains_individual_number(["a", ("b", {"k": n})])
    assert contains_individual_number({n: "key"})
    assert not contains_individual_number(int(n))  # a number typed as an int is not text
    assert not contains_individual_number(None)


def test_uuids_are_not_text() -> None:
    rng = random.Random(7)
    found = 0
    for _ in range(30000):
        u = uuid.UUID(int=rng.getrandbits(128), version=4)
        if is_individual_number(str(u).rsplit("-", 1)[1]):
            found += 1
            assert not contains_individual_number(u)
    assert found  # such UUIDs exist, and are left alone as UUIDs


def test_a_uuid_written_as_text_is_not_a_number() -> None:
    rng = random.Random(11)
    found = 0
    for _ in range(30000):
        u = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        tail = u.rsplit("-", 1)[1]
        if is_individual_number(tail):
            found += 1
            for text in (u, f"income-import-{u}", f"{u.upper()}", f"id {u} ok"):
                assert not contains_individual_number(text), text
            # a number beside a UUID is still found
            assert contains_individual_number(f"{u} {tail}")
    assert found


def test_only_the_card_grouping_joins_digits_across_separators() -> None:
    """An id such as e-application-S1056064531-12ab (10 digits, a hyphen, 2 digits) is not a
    number even when those twelve digits have a valid check digit (seen in the suite)."""
    for first in (f"{i:011d}" for i in range(10_000_000_000, 10_000_000_400)):
        n = number(first)
        assert not contains_individual_number(f"S{n[:10]}-{n[10:]}ab")
        assert not contains_individual_number(f"{n[:6]} {n[6:]}")
        assert contains_individual_number(f"{n[:4]} {n[4:8]} {n[8:]}")
        assert contains_individual_number(f"tel 03-{n[:4]}-{n[4:8]}-{n[8:]}-9")


@given(st.text(alphabet="0123456789 -abcXYZ/_", max_size=60))
def test_the_quick_ascii_refusal_answers_as_the_full_scan(text: str) -> None:
    """Fewer than twelve ASCII digits is answered without the scan: never differently."""
    full = any(is_individual_number(c) for c in _candidates(text))
    assert contains_individual_number(text) == full


def test_eleven_digits_and_a_number_that_widens_under_nfkc() -> None:
    first = "12345678901"
    number = first + str(check_digit(first))
    assert contains_individual_number(number)
    assert not contains_individual_number(number[:11])  # eleven ASCII digits: no number
    # ⑫ is two digits under NFKC: eleven characters that still carry the twelve digits
    assert number.startswith("12")
    assert contains_individual_number("⑫" + number[2:])


@pytest.mark.parametrize(
    "written",
    [
        "{a}x{b}y{c}",  # letters are not separators
        "{a}  {b}  {c}",  # two spaces are not one separator
        "{a}--{b}--{c}",
        "{a3}-{b4}-{c5}",  # three groups, but not four digits each
        "{a5}-{b4}-{c3}",
    ],
)
def test_only_the_cards_grouping_links_digits(written: str) -> None:
    """Mutation testing found these unasserted: a number written other than 4-4-4 with single
    spaces or hyphens is an id, not an individual number."""
    digits = number("31415926535")
    text = written.format(
        a=digits[:4], b=digits[4:8], c=digits[8:],
        a3=digits[:3], b4=digits[3:7], c5=digits[7:],
        a5=digits[:5], c3=digits[9:],
    )  # fmt: skip
    assert not contains_individual_number(text)
    assert contains_individual_number(f"ab{digits[:4]} {digits[4:8]} {digits[8:]}")
