"""The versioned parameter file of delinquency, read into ``Rules`` at start. A figure
without ``value``, ``mark`` and ``source`` (or unconfirmed without ``configuration = true``)
stops the service with its name."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from kokuho.delinquency.domain.parameters import Rules, WageExemption
from kokuho.platform.retention import RetentionPeriod, load_period_file

DEFAULT_FILE = "delinquency-2026.toml"
MARKS = ("confirmed", "secondary", "unconfirmed")


class ParametersInvalid(ValueError):
    pass


def _figure(data: dict[str, Any], section: str, name: str) -> int:
    entry = data.get(section, {}).get(name)
    where = f"[{section}] {name}"
    if not isinstance(entry, dict) or not isinstance(entry.get("value"), int):
        raise ParametersInvalid(f"{where}: an integer value is required")
    if entry.get("mark") not in MARKS or not entry.get("source"):
        raise ParametersInvalid(f"{where}: a mark ({', '.join(MARKS)}) and a source are required")
    if entry["mark"] == "unconfirmed" and entry.get("configuration") is not True:
        raise ParametersInvalid(f"{where}: an unconfirmed figure says configuration = true")
    value: int = entry["value"]
    return value


def parse_rules(data: dict[str, Any]) -> Rules:
    return Rules(
        prescription_years=_figure(data, "prescription", "years"),
        suspension_extinction_years=_figure(data, "relief", "suspension_extinction_years"),
        deferral_max_months=_figure(data, "relief", "deferral_max_months"),
        special_care_after_months=_figure(data, "special_care", "after_months"),
        withhold_after_months=_figure(data, "special_care", "withhold_after_months"),
        advance_notice_days=_figure(data, "special_care", "advance_notice_days"),
        wage_exemption=WageExemption(
            base=_figure(data, "wage_exemption", "base"),
            per_dependant=_figure(data, "wage_exemption", "per_dependant"),
            rate_percent=_figure(data, "wage_exemption", "rate_percent"),
            rate_cap_multiple=_figure(data, "wage_exemption", "rate_cap_multiple"),
        ),
    )


def load_rules(path: Path | None = None) -> Rules:
    if path is not None:
        text = path.read_text(encoding="utf-8")
    else:
        text = resources.files(__name__).joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
    try:
        return parse_rules(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise ParametersInvalid(f"the parameter file is not valid TOML: {exc}") from exc


def load_retention(directory: Path | None = None) -> RetentionPeriod:
    """``retention.toml`` (C-95, ADR 0100), from ``directory`` when it holds one: fails closed
    on a missing file, section or figure."""
    return load_period_file(__name__, directory)
