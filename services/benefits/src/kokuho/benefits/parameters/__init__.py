"""Versioned parameter files of benefits, read with :mod:`tomllib`.

``high-cost-<YYYY-MM>.toml``: the 高額療養費 limits in force from that treatment month
(see README.md). :func:`load_schedule` reads every one into a
:class:`~kokuho.benefits.domain.high_cost.limits.LimitSchedule`; a malformed file refuses the
whole schedule (the service does not start on half a table).
"""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources
from pathlib import Path

from kokuho.benefits.domain.combined_care import CombinedLimits
from kokuho.benefits.domain.errors import LimitParametersIncomplete
from kokuho.benefits.domain.high_cost.limits import (
    ElderlyCategory,
    Figure,
    LimitSchedule,
    LimitTable,
    Under70Category,
)
from kokuho.benefits.domain.high_cost.parse import parse_income_lines, parse_limit_table
from kokuho.benefits.domain.income_category import IncomeLines
from kokuho.benefits.domain.income_facts import ZeroIncomeFigures, ZeroIncomeRule
from kokuho.benefits.domain.lump_sum import Amounts, AmountSchedule
from kokuho.benefits.domain.medical_expense import Rates
from kokuho.platform.retention import RetentionPeriod, load_period_file

PREFIX = "high-cost-"
INCOME_LINES = "income-category-2018-08.toml"


def _table(name: str, text: str) -> LimitTable:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LimitParametersIncomplete(f"{name}: not valid TOML: {exc}") from exc
    return parse_limit_table(document, name)


def load_schedule(directory: Path | None = None) -> LimitSchedule:
    """Every ``high-cost-*.toml`` of the package (or of ``directory``)."""
    if directory is not None:
        files = [(p.name, p.read_text(encoding="utf-8")) for p in directory.iterdir()]
    else:
        files = [
            (entry.name, entry.read_text(encoding="utf-8"))
            for entry in resources.files(__name__).iterdir()
            if entry.is_file()
        ]
    tables = [
        _table(name, text)
        for name, text in sorted(files)
        if name.startswith(PREFIX) and name.endswith(".toml")
    ]
    if not tables:
        raise LimitParametersIncomplete("no high-cost-*.toml parameter file")
    return LimitSchedule(tuple(tables))


def load_income_lines(directory: Path | None = None) -> IncomeLines:
    """The 所得区分 and 70–74 rate lines (``income-category-2018-08.toml``)."""
    if directory is not None:
        text = (directory / INCOME_LINES).read_text(encoding="utf-8")
    else:
        text = resources.files(__name__).joinpath(INCOME_LINES).read_text(encoding="utf-8")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LimitParametersIncomplete(f"{INCOME_LINES}: not valid TOML: {exc}") from exc
    return parse_income_lines(document, INCOME_LINES)


LUMP_SUMS = "lump-sums.toml"


def load_lump_sums(directory: Path | None = None) -> AmountSchedule:
    """葬祭費 and 出産育児一時金 by period (``lump-sums.toml``); a missing figure refuses it."""
    if directory is not None:
        text = (directory / LUMP_SUMS).read_text(encoding="utf-8")
    else:
        text = resources.files(__name__).joinpath(LUMP_SUMS).read_text(encoding="utf-8")
    try:
        periods = tomllib.loads(text)["figures"].values()
        return AmountSchedule(
            tuple(
                Amounts(
                    date.fromisoformat(p["effective_from"]),
                    int(p["funeral"]["value"]),
                    int(p["childbirth_covered"]["value"]),
                    int(p["childbirth_not_covered"]["value"]),
                )
                for p in periods
            )
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise LimitParametersIncomplete(f"{LUMP_SUMS}: {exc!r}") from exc


MEDICAL_EXPENSES = "medical-expenses.toml"


def load_medical_expense_rates(directory: Path | None = None) -> Rates:
    """The 療養費 default rates and rounding (``medical-expenses.toml``)."""
    if directory is not None:
        text = (directory / MEDICAL_EXPENSES).read_text(encoding="utf-8")
    else:
        text = resources.files(__name__).joinpath(MEDICAL_EXPENSES).read_text(encoding="utf-8")
    try:
        f = tomllib.loads(text)["figures"]
        return Rates(
            int(f["default_rate_under_70"]["value"]),
            int(f["default_rate_70_74"]["value"]),
            int(f["round_down_to"]["value"]),
            int(f["special_care_copay_round_to"]["value"]),
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise LimitParametersIncomplete(f"{MEDICAL_EXPENSES}: {exc!r}") from exc


ZERO_INCOME = "zero-income.toml"


def _figure(raw: dict[str, object]) -> Figure:
    mark, source = str(raw["mark"]), str(raw["source"])
    configuration = bool(raw.get("configuration", False))
    if not isinstance(raw["value"], int) or not source:
        raise ValueError("a figure needs an integer value and a source")
    if mark == "unconfirmed" and not configuration:
        raise ValueError("an unconfirmed figure must say configuration = true")
    return Figure(raw["value"], mark, source, configuration)


def load_zero_income(directory: Path | None = None) -> ZeroIncomeRule:
    """The 低所得Ⅰ zero-income test's deductions by period (``zero-income.toml``)."""
    if directory is not None:
        text = (directory / ZERO_INCOME).read_text(encoding="utf-8")
    else:
        text = resources.files(__name__).joinpath(ZERO_INCOME).read_text(encoding="utf-8")
    try:
        periods = tomllib.loads(text)["figures"].values()
        return ZeroIncomeRule(
            tuple(
                ZeroIncomeFigures(
                    date.fromisoformat(p["effective_from"]),
                    _figure(p["pension_deduction"]),
                    _figure(p["salary_deduction"]),
                )
                for p in periods
            )
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise LimitParametersIncomplete(f"{ZERO_INCOME}: {exc!r}") from exc


COMBINED_CARE = "combined-care-2018-08.toml"


def load_combined_limits(directory: Path | None = None) -> CombinedLimits:
    """The 高額介護合算療養費 limits (``combined-care-2018-08.toml``); a gap refuses them."""
    if directory is not None:
        text = (directory / COMBINED_CARE).read_text(encoding="utf-8")
    else:
        text = resources.files(__name__).joinpath(COMBINED_CARE).read_text(encoding="utf-8")
    try:
        f = tomllib.loads(text)["figures"]
        figures = {
            f"{group}.{name}": _figure(raw)
            for group in ("under_70", "elderly", "rules")
            for name, raw in f[group].items()
        }
        return CombinedLimits(
            {c: int(f["under_70"][c.value]["value"]) for c in Under70Category},
            {c: int(f["elderly"][c.value]["value"]) for c in ElderlyCategory},
            int(f["rules"]["floor"]["value"]),
            int(f["rules"]["under_70_unit_from"]["value"]),
            figures,
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise LimitParametersIncomplete(f"{COMBINED_CARE}: {exc!r}") from exc


def load_retention(directory: Path | None = None) -> RetentionPeriod:
    """``retention.toml`` (C-95, ADR 0100), from ``directory`` when it holds one: fails closed
    on a missing file, section or figure."""
    return load_period_file(__name__, directory)
