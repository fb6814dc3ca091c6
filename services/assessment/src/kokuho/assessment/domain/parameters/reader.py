"""Reading figures out of a parameter document.

Every leaf figure is a table ``{value = ..., mark = "confirmed"|"secondary"|"unconfirmed",
source = "...", configuration = true|false}``; an ``unconfirmed`` figure must say
``configuration = true`` (it is the city's setting until the official figure is known). Ratios
are decimal strings so that no binary float ever holds a rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from kokuho.assessment.domain.parameters.model import Figure

MARKS = {"confirmed": "✅", "secondary": "◐", "unconfirmed": "❌"}


def flatten(document: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted names of the leaves of a parameter document; a figure table is a leaf."""
    out: dict[str, Any] = {}
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and "value" not in value:
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


class FigureReader:
    """Reads the figures of one parameter document, collecting a problem for each figure that is
    missing, malformed or of the wrong kind instead of stopping at the first."""

    def __init__(self, fiscal_year: int, scope: str, document: Mapping[str, Any]) -> None:
        self.fiscal_year = fiscal_year
        self.scope = scope
        self.leaves = flatten(document.get("figures", {}))
        self.problems: list[str] = []
        self.figures: dict[str, Figure] = {}

    def figure(self, name: str, *, optional: bool = False) -> Figure | None:
        raw = self.leaves.get(name)
        if raw is None:
            if not optional:
                self.problems.append(f"{name}: missing")
            return None
        if not isinstance(raw, Mapping):
            self.problems.append(f"{name}: not a figure table")
            return None
        mark = raw.get("mark")
        source = raw.get("source")
        configuration = raw.get("configuration", False)
        if mark not in MARKS:
            self.problems.append(f"{name}: mark must be one of {sorted(MARKS)}")
            return None
        if not isinstance(source, str) or not source.strip():
            self.problems.append(f"{name}: source missing")
            return None
        if not isinstance(configuration, bool):
            self.problems.append(f"{name}: configuration must be true or false")
            return None
        if mark == "unconfirmed" and not configuration:
            self.problems.append(f"{name}: an unconfirmed figure must be marked configuration")
            return None
        fig = Figure(raw["value"], mark, source, configuration)
        self.figures[f"{self.scope}.{name}"] = fig
        return fig

    def yen(self, name: str, *, optional: bool = False) -> int | None:
        fig = self.figure(name, optional=optional)
        if fig is None:
            return None
        if not isinstance(fig.value, int) or isinstance(fig.value, bool) or fig.value < 0:
            self.problems.append(f"{name}: must be a non-negative integer")
            return None
        return int(fig.value)

    def ratio(self, name: str) -> Decimal | None:
        fig = self.figure(name)
        if fig is None:
            return None
        # ratios are strings in the files so that no binary float ever holds a rate
        if not isinstance(fig.value, str):
            self.problems.append(f'{name}: must be a decimal string such as "0.0830"')
            return None
        try:
            value = Decimal(fig.value)
        except InvalidOperation:
            self.problems.append(f"{name}: {fig.value!r} is not a decimal")
            return None
        if not value.is_finite() or value < 0 or value > 1:
            self.problems.append(f"{name}: must lie between 0 and 1")
            return None
        return value

    def flag(self, name: str) -> bool | None:
        fig = self.figure(name)
        if fig is None:
            return None
        if not isinstance(fig.value, bool):
            self.problems.append(f"{name}: must be true or false")
            return None
        return fig.value

    def choice(self, name: str, choices: set[str]) -> str | None:
        fig = self.figure(name)
        if fig is None:
            return None
        if not isinstance(fig.value, str) or fig.value not in choices:
            self.problems.append(f"{name}: must be one of {sorted(choices)}")
            return None
        return str(fig.value)

    def day(self, name: str) -> date | None:
        fig = self.figure(name)
        if fig is None:
            return None
        if not isinstance(fig.value, date):
            self.problems.append(f"{name}: must be a date")
            return None
        return fig.value


def check_meta(
    document: Mapping[str, Any], scope: str, fiscal_year: int, problems: list[str]
) -> None:
    meta = document.get("meta", {})
    if meta.get("fiscal_year") != fiscal_year:
        problems.append(f"{scope} meta.fiscal_year is not {fiscal_year}")
