"""Premium parameters of one fiscal year: the national figures (caps, reduction thresholds) and
the city's rates and conventions, each figure with its source and confidence mark.

Parsed from two documents (the national and the city parameter file, see
``kokuho/assessment/parameters/*.toml``). Every leaf figure is a table
``{value = ..., mark = "confirmed"|"secondary"|"unconfirmed", source = "...",
configuration = true|false}``; an ``unconfirmed`` figure must say ``configuration = true`` (it
is the city's setting until the official figure is known). A figure that is missing, malformed
or of the wrong kind makes the whole year refuse to run (:class:`ParametersIncomplete`).

- :mod:`.model`: the parameters as the engine sees them;
- :mod:`.reader`: reading and checking one figure;
- :mod:`.parse`: building a year from its two documents (the national figures there);
- :mod:`.city_file`: the city file's conventions, instalments and reductions.
"""

from kokuho.assessment.domain.parameters.model import (
    CityReduction,
    Component,
    ComponentRates,
    Conventions,
    Figure,
    IncomeBand,
    IncomeConversion,
    InstalmentCalendar,
    PremiumParameters,
    ReductionRules,
    SpecialCollectionRules,
)
from kokuho.assessment.domain.parameters.parse import parse_parameters
from kokuho.assessment.domain.parameters.reader import MARKS, FigureReader, flatten

__all__ = [
    "MARKS",
    "CityReduction",
    "Component",
    "ComponentRates",
    "Conventions",
    "Figure",
    "FigureReader",
    "IncomeBand",
    "IncomeConversion",
    "InstalmentCalendar",
    "PremiumParameters",
    "ReductionRules",
    "SpecialCollectionRules",
    "flatten",
    "parse_parameters",
]
