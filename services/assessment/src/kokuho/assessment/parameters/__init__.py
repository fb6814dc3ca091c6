"""Versioned premium parameter files: ``national-<FY>.toml`` and ``<city>-<FY>.toml``.

Read with :mod:`tomllib`; figures are turned into :class:`PremiumParameters` by the domain
(``parse_parameters``), which refuses a year whose files are missing or incomplete.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from kokuho.assessment.domain.errors import ParametersIncomplete, ParametersMissing
from kokuho.assessment.domain.parameters import PremiumParameters, flatten, parse_parameters
from kokuho.assessment.domain.parameters.parse import UNCONFIRMED
from kokuho.assessment.domain.retention import RetentionRule

DEFAULT_CITY = "hiroshima"


def _text(name: str, directory: Path | None) -> str | None:
    if directory is not None:
        path = directory / name
        return path.read_text(encoding="utf-8") if path.is_file() else None
    resource = resources.files(__name__).joinpath(name)
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


def load_document(text: str, fiscal_year: int, scope: str) -> dict[str, Any]:
    """Parse a TOML parameter document, a syntax error being an incomplete year."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParametersIncomplete(fiscal_year, scope, (f"not valid TOML: {exc}",)) from exc


#: figures a city file may add to a component although the packaged file leaves them out
OPTIONAL_COMPONENT_FIGURES = {
    "adult_per_capita",
    "specified_per_household",
    "specified_continuing_per_household",
}

#: packaged demonstration files (``demo/<city>-<FY>.toml``) standing in for a city file marked
#: unconfirmed, read only with ``demo=True`` (the local demo; ADR 0036)
DEMO_DIRECTORY = "demo"


def _demo_text(name: str) -> str | None:
    resource = resources.files(__name__).joinpath(DEMO_DIRECTORY, name)
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


def _documents(
    fiscal_year: int, city: str, directory: Path | None, demo: bool
) -> tuple[dict[str, Any], dict[str, Any], tuple[str, str], str]:
    """The year's two documents, their names and the digest of their text."""
    national_name = f"national-{fiscal_year}.toml"
    city_name = f"{city}-{fiscal_year}.toml"
    national_text = _text(national_name, directory)
    city_text = _text(city_name, directory)
    if national_text is None:
        raise ParametersMissing(fiscal_year, "national")
    if city_text is None:
        raise ParametersMissing(fiscal_year, city)
    national = load_document(national_text, fiscal_year, "national")
    city_doc = load_document(city_text, fiscal_year, city)
    if demo and city_doc.get("meta", {}).get("status") == UNCONFIRMED:
        demo_text = _demo_text(city_name)
        if demo_text is not None:
            city_text = demo_text
            city_doc = load_document(demo_text, fiscal_year, city)
            city_name = f"{DEMO_DIRECTORY}/{city_name}"
    digest = hashlib.sha256((national_text + "\0" + city_text).encode()).hexdigest()
    return national, city_doc, (national_name, city_name), digest


def load_parameters(
    fiscal_year: int,
    city: str = DEFAULT_CITY,
    directory: Path | None = None,
    *,
    demo: bool = False,
) -> PremiumParameters:
    """The year's parameters from the package's files (or ``directory``). With ``demo``, a
    city file marked unconfirmed is replaced by the packaged demonstration file of that year,
    if there is one (never a real city file)."""
    national, city_doc, names, digest = _documents(fiscal_year, city, directory, demo)
    params = parse_parameters(fiscal_year, city, national, city_doc, names)
    return dataclasses.replace(params, digest=digest)


def candidate_parameters(
    fiscal_year: int,
    name: str,
    figures: Mapping[str, Any],
    city: str = DEFAULT_CITY,
    directory: Path | None = None,
    *,
    demo: bool = False,
) -> PremiumParameters:
    """The year's parameters with some of the city file's figures replaced (a candidate of a
    rate simulation or a what-if; ADR 0039): ``figures`` maps dotted names of the city file
    (``components.medical.income_rate``, ``conventions.rounding_unit``, ``city_reductions``)
    to values written as in the file. Every figure is checked as the file's own would be; a
    name the city file does not have is refused. Nothing is stored."""
    load_parameters(fiscal_year, city, directory, demo=demo)  # the current year must stand
    national, city_doc, (national_name, city_name), _ = _documents(
        fiscal_year, city, directory, demo
    )
    city_doc = copy.deepcopy(city_doc)
    known = flatten(city_doc.get("figures", {}))
    problems: list[str] = []
    for dotted, value in figures.items():
        *parents, leaf = dotted.split(".")
        optional = leaf in OPTIONAL_COMPONENT_FIGURES and parents[:1] == ["components"]
        if dotted not in known and not optional:
            problems.append(f"{dotted}: not a figure of {city_name}")
            continue
        table = city_doc.setdefault("figures", {})
        for part in parents:
            table = table.setdefault(part, {})
        table[leaf] = {
            "value": value,
            "mark": "unconfirmed",
            "configuration": True,
            "source": f"candidate {name} (not in force)",
        }
    if problems:
        raise ParametersIncomplete(fiscal_year, f"candidate {name}", tuple(problems))
    params = parse_parameters(
        fiscal_year, city, national, city_doc, (national_name, f"{city_name} + candidate {name}")
    )
    return dataclasses.replace(params, digest="")


def available_years(city: str = DEFAULT_CITY) -> list[int]:
    years = []
    for entry in resources.files(__name__).iterdir():
        name = entry.name
        if name.startswith(f"{city}-") and name.endswith(".toml"):
            years.append(int(name.removeprefix(f"{city}-").removesuffix(".toml")))
    return sorted(years)


def load_retention(directory: Path | None = None) -> RetentionRule:
    """``retention.toml`` (C-95, ADR 0096): fails closed on a missing file or figure."""
    text = _text("retention.toml", directory) or _text("retention.toml", None)
    if text is None:
        raise ValueError("retention.toml: no retention parameters; the job erases nothing")
    section = tomllib.loads(text).get("retention", {})
    missing = [k for k in ("years", "source", "confidence") if k not in section]
    if missing:
        raise ValueError(f"retention.toml: missing {missing}; the job erases nothing")
    return RetentionRule(int(section["years"]), str(section["source"]))
