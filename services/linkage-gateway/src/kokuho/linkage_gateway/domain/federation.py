"""Files exchanged with the prefectural federation (国保連合会, 国保総合(国保集約)システム).

The real interface specification is not public, so the formats here are our own, versioned
and modelled on the record items (data-items.md NHI-Q/NHI-O); README.md documents them. Both
are UTF-8, one record per line, comma-separated, no quoting (no field may contain a comma).

Outbound ``KKH-IDO`` v2, insured-change information (異動情報)::

    H,KKH-IDO,2,<file date>,<sequence>
    D,<change>,<addressee 10>,<household 10>,<insured 8>,<card symbol>,<card number>,
      <branch 2>,<acquisition date>,<loss date or empty>,<name kana>,<name>
    T,<number of D lines>

(v1 was the same without the two names.)

Inbound ``KKH-SKK`` v1, daily eligibility continuation (資格継続); no individual numbers (C-19)::

    H,KKH-SKK,1,<file date>
    D,<addressee 10>,<insured 8>,<acquisition date>,<loss date or empty>
    T,<number of D lines>

A file that breaks the format in any line is rejected whole, with each line's number and
reason, and nothing of it is applied (C-04, C-16).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from kokuho.linkage_gateway.domain.individual_number import check_digit

OUTBOUND_FORMAT = "KKH-IDO"
INBOUND_FORMAT = "KKH-SKK"
VERSION = "1"
OUTBOUND_VERSION = "2"  # v2 adds the names on the card (NHI-O)

_ADDRESSEE = re.compile(r"^[0-9]{10}$")
_INSURED = re.compile(r"^[0-9]{8}$")
_FIELD = re.compile(r"^[^,\r\n]*$")
_TWELVE_DIGITS = re.compile(r"^[0-9]{12}$")
#: C-19: the federation's files carry no individual numbers; one that does is an error (and an
#: alert for the operators), whichever field it is in.
INDIVIDUAL_NUMBER_IN_FILE = "an individual number is not allowed in a federation file (C-19)"
CHANGE_KINDS = ("acquired", "lost", "corrected")


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str


class FileRejected(Exception):
    """The file breaks the format; nothing of it was applied."""

    def __init__(self, errors: Sequence[LineError]) -> None:
        first = errors[0]
        super().__init__(
            f"the file was rejected: {len(errors)} line(s) break the format; first: line "
            f"{first.line}: {first.reason}"
        )
        self.errors = list(errors)


class FieldNotRepresentable(Exception):
    def __init__(self, field: str) -> None:
        super().__init__(f"{field} contains a comma or a line break and cannot be sent")
        self.field = field


# --- outbound ------------------------------------------------------------------------------


@dataclass(frozen=True)
class InsuredChange:
    """One 異動 record, with the items online qualification confirmation needs (NHI-O)."""

    change: str  # acquired | lost | corrected
    addressee_number: str
    nhi_household_number: str
    insured_number: str
    card_symbol: str
    card_number: str
    branch_number: str
    acquisition_date: date | None
    loss_date: date | None
    name_kana: str = ""  # on the card (NHI-O); empty when eligibility has not sent it yet
    name: str = ""


def _clean(name: str, value: str) -> str:
    if not _FIELD.match(value):
        raise FieldNotRepresentable(name)
    return value


def build_insured_change_file(
    changes: Sequence[InsuredChange], *, file_date: date, sequence: int
) -> str:
    lines = [f"H,{OUTBOUND_FORMAT},{OUTBOUND_VERSION},{file_date.isoformat()},{sequence}"]
    for c in changes:
        if c.change not in CHANGE_KINDS:
            raise ValueError(f"unknown change kind {c.change!r}")
        lines.append(
            ",".join(
                [
                    "D",
                    c.change,
                    _clean("addressee_number", c.addressee_number),
                    _clean("nhi_household_number", c.nhi_household_number),
                    _clean("insured_number", c.insured_number),
                    _clean("card_symbol", c.card_symbol),
                    _clean("card_number", c.card_number),
                    _clean("branch_number", c.branch_number),
                    c.acquisition_date.isoformat() if c.acquisition_date else "",
                    c.loss_date.isoformat() if c.loss_date else "",
                    _clean("name_kana", c.name_kana),
                    _clean("name", c.name),
                ]
            )
        )
    lines.append(f"T,{len(changes)}")
    return "\n".join(lines) + "\n"


# --- inbound -------------------------------------------------------------------------------


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


def _no_individual_number(fields: Sequence[str], line: int, errors: list[LineError]) -> None:
    """Name the field by its position only: the value is never repeated in an error."""
    for position, value in enumerate(fields, start=1):
        value = value.strip()
        if _TWELVE_DIGITS.match(value) and check_digit(value[:11]) == int(value[11]):
            errors.append(LineError(line, f"{INDIVIDUAL_NUMBER_IN_FILE}: field {position}"))


def refuse_out_of_cycle(file_date: date, today: date) -> None:
    """C-16 (the cycle): a file dated after today is not a file of this cycle."""
    if file_date > today:
        raise FileRejected(
            [LineError(1, f"the file date {file_date} is after today: not of this cycle (C-16)")]
        )


def _date(text: str, what: str, errors: list[LineError], line: int) -> date | None:
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        errors.append(LineError(line, f"{what} is not a date (YYYY-MM-DD)"))
        return None


def parse_continuation_file(text: str) -> ContinuationFile:
    """Validate every line; collect every error; refuse the file if there is any."""
    errors: list[LineError] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    if not lines:
        raise FileRejected([LineError(1, "the file is empty")])
    file_date: date | None = None
    records: list[ContinuationRecord] = []
    seen: dict[str, int] = {}
    trailer: int | None = None
    for number, raw in enumerate(lines, start=1):
        fields = raw.rstrip("\r").split(",")
        kind = fields[0]
        _no_individual_number(fields, number, errors)
        if trailer is not None:
            errors.append(LineError(number, "a line after the trailer"))
            continue
        if number == 1:
            if kind != "H" or len(fields) != 4:
                errors.append(LineError(1, "the first line must be the header H,KKH-SKK,1,date"))
            elif fields[1] != INBOUND_FORMAT or fields[2] != VERSION:
                errors.append(LineError(1, f"unknown format {fields[1]!r} version {fields[2]!r}"))
            else:
                file_date = _date(fields[3], "the file date", errors, 1)
            continue
        if kind == "D":
            if len(fields) != 5:
                errors.append(LineError(number, f"a D line has 5 fields, not {len(fields)}"))
                continue
            _, addressee, insured, acquired_text, lost_text = fields
            bad = len(errors)
            if not _ADDRESSEE.match(addressee):
                errors.append(LineError(number, "addressee_number must be 10 digits"))
            if not _INSURED.match(insured):
                errors.append(LineError(number, "insured_number must be 8 digits"))
            acquired = _date(acquired_text, "acquisition_date", errors, number)
            lost = _date(lost_text, "loss_date", errors, number) if lost_text else None
            if acquired and lost and lost < acquired:
                errors.append(LineError(number, "loss_date is before acquisition_date"))
            if addressee in seen:
                errors.append(LineError(number, f"addressee_number repeats line {seen[addressee]}"))
            if len(errors) == bad and acquired is not None:
                seen[addressee] = number
                records.append(ContinuationRecord(number, addressee, insured, acquired, lost))
        elif kind == "T":
            if len(fields) != 2 or not fields[1].isdigit():
                errors.append(LineError(number, "the trailer must be T,<count>"))
                trailer = -1
            else:
                trailer = int(fields[1])
                data_lines = number - 2
                if trailer != data_lines:
                    errors.append(
                        LineError(
                            number, f"the trailer counts {trailer}, the file has {data_lines}"
                        )
                    )
        else:
            errors.append(LineError(number, f"unknown record type {kind!r}"))
    if trailer is None:
        errors.append(LineError(len(lines), "the trailer line T,<count> is missing"))
    if errors:
        raise FileRejected(errors)
    assert file_date is not None
    return ContinuationFile(file_date, tuple(records))


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


def reconcile_continuation(
    file: ContinuationFile, ours: Mapping[str, OurQualification]
) -> list[ContinuationDifference]:
    out: list[ContinuationDifference] = []
    for r in file.records:
        mine = ours.get(r.addressee_number)
        kinds: Iterable[str]
        if mine is None:
            kinds = ["unknown-to-us"]
        else:
            kinds = [
                k
                for k, differs in (
                    ("acquisition-date", mine.acquisition_date != r.acquisition_date),
                    ("loss-date", mine.loss_date != r.loss_date),
                )
                if differs
            ]
        for kind in kinds:
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


# --- monthly high-cost carry-over lists (高額該当の引き継ぎ) --------------------------------

CARRY_OVER_FORMAT = "KKH-KGK"
CARRY_OVER_KINDS = ("candidate", "confirmed")  # 継続候補世帯リスト / 継続世帯確定リスト
_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
_INSURER = re.compile(r"^[0-9]{6}$|^[0-9]{8}$")


@dataclass(frozen=True)
class CarryOverHousehold:
    line: int
    nhi_household_number: str
    householder_addressee_number: str
    previous_insurer_number: str
    high_cost_months: int  # months with high-cost benefits in the last 12 (多数回該当)
    last_high_cost_month: str  # YYYY-MM


@dataclass(frozen=True)
class CarryOverList:
    file_date: date
    kind: str
    target_month: str
    households: tuple[CarryOverHousehold, ...]


def parse_carry_over_list(text: str) -> CarryOverList:
    """``KKH-KGK`` v1::

        H,KKH-KGK,1,<file date>,<candidate|confirmed>,<target month YYYY-MM>
        D,<household 10>,<householder addressee 10>,<previous insurer 6|8>,<months 0-12>,<YYYY-MM>
        T,<number of D lines>

    All or nothing, like the continuation file."""
    errors: list[LineError] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    if not lines:
        raise FileRejected([LineError(1, "the file is empty")])
    header = lines[0].rstrip("\r").split(",")
    _no_individual_number(header, 1, errors)
    file_date: date | None = None
    kind = month = ""
    if len(header) != 6 or header[0] != "H":
        errors.append(LineError(1, "the first line must be the header H,KKH-KGK,1,date,kind,month"))
    elif header[1] != CARRY_OVER_FORMAT or header[2] != VERSION:
        errors.append(LineError(1, f"unknown format {header[1]!r} version {header[2]!r}"))
    else:
        file_date = _date(header[3], "the file date", errors, 1)
        kind, month = header[4], header[5]
        if kind not in CARRY_OVER_KINDS:
            errors.append(LineError(1, f"list kind must be one of {list(CARRY_OVER_KINDS)}"))
        if not _MONTH.match(month):
            errors.append(LineError(1, "the target month is not YYYY-MM"))
    households: list[CarryOverHousehold] = []
    seen: dict[str, int] = {}
    trailer: int | None = None
    for number, raw in enumerate(lines[1:], start=2):
        fields = raw.rstrip("\r").split(",")
        _no_individual_number(fields, number, errors)
        if trailer is not None:
            errors.append(LineError(number, "a line after the trailer"))
        elif fields[0] == "T":
            if len(fields) != 2 or not fields[1].isdigit():
                errors.append(LineError(number, "the trailer must be T,<count>"))
                trailer = -1
            else:
                trailer = int(fields[1])
                if trailer != number - 2:
                    errors.append(
                        LineError(
                            number, f"the trailer counts {trailer}, the file has {number - 2}"
                        )
                    )
        elif fields[0] != "D":
            errors.append(LineError(number, f"unknown record type {fields[0]!r}"))
        elif len(fields) != 6:
            errors.append(LineError(number, f"a D line has 6 fields, not {len(fields)}"))
        else:
            _, household, head, insurer, months, last = fields
            bad = len(errors)
            if not _ADDRESSEE.match(household):
                errors.append(LineError(number, "nhi_household_number must be 10 digits"))
            if not _ADDRESSEE.match(head):
                errors.append(LineError(number, "householder_addressee_number must be 10 digits"))
            if not _INSURER.match(insurer):
                errors.append(LineError(number, "previous_insurer_number must be 6 or 8 digits"))
            if not months.isdigit() or not 0 <= int(months) <= 12:
                errors.append(LineError(number, "high_cost_months must be 0 to 12"))
            if not _MONTH.match(last):
                errors.append(LineError(number, "last_high_cost_month is not YYYY-MM"))
            if household in seen:
                errors.append(LineError(number, f"the household repeats line {seen[household]}"))
            if len(errors) == bad:
                seen[household] = number
                households.append(
                    CarryOverHousehold(number, household, head, insurer, int(months), last)
                )
    if trailer is None:
        errors.append(LineError(len(lines), "the trailer line T,<count> is missing"))
    if errors:
        raise FileRejected(errors)
    assert file_date is not None
    return CarryOverList(file_date, kind, month, tuple(households))
