"""Statistics of the delinquency file (DLQ-307-313): arrears by fiscal year, stage and ward,
the collection rate of the arrears (current fiscal year and past years), and cases per officer.
The rate is of what reached delinquency (paid / dunned principal), not collection's overall
rate of all charges."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from kokuho.delinquency.domain.model import Arrear, Case


@dataclass(frozen=True)
class Line:
    dimension: str  # fiscal_year | stage | ward | officer | period_class
    key: str
    cases: int
    principal: int
    paid: int
    written_off: int
    outstanding: int

    @property
    def rate_percent(self) -> Decimal:
        if self.principal == 0:
            return Decimal("0.0")
        return (Decimal(100 * self.paid) / self.principal).quantize(Decimal("0.1"), ROUND_HALF_UP)


def fiscal_year_of(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _add(table: dict[str, list[int]], key: str, a: Arrear) -> None:
    row = table.setdefault(key, [0, 0, 0, 0])
    row[0] += a.principal
    row[1] += a.paid
    row[2] += a.written_off
    row[3] += a.outstanding


def statistics(cases: Iterable[Case], today: date) -> list[Line]:
    """One line per value of each dimension, in dimension then key order."""
    current = fiscal_year_of(today)
    tables: dict[str, dict[str, list[int]]] = {}
    members: dict[tuple[str, str], set[str]] = {}
    for case in cases:
        if case.status not in ("open", "closed"):
            continue
        for a in case.arrears:
            keys = {
                "fiscal_year": str(a.fiscal_year),
                "period_class": "current" if a.fiscal_year >= current else "past",
                "stage": case.stage or "none",
                "ward": case.ward or "unknown",
                "officer": case.officer or "unassigned",
            }
            for dimension, key in keys.items():
                _add(tables.setdefault(dimension, {}), key, a)
                members.setdefault((dimension, key), set()).add(case.household)
    return [
        Line(dim, key, len(members[(dim, key)]), *row)
        for dim in sorted(tables)
        for key, row in sorted(tables[dim].items())
    ]
