"""The versioned parameter files of collection: ``rates.toml`` (national: 延滞金 and 還付加算金
rates by calendar year, rounding, prescription) and ``<city>.toml`` (督促 and the 延滞金
period). Parsed by ``kokuho.collection.domain.parameters.parse_rules``."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from kokuho.collection.domain.errors import ParametersInvalid
from kokuho.collection.domain.parameters import CollectionRules, parse_rules
from kokuho.platform.retention import RetentionPeriod, load_period_file

DEFAULT_CITY = "hiroshima"


def _read(name: str, directory: Path | None) -> dict[str, object]:
    if directory is not None:
        path = directory / name
        text = path.read_text(encoding="utf-8") if path.is_file() else None
    else:
        resource = resources.files(__name__).joinpath(name)
        text = resource.read_text(encoding="utf-8") if resource.is_file() else None
    if text is None:
        raise ParametersInvalid(f"parameter file {name} is missing")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParametersInvalid(f"parameter file {name} is not valid TOML: {exc}") from exc


def load_rules(city: str = DEFAULT_CITY, directory: Path | None = None) -> CollectionRules:
    return parse_rules(_read("rates.toml", directory), _read(f"{city}.toml", directory))


def load_retention(directory: Path | None = None) -> RetentionPeriod:
    """``retention.toml`` (C-95, ADR 0100), from ``directory`` when it holds one: fails closed
    on a missing file, section or figure."""
    return load_period_file(__name__, directory)
