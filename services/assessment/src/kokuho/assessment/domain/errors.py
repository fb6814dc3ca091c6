"""Named domain errors of assessment. Each carries the fields a clerk needs to see what broke."""

from __future__ import annotations

from datetime import date

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


class ParametersUnconfirmed(ParametersIncomplete):
    """The city's parameter file of the year says ``status = "unconfirmed"``: the year's rates
    are not known yet, so the year is refused (never assessed with another year's rates)."""

    slug = "parameters-unconfirmed"

    def __init__(
        self, fiscal_year: int, scope: str, file_name: str, reason: str, missing: tuple[str, ...]
    ) -> None:
        what = (
            ", ".join(missing)
            if missing
            else "every figure is present, the city has not confirmed them"
        )
        AssessmentError.__init__(
            self,
            f"{file_name} is marked unconfirmed ({reason}): fiscal year {fiscal_year} is not "
            f"assessed until the city supplies the file with its figures and removes "
            f"meta.status (another year's rates are never used); missing: {what}",
        )
        self.fiscal_year = fiscal_year
        self.scope = scope
        self.problems = missing
        self.file_name = file_name
        self.reason = reason


class CorrectionPeriodExpired(AssessmentError):
    """The fiscal year lies before the correction period (ADR 0035): a premium may be assessed
    or corrected for the current fiscal year and the ``years`` before it (国保法110条: the right
    to collect or refund a 保険料 lapses after 2 years), never further back."""

    slug = "correction-period-expired"

    def __init__(self, fiscal_year: int, first_correctable_year: int, years: int, as_of: date):
        super().__init__(
            f"fiscal year {fiscal_year} is outside the correction period on {as_of.isoformat()}: "
            f"a premium may be assessed or corrected for the current fiscal year and the {years} "
            f"before it (国保法110条, correction.years of the national parameters; ADR 0035), "
            f"so the first correctable fiscal year is {first_correctable_year}"
        )
        self.fiscal_year = fiscal_year
        self.first_correctable_year = first_correctable_year
        self.years = years
        self.as_of = as_of


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
