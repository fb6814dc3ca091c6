"""Versioned premium parameter files: ``national-<FY>.toml`` and ``<city>-<FY>.toml``.

Read with :mod:`tomllib`; figures are turned into :class:`PremiumParameters` by the domain
(``parse_parameters``), which refuses a year whose files are missing or incomplete.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from kokuho.assessment.domain.errors import ParametersIncomplete, ParametersMissing
from kokuho.assessment.domain.parameters import PremiumParameters, parse_parameters

DEFAULT_CITY = "hiroshima"


def _read(name: str, directory: Path | None) -> dict[str, Any] | None:
    if directory is not None:
        path = directory / name
        if not path.is_file():
            return None
        text = path.read_text(encoding="utf-8")
    else:
        resource = resources.files(__name__).joinpath(name)
        if not resource.is_file():
            return None
        text = resource.read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_document(text: str, fiscal_year: int, scope: str) -> dict[str, Any]:
    """Parse a TOML parameter document, a syntax error being an incomplete year."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParametersIncomplete(fiscal_year, scope, (f"not valid TOML: {exc}",)) from exc


def load_parameters(
    fiscal_year: int, city: str = DEFAULT_CITY, directory: Path | None = None
) -> PremiumParameters:
    """The year's parameters from the package's files (or ``directory``)."""
    national_name = f"national-{fiscal_year}.toml"
    city_name = f"{city}-{fiscal_year}.toml"
    try:
        national = _read(national_name, directory)
        city_doc = _read(city_name, directory)
    except tomllib.TOMLDecodeError as exc:
        raise ParametersIncomplete(fiscal_year, city, (f"not valid TOML: {exc}",)) from exc
    if national is None:
        raise ParametersMissing(fiscal_year, "national")
    if city_doc is None:
        raise ParametersMissing(fiscal_year, city)
    return parse_parameters(fiscal_year, city, national, city_doc, (national_name, city_name))


def available_years(city: str = DEFAULT_CITY) -> list[int]:
    years = []
    for entry in resources.files(__name__).iterdir():
        name = entry.name
        if name.startswith(f"{city}-") and name.endswith(".toml"):
            years.append(int(name.removeprefix(f"{city}-").removesuffix(".toml")))
    return sorted(years)
