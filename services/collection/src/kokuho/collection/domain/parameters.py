"""Collection's legal figures as values: rates by calendar year, rounding, 督促 settings and
the prescription period. Parsed from the versioned files of ``parameters/`` (each figure
``{value, mark, source}``); a calendar year that is not there is refused, never defaulted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from kokuho.collection.domain.errors import ParametersInvalid, RatesMissing

LATE_CHARGE_STARTS = ("day_after_due", "after_designated_deadline")


@dataclass(frozen=True)
class YearRates:
    """The rates of one calendar year (暦年): 延滞金 early and later, 還付加算金."""

    year: int
    early: Decimal
    later: Decimal
    refund: Decimal


@dataclass(frozen=True)
class Rounding:
    """No amount below ``minimum``; the base floored to ``base_unit``, the result to ``unit``."""

    base_unit: int
    minimum: int
    unit: int
    premium_minimum: int = 0


@dataclass(frozen=True)
class CollectionRules:
    rates: Mapping[int, YearRates]
    days_in_year: int
    late_charge: Rounding
    refund_interest: Rounding
    late_charge_start: str
    early_months: int
    dunning_after_days: int
    designated_deadline_days: int
    dunning_fee: int
    prescription_years: int
    documents: tuple[str, ...] = ()

    def year(self, year: int) -> YearRates:
        try:
            return self.rates[year]
        except KeyError:
            raise RatesMissing(
                f"no late-charge and refund rates for calendar year {year}"
            ) from None


def _figure(doc: Mapping[str, Any], *path: str) -> Any:
    node: Any = doc
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            raise ParametersInvalid(f"parameter {'.'.join(path)} is missing")
        node = node[part]
    if not isinstance(node, Mapping) or "value" not in node or "source" not in node:
        raise ParametersInvalid(f"parameter {'.'.join(path)} has no value and source")
    if node.get("mark") not in ("confirmed", "secondary", "unconfirmed"):
        raise ParametersInvalid(f"parameter {'.'.join(path)} has no confidence mark")
    if node["mark"] == "unconfirmed" and node.get("configuration") is not True:
        raise ParametersInvalid(f"parameter {'.'.join(path)} is unconfirmed: mark it configuration")
    return node["value"]


def _int(doc: Mapping[str, Any], *path: str) -> int:
    value = _figure(doc, *path)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ParametersInvalid(f"parameter {'.'.join(path)} is not a whole number >= 0")
    return value


def _rate(doc: Mapping[str, Any], *path: str) -> Decimal:
    try:
        rate = Decimal(str(_figure(doc, *path)))
    except InvalidOperation:
        raise ParametersInvalid(f"parameter {'.'.join(path)} is not a decimal rate") from None
    if not Decimal(0) <= rate < Decimal(1):
        raise ParametersInvalid(f"parameter {'.'.join(path)} is not a rate between 0 and 1")
    return rate


def _rounding(doc: Mapping[str, Any], section: str, premium_minimum: bool) -> Rounding:
    return Rounding(
        base_unit=_int(doc, section, "base_unit"),
        minimum=_int(doc, section, "amount_minimum"),
        unit=_int(doc, section, "amount_unit"),
        premium_minimum=_int(doc, section, "premium_minimum") if premium_minimum else 0,
    )


def parse_rules(national: Mapping[str, Any], city: Mapping[str, Any]) -> CollectionRules:
    years = national.get("years")
    if not isinstance(years, Mapping) or not years:
        raise ParametersInvalid("parameter years is missing")
    rates = {
        int(y): YearRates(
            int(y),
            _rate(national, "years", y, "early"),
            _rate(national, "years", y, "later"),
            _rate(national, "years", y, "refund"),
        )
        for y in years
    }
    start = _figure(city, "late_charge", "start")
    if start not in LATE_CHARGE_STARTS:
        raise ParametersInvalid(f"late_charge.start is one of {', '.join(LATE_CHARGE_STARTS)}")
    if _figure(national, "refund_interest", "start") != "day_after_payment":
        raise ParametersInvalid("refund_interest.start: only day_after_payment is implemented")
    return CollectionRules(
        rates=rates,
        days_in_year=_int(national, "late_charge", "days_in_year"),
        late_charge=_rounding(national, "late_charge", premium_minimum=True),
        refund_interest=_rounding(national, "refund_interest", premium_minimum=False),
        late_charge_start=start,
        early_months=_int(city, "late_charge", "early_months"),
        dunning_after_days=max(1, _int(city, "dunning", "issue_after_days")),
        designated_deadline_days=_int(city, "dunning", "designated_deadline_days"),
        dunning_fee=_int(city, "dunning", "fee"),
        prescription_years=_int(national, "prescription", "years"),
        documents=(str(national["meta"]["version"]), str(city["meta"]["version"])),
    )
