"""Inbound ``KKH-SKK`` v1, daily eligibility continuation (資格継続); no individual numbers
(C-19)::

    H,KKH-SKK,1,<file date>
    D,<addressee 10>,<insured 8>,<acquisition date>,<loss date or empty>
    T,<number of D lines>

and its reconciliation with our qualifications: differences are listed for staff to confirm
(C-20, C-21); nothing is applied until a person confirms it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from kokuho.linkage_gateway.domain.federation.records import (
    EIGHT_DIGITS,
    TEN_DIGITS,
    VERSION,
    LineError,
    LineReader,
    StreamedFile,
    parse_date,
    read_file,
)

INBOUND_FORMAT = "KKH-SKK"


@dataclass(frozen=True)
class ContinuationRecord:
    """One person's qualification as the federation holds it (資格継続)."""

    line: int
    addressee_number: str
    insured_number: str
    acquisition_date: date
    loss_date: date | None


@dataclass(frozen=True)
class ContinuationFile:
    file_date: date
    records: tuple[ContinuationRecord, ...]


def _header(fields: list[str], errors: list[LineError]) -> date | None:
    if fields[0] != "H" or len(fields) != 4:
        errors.append(LineError(1, "the first line must be the header H,KKH-SKK,1,date"))
    elif fields[1] != INBOUND_FORMAT or fields[2] != VERSION:
        errors.append(LineError(1, f"unknown format {fields[1]!r} version {fields[2]!r}"))
    else:
        return parse_date(fields[3], "the file date", errors, 1)
    return None


class _Records:
    """The ``D`` lines: each valid line becomes a record; an addressee may appear once."""

    def __init__(self, errors: list[LineError]) -> None:
        self.errors = errors
        self.records: list[ContinuationRecord] = []
        self.seen: dict[str, int] = {}

    def __call__(self, fields: list[str], number: int) -> None:
        errors = self.errors
        if len(fields) != 5:
            errors.append(LineError(number, f"a D line has 5 fields, not {len(fields)}"))
            return
        _, addressee, insured, acquired_text, lost_text = fields
        bad = len(errors)
        if not TEN_DIGITS.match(addressee):
            errors.append(LineError(number, "addressee_number must be 10 digits"))
        if not EIGHT_DIGITS.match(insured):
            errors.append(LineError(number, "insured_number must be 8 digits"))
        acquired = parse_date(acquired_text, "acquisition_date", errors, number)
        lost = parse_date(lost_text, "loss_date", errors, number) if lost_text else None
        if acquired and lost and lost < acquired:
            errors.append(LineError(number, "loss_date is before acquisition_date"))
        first = self.seen.get(addressee)
        if first is not None:
            errors.append(LineError(number, f"addressee_number repeats line {first}"))
        if len(errors) == bad and acquired is not None:
            self.seen[addressee] = number
            self.records.append(ContinuationRecord(number, addressee, insured, acquired, lost))


def parse_continuation_file(text: str) -> ContinuationFile:
    """Validate every line; collect every error; refuse the file if there is any."""
    errors: list[LineError] = []
    records = _Records(errors)
    file_date = read_file(text, _header, records, errors)
    assert file_date is not None
    return ContinuationFile(file_date, tuple(records.records))


class ContinuationStream:
    """A continuation file read as its bytes arrive (a streamed upload, a fetched file): the
    same line checks as :func:`parse_continuation_file`, all or nothing at ``finish``."""

    def __init__(self) -> None:
        errors: list[LineError] = []
        self._records = _Records(errors)
        self._file: StreamedFile[date | None] = StreamedFile(
            LineReader(_header, self._records, errors)
        )

    def feed(self, chunk: bytes) -> None:
        self._file.feed(chunk)

    def finish(self) -> ContinuationFile:
        """The file, or :class:`FileRejected` with every line's error."""
        file_date = self._file.finish()
        assert file_date is not None
        return ContinuationFile(file_date, tuple(self._records.records))

    @property
    def sha256(self) -> str:
        return self._file.sha256

    @property
    def size(self) -> int:
        return self._file.size


# --- reconciliation ------------------------------------------------------------------------


@dataclass(frozen=True)
class OurQualification:
    acquisition_date: date | None
    loss_date: date | None


@dataclass(frozen=True)
class ContinuationDifference:
    """A difference between the federation's record and ours, for staff to confirm (C-20,
    C-21). Nothing is applied until a person confirms it."""

    addressee_number: str
    insured_number: str
    kind: str  # unknown-to-us | acquisition-date | loss-date
    federation_acquisition_date: date
    federation_loss_date: date | None
    our_acquisition_date: date | None
    our_loss_date: date | None


def _difference_kinds(r: ContinuationRecord, mine: OurQualification | None) -> list[str]:
    if mine is None:
        return ["unknown-to-us"]
    return [
        kind
        for kind, differs in (
            ("acquisition-date", mine.acquisition_date != r.acquisition_date),
            ("loss-date", mine.loss_date != r.loss_date),
        )
        if differs
    ]


def reconcile_continuation(
    file: ContinuationFile, ours: Mapping[str, OurQualification]
) -> list[ContinuationDifference]:
    out: list[ContinuationDifference] = []
    for r in file.records:
        mine = ours.get(r.addressee_number)
        for kind in _difference_kinds(r, mine):
            out.append(
                ContinuationDifference(
                    r.addressee_number,
                    r.insured_number,
                    kind,
                    r.acquisition_date,
                    r.loss_date,
                    mine.acquisition_date if mine else None,
                    mine.loss_date if mine else None,
                )
            )
    return out
