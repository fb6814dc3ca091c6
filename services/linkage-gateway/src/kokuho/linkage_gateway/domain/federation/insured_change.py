"""Outbound ``KKH-IDO`` v2, insured-change information (異動情報), with the items online
qualification confirmation needs (data-items.md NHI-O)::

    H,KKH-IDO,2,<file date>,<sequence>
    D,<change>,<addressee 10>,<household 10>,<insured 8>,<card symbol>,<card number>,
      <branch 2>,<acquisition date>,<loss date or empty>,<name kana>,<name>
    T,<number of D lines>

(v1 was the same without the two names.) A field holding a comma or a line break cannot be
sent (:class:`~.records.FieldNotRepresentable`); there is no quoting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kokuho.linkage_gateway.domain.federation.records import clean

OUTBOUND_FORMAT = "KKH-IDO"
OUTBOUND_VERSION = "2"  # v2 adds the names on the card (NHI-O)
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


def _data_line(c: InsuredChange) -> str:
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
        ]
    )


def build_insured_change_file(
    changes: Sequence[InsuredChange], *, file_date: date, sequence: int
) -> str:
    lines = [f"H,{OUTBOUND_FORMAT},{OUTBOUND_VERSION},{file_date.isoformat()},{sequence}"]
    lines += [_data_line(c) for c in changes]
    lines.append(f"T,{len(changes)}")
    return "\n".join(lines) + "\n"
