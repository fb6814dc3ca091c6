"""Named domain errors of assessment. Each carries the fields a clerk needs to see what broke."""

from __future__ import annotations

from kokuho.platform.errors import DomainError


class AssessmentError(DomainError):
    """Base class: a rule of assessment refuses the command (422 unless a subclass says)."""


class ParametersMissing(AssessmentError):
    """No parameter file exists for the fiscal year (the engine never guesses a year's rates)."""

    slug = "parameters-missing"

    def __init__(self, fiscal_year: int, scope: str) -> None:
        super().__init__(f"no {scope} premium parameters for fiscal year {fiscal_year}")
        self.fiscal_year = fiscal_year
        self.scope = scope


class ParametersIncomplete(AssessmentError):
    """A parameter file lacks figures the engine needs (or a figure is malformed)."""

    slug = "parameters-incomplete"

    def __init__(self, fiscal_year: int, scope: str, problems: tuple[str, ...]) -> None:
        super().__init__(
            f"{scope} premium parameters for fiscal year {fiscal_year} are incomplete: "
            + "; ".join(problems)
        )
        self.fiscal_year = fiscal_year
        self.scope = scope
        self.problems = problems


class HouseholdInvalid(AssessmentError):
    """The described household cannot be assessed as given (e.g. no householder in it)."""

    slug = "household-invalid"

    def __init__(self, household_number: str, reason: str) -> None:
        super().__init__(f"household {household_number}: {reason}")
        self.household_number = household_number
        self.reason = reason


class NoInsuredMonths(AssessmentError):
    """No member of the household is insured in any month of the fiscal year."""

    slug = "no-insured-months"

    def __init__(self, household_number: str, fiscal_year: int) -> None:
        super().__init__(f"household {household_number} has no insured month in FY{fiscal_year}")
        self.household_number = household_number
        self.fiscal_year = fiscal_year
