"""Rules for unit tests: the packaged files, or a flat set for hand-checked sums."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from kokuho.collection.domain.parameters import CollectionRules, YearRates
from kokuho.collection.parameters import load_rules

PACKAGED = load_rules()


def flat(rate: str = "0.1", years: range = range(2020, 2032), **changes: object) -> CollectionRules:
    """One rate for every year and both periods (365-day sums are easy to check by hand)."""
    r = Decimal(rate)
    rates = {y: YearRates(y, r, r, r) for y in years}
    return dataclasses.replace(PACKAGED, rates=rates, **changes)  # type: ignore[arg-type]
