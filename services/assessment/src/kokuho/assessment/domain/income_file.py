"""The income file from the municipal tax system (所得情報, NHI-A-28..32), validated line by
line. The format is documented in the service README ("Income file format"). Format 2 adds two
columns benefits needs (課税標準額 and other 収入, ADR 0045); format 1 files stay valid.

A file is all or nothing: :func:`parse_income_file` returns the valid records *and* every
refused line with its number and reason; the caller applies nothing while there are refused
lines unless the operator explicitly chooses to apply the valid part.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from kokuho.assessment.domain.household import Income

COLUMNS = (
    "addressee_number",
    "income_year",
    "birth_date",
    "declared",
    "salary_revenue",
    "salary_income",
    "pension_revenue",
    "pension_income",
    "other_income",
    "family_employee_deduction",
    "transfer_special_deduction",
    "fixed_asset_tax",
    "resident_tax_status",
)
AMOUNTS = COLUMNS[4:12]
#: format 2: what 所得区分 and the 70–74 rate need besides (ADR 0045)
BENEFIT_COLUMNS = ("taxable_income", "other_revenue")
COLUMNS_2 = (*COLUMNS, *BENEFIT_COLUMNS)
RESIDENT_TAX_STATUSES = ("taxable", "non_taxable", "unknown")
MAX_YEN = 100_000_000_000  # 1,000億円: anything above is a broken line, not an income
_ADDRESSEE = re.compile(r"^[0-9]{10}$")
_TWELVE_DIGITS = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
MAX_LINES = 500_000


@dataclass(frozen=True)
class BenefitFigures:
    """Format 2's figures: 住民税 課税標準額 (the 現役並み test) and 収入 other than salary and
    pension (business, real estate, ...: the 基準収入額 test), in yen."""

    taxable_income: int
    other_revenue: int


@dataclass(frozen=True)
class IncomeRecord:
    addressee_number: str
    income_year: int
    birth_date: date
    income: Income
    resident_tax_status: str
    #: None: a format-1 line (benefits' figures unknown)
    benefit_figures: BenefitFigures | None = None


@dataclass(frozen=True)
class RefusedLine:
    line: int  # 1-based line number in the file (the header is line 1)
    field: str | None
    reason: str


@dataclass(frozen=True)
class ParsedIncomeFile:
    lines: int  # data lines seen
    records: tuple[IncomeRecord, ...]
    refused: tuple[RefusedLine, ...]

    @property
    def valid(self) -> bool:
        return not self.refused


def _amount(raw: str, name: str) -> int:
    if not re.fullmatch(r"[0-9]{1,12}", raw):
        raise ValueError(f"{name} must be a non-negative integer of yen")
    value = int(raw)
    if value > MAX_YEN:
        raise ValueError(f"{name} is implausibly large")
    return value


def _parse_line(
    row: list[str], line: int, seen: set[tuple[str, int]], columns: tuple[str, ...]
) -> IncomeRecord:
    if len(row) != len(columns):
        raise _Refused(None, f"expected {len(columns)} fields, found {len(row)}")
    values = dict(zip(columns, (v.strip() for v in row), strict=True))
    for name, value in values.items():
        # an individual number must never reach assessment (ADR 0031); refuse, never store
        if _TWELVE_DIGITS.search(value):
            raise _Refused(name, "contains a 12-digit number (individual numbers are not accepted)")
    number = values["addressee_number"]
    if not _ADDRESSEE.match(number):
        raise _Refused("addressee_number", "must be 10 digits")
    try:
        year = int(values["income_year"])
    except ValueError:
        raise _Refused("income_year", "must be a year such as 2025") from None
    if not 2000 <= year <= 2100:
        raise _Refused("income_year", "must lie between 2000 and 2100")
    try:
        birth = date.fromisoformat(values["birth_date"])
    except ValueError:
        raise _Refused("birth_date", "must be an ISO date such as 1980-05-05") from None
    if birth.year > year + 1 or birth.year < 1890:
        raise _Refused("birth_date", "is not plausible for the income year")
    declared_raw = values["declared"]
    if declared_raw not in ("0", "1"):
        raise _Refused("declared", "must be 1 (income known) or 0 (not declared)")
    amounts: dict[str, int] = {}
    for name in AMOUNTS:
        try:
            amounts[name] = _amount(values[name], name)
        except ValueError as exc:
            raise _Refused(name, str(exc)) from None
    if amounts["salary_income"] > amounts["salary_revenue"]:
        raise _Refused("salary_income", "exceeds salary_revenue")
    if amounts["pension_income"] > amounts["pension_revenue"]:
        raise _Refused("pension_income", "exceeds pension_revenue")
    status = values["resident_tax_status"]
    if status not in RESIDENT_TAX_STATUSES:
        raise _Refused("resident_tax_status", f"must be one of {', '.join(RESIDENT_TAX_STATUSES)}")
    figures = _benefit_figures(values, amounts) if columns == COLUMNS_2 else None
    key = (number, year)
    if key in seen:
        raise _Refused("addressee_number", f"a second line for {number} and {year}")
    seen.add(key)
    return IncomeRecord(
        addressee_number=number,
        income_year=year,
        birth_date=birth,
        income=Income(declared=declared_raw == "1", **amounts),
        resident_tax_status=status,
        benefit_figures=figures,
    )


def _benefit_figures(values: dict[str, str], amounts: dict[str, int]) -> BenefitFigures:
    figures: dict[str, int] = {}
    for name in BENEFIT_COLUMNS:
        try:
            figures[name] = _amount(values[name], name)
        except ValueError as exc:
            raise _Refused(name, str(exc)) from None
    total = amounts["salary_income"] + amounts["pension_income"] + amounts["other_income"]
    # 課税標準額 is 総所得金額等 less the 所得控除: it cannot exceed the incomes on the line
    if figures["taxable_income"] > total:
        raise _Refused("taxable_income", "exceeds salary_income + pension_income + other_income")
    return BenefitFigures(**figures)


class _Refused(Exception):
    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def parse_income_file(text: str) -> ParsedIncomeFile:
    """Validate every line; refused lines carry their line number and reason."""
    if text.startswith("\ufeff"):
        text = text[1:]  # a BOM written by spreadsheet software
    reader = csv.reader(io.StringIO(text, newline=""))
    refused: list[RefusedLine] = []
    records: list[IncomeRecord] = []
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return ParsedIncomeFile(0, (), (RefusedLine(1, None, "the file has no header line"),))
    columns = tuple(h.strip() for h in header)
    if columns not in (COLUMNS, COLUMNS_2):
        return ParsedIncomeFile(
            0,
            (),
            (
                RefusedLine(
                    1,
                    None,
                    "the header must be: " + ",".join(COLUMNS) + " (format 1), or the same"
                    " followed by ," + ",".join(BENEFIT_COLUMNS) + " (format 2)",
                ),
            ),
        )
    seen: set[tuple[str, int]] = set()
    count = 0
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line = reader.line_num
            count += 1
            refused.append(RefusedLine(line, None, f"not valid CSV: {exc}"))
            break
        line = reader.line_num
        if not row or all(not v.strip() for v in row):
            continue  # blank lines carry nothing
        count += 1
        if count > MAX_LINES:
            refused.append(RefusedLine(line, None, f"more than {MAX_LINES} lines in one file"))
            break
        try:
            records.append(_parse_line(row, line, seen, columns))
        except _Refused as exc:
            refused.append(RefusedLine(line, exc.field, exc.reason))
    if count == 0:
        refused.append(RefusedLine(1, None, "the file has no data lines"))
    return ParsedIncomeFile(count, tuple(records), tuple(refused))
