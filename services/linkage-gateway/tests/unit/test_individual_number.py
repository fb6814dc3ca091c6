from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kokuho.linkage_gateway.domain.individual_number import (
    IndividualNumber,
    InvalidIndividualNumber,
    check_digit,
    mask,
)
from kokuho.linkage_gateway.synthetic import synthetic_number, with_wrong_check_digit

eleven_digits = st.text(alphabet="0123456789", min_size=11, max_size=11)


def reference_check_digit(first_eleven: str) -> int:
    """Written independently from the ordinance text: P_n is the n-th digit from the right
    of the eleven, Q_n = n+1 (1<=n<=6) or n-5 (7<=n<=11)."""
    p = {n: int(first_eleven[11 - n]) for n in range(1, 12)}
    q = {n: (n + 1 if n <= 6 else n - 5) for n in range(1, 12)}
    r = sum(p[n] * q[n] for n in range(1, 12)) % 11
    return 0 if r <= 1 else 11 - r


@given(eleven_digits)
def test_check_digit_agrees_with_the_ordinance_formula(first: str) -> None:
    assert check_digit(first) == reference_check_digit(first)


@given(eleven_digits)
def test_eleven_digits_with_their_check_digit_are_accepted(first: str) -> None:
    number = IndividualNumber(first + str(check_digit(first)))
    assert number.value.startswith(first)


@given(eleven_digits, st.integers(min_value=1, max_value=9))
def test_any_other_check_digit_is_refused(first: str, shift: int) -> None:
    wrong = (check_digit(first) + shift) % 10
    with pytest.raises(InvalidIndividualNumber, match="check digit"):
        IndividualNumber(first + str(wrong))


def test_a_known_hand_computed_case() -> None:
    # P_1..P_11 = 1,0,9,8,7,6,5,4,3,2,1 and Q = 2,3,4,5,6,7,2,3,4,5,6: the products sum to
    # 212 by hand; 212 mod 11 = 3, so the check digit is 11 - 3 = 8.
    assert check_digit("12345678901") == 8


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "blank"),
        ("12345", "12 ASCII digits"),
        ("1234567890123", "12 ASCII digits"),
        ("12345678901a", "12 ASCII digits"),
        ("１２３４５６７８９０１７", "12 ASCII digits"),
    ],
)
def test_malformed_numbers_are_refused_with_a_reason(value: str, reason: str) -> None:
    with pytest.raises(InvalidIndividualNumber, match=reason):
        IndividualNumber(value)


def test_the_number_shows_only_its_last_four_digits() -> None:
    number = synthetic_number(random.Random(7))
    assert number.masked == "********" + number.value[-4:]
    assert number.value not in repr(number)
    assert number.value not in str(number)
    assert number.value not in f"{number!r} {number}"
    assert mask("abcdef") == "**cdef"


def test_the_error_never_carries_the_number() -> None:
    number = synthetic_number(random.Random(8))
    wrong = with_wrong_check_digit(number)
    with pytest.raises(InvalidIndividualNumber) as caught:
        IndividualNumber(wrong)
    assert wrong not in str(caught.value)
