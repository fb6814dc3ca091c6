"""納付番号: the number assessment prints on each slip and collection matches payments by."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kokuho.events.contracts.payment_numbers import (
    check_digit,
    parse_payment_number,
    payment_number,
    payment_numbers,
)


def test_the_number_is_year_household_instalment_and_a_gs1_check_digit() -> None:
    number = payment_number(2026, "2000000001", 3)
    assert number[:16] == "2026200000000103"
    # GS1 modulus 10 by hand: weights 3,1,3,... from the right of the 16 digits
    digits = [int(d) for d in reversed(number[:16])]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits))
    assert int(number[16]) == (10 - total % 10) % 10
    assert parse_payment_number(number) == (2026, "2000000001", 3)


def test_a_known_check_digit() -> None:
    assert check_digit("629104150021") == 3  # a published GS1 example (EAN-13 6291041500213)
    assert check_digit("9638507") == 4  # GS1's own EAN-8 example, odd length: 96385074


@given(st.text(alphabet="0123456789", min_size=1, max_size=20))
def test_the_check_digit_weighs_3_and_1_from_the_right(digits: str) -> None:
    weighted = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    assert check_digit(digits) == (10 - weighted % 10) % 10


@pytest.mark.parametrize("digits", ["", "12a4", "１２３４", "١٢٣"])
def test_a_check_digit_is_only_computed_over_ascii_digits(digits: str) -> None:
    with pytest.raises(ValueError, match="ASCII digits"):
        check_digit(digits)


@pytest.mark.parametrize("period", [1, 12])
def test_the_first_and_last_instalment_round_trip(period: int) -> None:
    assert parse_payment_number(payment_number(2025, "2999999999", period))[2] == period  # type: ignore[index]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026200000000103", "is not 17 digits"),
        ("202620000000010300", "is not 17 digits"),
        ("20262000000001O30", "is not 17 digits"),
        ("20262000000001000", "instalment is not 01-12"),
    ],
)
def test_what_is_not_a_payment_number(value: str, reason: str) -> None:
    body = value[:16]
    if reason.startswith("instalment") and body.isdigit():
        value = body + str(check_digit(body))  # a valid check digit, a bad instalment
    assert parse_payment_number(value) == reason


def test_a_wrong_check_digit_is_named() -> None:
    good = payment_number(2026, "2000000001", 3)
    bad = good[:16] + str((int(good[16]) + 1) % 10)
    assert parse_payment_number(bad) == "check digit does not match"


@given(
    st.integers(2000, 2100),
    st.text(alphabet="0123456789", min_size=10, max_size=10),
    st.lists(st.integers(1, 12), max_size=14),
)
def test_the_numbers_of_several_instalments_are_each_ones_number(
    year: int, household: str, periods: list[int]
) -> None:
    assert payment_numbers(year, household, periods) == [
        payment_number(year, household, period) for period in periods
    ]


def test_every_check_digit_from_several_instalments() -> None:
    """Every check digit 0-9 comes out of the shared sum as out of each number alone."""
    found = {
        number[16]: number
        for h in range(2000000000, 2000000040)
        for number in payment_numbers(2026, str(h), range(1, 13))
    }
    assert sorted(found) == list("0123456789")
    for number in found.values():
        assert number == payment_number(2026, number[4:14], int(number[14:16]))


@pytest.mark.parametrize(
    "args",
    [
        (26, "2000000001", 1),
        (2026, "200000001", 1),
        (2026, "2000000001", 0),
        (2026, "2000000001", 13),
        (2026, "20000000x1", 1),
        (2026, "２０００００００01", 1),  # full-width digits are digits to str.isdigit
    ],
)
def test_a_malformed_part_is_refused(args: tuple[int, str, int]) -> None:
    with pytest.raises(ValueError, match="payment number"):
        payment_number(*args)
    year, household, period = args
    with pytest.raises(ValueError, match="payment number"):
        payment_numbers(year, household, [1, period])


@pytest.mark.parametrize("year", [2000, 2100])
def test_the_first_and_last_year_accepted(year: int) -> None:
    assert parse_payment_number(payment_number(year, "2000000001", 1))[0] == year  # type: ignore[index]
    assert payment_numbers(year, "2000000001", [1]) == [payment_number(year, "2000000001", 1)]


@pytest.mark.parametrize("year", [1999, 2101])
def test_a_year_outside_is_refused(year: int) -> None:
    with pytest.raises(ValueError, match="payment number"):
        payment_number(year, "2000000001", 1)
    with pytest.raises(ValueError, match="payment number"):
        payment_numbers(year, "2000000001", [1])


def test_a_check_digit_of_zero() -> None:
    """The modulus wraps 10 to 0 (found by mutation testing: no test had a zero check digit)."""
    body = next(
        f"2026{h:010d}01"
        for h in range(2000000000, 2000001000)
        if check_digit(f"2026{h:010d}01") == 0
    )
    assert payment_number(2026, body[4:14], 1) == body + "0"


def test_instalment_13_is_refused_when_read() -> None:
    body = "2026200000000113"
    assert parse_payment_number(body + str(check_digit(body))) == "instalment is not 01-12"
