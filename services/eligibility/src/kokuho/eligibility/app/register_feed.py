"""The resident register's change feed format (ADR 0015): one JSON object per change, as a
line of a JSON Lines file or an item of the feed's ``GET /v1/changes``. Closed schema, addressee
numbers only: a line carrying an individual number (or any field this format does not declare)
is refused with its line number, and the value is never repeated."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from kokuho.eligibility.app.requests import DateField
from kokuho.eligibility.domain.resident_register import RegisterChange, RegisterKind
from kokuho.events.contracts.eligibility import AddresseeNumber
from kokuho.events.individual_numbers import contains_individual_number
from kokuho.platform.models import RequestModel
from kokuho.platform.names import PersonName, PersonNameKana

ChangeId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="異動連番")]
#: A file of the register may hold a city's day: 50,000 lines.
MAX_LINES = 50_000
INDIVIDUAL_NUMBER_REFUSED = "an individual number is not accepted from the resident register"


class FeedHousehold(RequestModel):
    """The resident household (住民票の世帯), which is not the NHI household."""

    resident_household_number: str = Field(pattern=r"^[0-9]{10}$", description="住基世帯番号")
    householder_addressee_number: AddresseeNumber


class FeedDetails(RequestModel):
    """The 基本4情報 that changed (or, for a move in or a birth, all of them)."""

    name: PersonName | None = None
    name_kana: PersonNameKana | None = None
    sex: Literal["male", "female"] | None = None
    birth_date: DateField | None = None
    address: str | None = Field(default=None, min_length=1, max_length=300)
    postal_code: str | None = Field(default=None, pattern=r"^[0-9]{3}-?[0-9]{4}$")


_NEEDS: dict[str, tuple[str, ...]] = {
    "moved_in": ("name", "name_kana", "sex", "birth_date", "address"),
    "birth": ("name", "name_kana", "sex", "birth_date", "address"),
    "name_changed": ("name", "name_kana"),
    "address_changed": ("address",),
}


class FeedChange(RequestModel):
    change_id: ChangeId
    sequence: int | None = Field(
        default=None, ge=1, le=9_999_999_999, description="position in the feed"
    )
    kind: RegisterKind
    addressee_number: AddresseeNumber
    fact_date: DateField = Field(description="異動日")
    notified_date: DateField = Field(description="届出日")
    household: FeedHousehold | None = None
    details: FeedDetails | None = None

    @model_validator(mode="after")
    def _details_match_the_kind(self) -> FeedChange:
        needed = _NEEDS.get(self.kind, ())
        given = self.details.model_dump(exclude_none=True) if self.details else {}
        missing = [f for f in needed if f not in given]
        if missing:
            raise ValueError(f"{self.kind} needs details {', '.join(missing)}")
        if self.kind == "household_changed" and self.household is None:
            raise ValueError("household_changed needs the household")
        return self

    def digest(self) -> str:
        """The change's content without its feed position: the same change read twice (from
        the feed and from a file) has the same digest."""
        data = self.model_dump(mode="json", exclude={"sequence"})
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    def to_domain(self) -> RegisterChange:
        details: dict[str, str | date | None] = (
            self.details.model_dump(exclude_none=True) if self.details else {}
        )
        return RegisterChange(
            change_id=self.change_id,
            kind=self.kind,
            addressee_number=self.addressee_number,
            fact_date=self.fact_date,
            notified_date=self.notified_date,
            resident_household_number=(
                self.household.resident_household_number if self.household else None
            ),
            householder_addressee_number=(
                self.household.householder_addressee_number if self.household else None
            ),
            details=details,
        )


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str


def _reason(error: ValidationError) -> str:
    """Where and what, never the value (the line may carry a name or worse)."""
    parts = []
    for item in error.errors(include_input=False, include_url=False):
        where = ".".join(str(p) for p in item["loc"]) or "line"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_change(raw: Any) -> FeedChange:
    """One change as the feed gives it (raises ``ValueError`` with a safe reason)."""
    if contains_individual_number(raw):
        raise ValueError(INDIVIDUAL_NUMBER_REFUSED)
    try:
        return FeedChange.model_validate(raw)
    except ValidationError as refused:
        raise ValueError(_reason(refused)) from None


def parse_lines(content: str) -> tuple[list[tuple[int, FeedChange]], list[LineError]]:
    """Every line of a JSON Lines file: the changes, or every line's error (all or nothing).
    Blank lines are skipped; one change id twice with different content is an error."""
    changes: list[tuple[int, FeedChange]] = []
    errors: list[LineError] = []
    seen: dict[str, tuple[int, str]] = {}
    lines = content.splitlines()
    if len(lines) > MAX_LINES:
        return [], [LineError(MAX_LINES + 1, f"more than {MAX_LINES} lines")]
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        if contains_individual_number(text):
            errors.append(LineError(number, INDIVIDUAL_NUMBER_REFUSED))
            continue
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as bad:
            errors.append(LineError(number, f"not JSON: {bad.msg} at column {bad.colno}"))
            continue
        try:
            change = parse_change(raw)
        except ValueError as refused:
            errors.append(LineError(number, str(refused)))
            continue
        earlier = seen.get(change.change_id)
        if earlier is not None and earlier[1] != change.digest():
            errors.append(
                LineError(number, f"change_id also on line {earlier[0]} with other content")
            )
            continue
        seen.setdefault(change.change_id, (number, change.digest()))
        changes.append((number, change))
    if not changes and not errors:
        errors.append(LineError(1, "the file holds no change"))
    return changes, errors
