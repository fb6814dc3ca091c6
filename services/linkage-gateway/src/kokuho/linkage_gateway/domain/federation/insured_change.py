"""Outbound ``KKH-IDO`` v3, insured-change information (異動情報), with the items online
qualification confirmation needs (data-items.md NHI-O) and the individual number the
federation registers at the insurer intermediate server (S3: "card info including the
individual number"; the aggregation system uses the number for S1-S3)::

    H,KKH-IDO,3,<file date>,<sequence>
    D,<change>,<addressee 10>,<household 10>,<insured 8>,<card symbol>,<card number>,
      <branch 2>,<acquisition date>,<loss date or empty>,<name kana>,<name>,
      <individual number 12 or empty>
    T,<number of D lines>

(v2 was the same without the number, v1 also without the names.) An empty number is a person
whose number is not bound yet; the federation lists it for confirmation (flows.md 4.2).

The number never rests in the file: the file is built and kept (the ledger copy, C-58) with
:data:`NUMBER_MASK` where a number goes, and :func:`with_individual_numbers` puts the numbers
in, in memory, just before the file leaves (ADR 0024). A field holding a comma or a line break
cannot be sent (:class:`~.records.FieldNotRepresentable`); there is no quoting.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from kokuho.linkage_gateway.domain.federation.records import clean

OUTBOUND_FORMAT = "KKH-IDO"
OUTBOUND_VERSION = "3"  # v2 added the names on the card (NHI-O), v3 the individual number (S3)
#: Where a number goes in the kept file (the ledger copy); never a valid number (not digits).
NUMBER_MASK = "*" * 12
_NUMBER_FIELD = 12  # position of the number in a D line (0-based)
_ADDRESSEE_FIELD = 2
CHANGE_KINDS = ("acquired", "lost", "corrected")


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


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _data_line(c: InsuredChange, numbered: Collection[str]) -> str:
    if c.change not in CHANGE_KINDS:
        raise ValueError(f"unknown change kind {c.change!r}")
    return ",".join(
        [
            "D",
            c.change,
            clean("addressee_number", c.addressee_number),
            clean("nhi_household_number", c.nhi_household_number),
            clean("insured_number", c.insured_number),
            clean("card_symbol", c.card_symbol),
            clean("card_number", c.card_number),
            clean("branch_number", c.branch_number),
            _iso(c.acquisition_date),
            _iso(c.loss_date),
            clean("name_kana", c.name_kana),
            clean("name", c.name),
            NUMBER_MASK if c.addressee_number in numbered else "",
        ]
    )


def build_insured_change_file(
    changes: Sequence[InsuredChange],
    *,
    file_date: date,
    sequence: int,
    numbered: Collection[str] = (),
) -> str:
    """The file as kept: :data:`NUMBER_MASK` for each person in ``numbered`` (addressee
    numbers with a bound individual number), empty for the others."""
    lines = [f"H,{OUTBOUND_FORMAT},{OUTBOUND_VERSION},{file_date.isoformat()},{sequence}"]
    lines += [_data_line(c, numbered) for c in changes]
    lines.append(f"T,{len(changes)}")
    return "\n".join(lines) + "\n"


def _waits_for_number(fields: list[str]) -> bool:
    return fields[0] == "D" and len(fields) > _NUMBER_FIELD and fields[_NUMBER_FIELD] == NUMBER_MASK


def numbered_addressees(kept: str) -> list[str]:
    """The addressee numbers whose record in the kept file waits for its number."""
    found = []
    for line in kept.split("\n"):
        fields = line.split(",")
        if (
            fields[0] == "D"
            and len(fields) > _NUMBER_FIELD
            and fields[_NUMBER_FIELD] == NUMBER_MASK
        ):
            found.append(fields[_ADDRESSEE_FIELD])
    return sorted(set(found))


class NumberMissing(Exception):
    """A record of the kept file waits for a number the caller did not give."""


def with_individual_numbers(kept: str, numbers: Mapping[str, str]) -> str:
    """The file as it leaves: each :data:`NUMBER_MASK` replaced by the person's number. Only in
    memory, only on the way to the federation."""
    out = []
    for line in kept.split("\n"):
        fields = line.split(",")
        if (
            fields[0] == "D"
            and len(fields) > _NUMBER_FIELD
            and fields[_NUMBER_FIELD] == NUMBER_MASK
        ):
            addressee = fields[_ADDRESSEE_FIELD]
            if addressee not in numbers:
                raise NumberMissing(f"no individual number given for addressee {addressee}")
            fields[_NUMBER_FIELD] = numbers[addressee]
            line = ",".join(fields)
        out.append(line)
    return "\n".join(out)
