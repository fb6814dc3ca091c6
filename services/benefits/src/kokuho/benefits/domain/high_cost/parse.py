"""Building a :class:`LimitTable` from one parameter document (parsed TOML).

Every leaf figure is ``{value = ..., mark = "confirmed"|"secondary"|"unconfirmed",
source = "...", configuration = true|false}``; an ``unconfirmed`` figure must say
``configuration = true``. A missing or malformed figure refuses the whole table
(:class:`LimitParametersIncomplete`, naming every problem), so no month is computed on half a
table.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from kokuho.benefits.domain.errors import LimitParametersIncomplete
from kokuho.benefits.domain.high_cost.limits import (
    ElderlyCategory,
    ElderlyLimits,
    Figure,
    Limit,
    LimitTable,
    Under70Category,
)
from kokuho.benefits.domain.income_category import IncomeLines

MARKS = {"confirmed": "✅", "secondary": "◐", "unconfirmed": "❌"}


class _Reader:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document.get("figures", {})
        self.problems: list[str] = []
        self.figures: dict[str, Figure] = {}

    def _raw(self, name: str) -> Any:
        node: Any = self.document
        for part in name.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return None
            node = node[part]
        return node

    def yen(self, name: str, *, optional: bool = False) -> int | None:
        raw = self._raw(name)
        if raw is None:
            if not optional:
                self.problems.append(f"{name}: missing")
            return None
        if not isinstance(raw, Mapping):
            self.problems.append(f"{name}: not a figure table")
            return None
        mark, source = raw.get("mark"), raw.get("source")
        configuration = raw.get("configuration", False)
        value = raw.get("value")
        if mark not in MARKS:
            self.problems.append(f"{name}: mark must be one of {sorted(MARKS)}")
        elif not isinstance(source, str) or not source.strip():
            self.problems.append(f"{name}: source missing")
        elif not isinstance(configuration, bool):
            self.problems.append(f"{name}: configuration must be true or false")
        elif mark == "unconfirmed" and not configuration:
            self.problems.append(f"{name}: an unconfirmed figure must be marked configuration")
        elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.problems.append(f"{name}: must be a non-negative integer")
        else:
            self.figures[name] = Figure(value, MARKS[mark], source, configuration)
            return value
        return None

    def limit(self, prefix: str, base: str = "base", threshold: str = "threshold") -> Limit:
        return Limit(
            self.yen(f"{prefix}.{base}") or 0,
            self.yen(f"{prefix}.{threshold}", optional=True),
            self.yen(f"{prefix}.many_times", optional=True),
        )


def _month(value: Any) -> date | None:
    try:
        year, month = str(value).split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        return None


def parse_limit_table(document: Mapping[str, Any], name: str) -> LimitTable:
    """The table of one document; ``name`` (the file name) is cited in explanations."""
    meta = document.get("meta", {})
    effective_from = _month(meta.get("effective_from"))
    reader = _Reader(document)
    if effective_from is None:
        reader.problems.append("meta.effective_from: a treatment month YYYY-MM")
    under_70 = {c: reader.limit(f"under_70.{c.value}") for c in Under70Category}
    elderly = {
        c: ElderlyLimits(
            reader.limit(f"elderly.{c.value}", "household_base", "household_threshold"),
            reader.yen(f"elderly.{c.value}.outpatient", optional=True),
            reader.yen(f"elderly.{c.value}.outpatient_annual_cap", optional=True),
        )
        for c in ElderlyCategory
    }
    caps: dict[str, int] = {}
    for code in [*Under70Category, *ElderlyCategory]:
        cap = reader.yen(f"{_group(code)}.{code.value}.annual_cap", optional=True)
        if cap is not None:
            caps[code.value] = cap
    floor = reader.yen("rules.floor_under_70")
    after = reader.yen("rules.many_times_after")
    if reader.problems or effective_from is None or floor is None or after is None:
        raise LimitParametersIncomplete(f"{name}: " + "; ".join(reader.problems))
    return LimitTable(
        effective_from, name, under_70, elderly, caps, floor, after, dict(reader.figures)
    )


def _group(code: Under70Category | ElderlyCategory) -> str:
    return "under_70" if isinstance(code, Under70Category) else "elderly"


INCOME_LINE_NAMES = (
    "under_70.a_over",
    "under_70.i_over",
    "under_70.u_over",
    "elderly.active_3_from",
    "elderly.active_2_from",
    "elderly.active_1_from",
    "elderly.old_proviso_total_up_to",
    "elderly.revenue_single_under",
    "elderly.revenue_several_under",
)


def parse_income_lines(document: Mapping[str, Any], name: str) -> IncomeLines:
    """The 所得区分 lines of one document, every figure required."""
    reader = _Reader(document)
    values = {figure.split(".")[1]: reader.yen(figure) or 0 for figure in INCOME_LINE_NAMES}
    if reader.problems:
        raise LimitParametersIncomplete(f"{name}: " + "; ".join(reader.problems))
    return IncomeLines(name=name, figures=dict(reader.figures), **values)
