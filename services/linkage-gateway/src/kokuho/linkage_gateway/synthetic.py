"""Our own generator of synthetic individual numbers (valid check digit) for demo data and
tests. Nothing real is ever copied into the repository; numbers are made at run time."""

from __future__ import annotations

import random

from kokuho.linkage_gateway.domain.individual_number import IndividualNumber, check_digit


def synthetic_number(rng: random.Random) -> IndividualNumber:
    first = "".join(str(rng.randrange(10)) for _ in range(11))
    return IndividualNumber(first + str(check_digit(first)))


def with_wrong_check_digit(number: IndividualNumber) -> str:
    """The same 11 digits with a check digit that does not match."""
    right = int(number.value[-1])
    return number.value[:-1] + str((right + 1) % 10)
