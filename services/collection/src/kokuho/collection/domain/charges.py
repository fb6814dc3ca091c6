"""A household's charges (調定) as its ledger holds them: one per fiscal year and instalment
period, with what was paid, written off and charged late on it; the charge changes entered and
awaiting a second person (``PendingChange``); and ``Charges``, the mapping a ledger keeps them in
(``domain/ledger.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

Key = tuple[int, int]  # (fiscal year, instalment period)


@dataclass(frozen=True)
class Charge:
    fiscal_year: int
    period: int
    due_date: date
    amount: int = 0
    paid: int = 0
    written_off: int = 0
    late_charge: int = 0  # 延滞金 fixed (確定) when the principal was paid after the 納期限
    late_charge_paid: int = 0
    payments: tuple[tuple[date, int], ...] = ()  # principal paid (day, yen); negative undoes
    dunned_on: date | None = None
    designated_deadline: date | None = None
    renewals: tuple[date, ...] = ()  # acts renewing the prescription period
    lapsed_on: date | None = None
    history: tuple[tuple[date, int, str], ...] = ()  # prior amounts (from, yen, cause): C-24
    acts: tuple[tuple[date, str], ...] = ()  # renewing acts delinquency recorded (day, act)
    written_off_on: date | None = None  # 不納欠損 recorded by delinquency
    write_off_ground: str | None = None
    collection_method: str = "ordinary"  # special: deducted from a pension (特別徴収)

    @property
    def key(self) -> Key:
        return (self.fiscal_year, self.period)

    @property
    def outstanding(self) -> int:
        return self.amount - self.paid - self.written_off

    @property
    def late_charge_due(self) -> int:
        return self.late_charge - self.late_charge_paid


@dataclass(frozen=True)
class PendingChange:
    change_id: str
    fiscal_year: int
    period: int
    amount: int
    due_date: date | None
    reason: str
    entered_by: str


class _Stored:
    """A charge as a snapshot holds it, decoded when first read."""

    __slots__ = ("charge", "raw")

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.charge: Charge | None = None


class Charges(Mapping[Key, Charge]):
    """A ledger's charges: an immutable mapping whose entries may still be in the form a
    snapshot stored them, decoded when first read. A payment reads one or two of a household's
    charges; the payment file loads and saves tens of thousands of ledgers, so the others are
    neither decoded nor encoded again (``stored_forms``, ``replaced_since``)."""

    __slots__ = ("_decode", "_entries")

    def __init__(
        self,
        entries: Mapping[Key, Charge | _Stored] | None = None,
        decode: Callable[[Any], Charge] | None = None,
    ) -> None:
        self._entries: dict[Key, Charge | _Stored] = dict(entries or {})
        self._decode = decode

    @classmethod
    def _owning(
        cls, entries: dict[Key, Charge | _Stored], decode: Callable[[Any], Charge] | None
    ) -> Charges:
        """Over ``entries`` as they are (made here, never shared): ``__init__`` copies them
        again, and a payment file makes one per line and a stored one per household."""
        charges = object.__new__(cls)
        charges._entries = entries
        charges._decode = decode
        return charges

    @classmethod
    def stored(cls, raws: Mapping[Key, Any], decode: Callable[[Any], Charge]) -> Charges:
        return cls._owning({key: _Stored(raw) for key, raw in raws.items()}, decode)

    def __getitem__(self, key: Key) -> Charge:
        entry = self._entries[key]
        if isinstance(entry, _Stored):
            if entry.charge is None:
                assert self._decode is not None
                entry.charge = self._decode(entry.raw)
            return entry.charge
        return entry

    def get(self, key: Key, default: Any = None) -> Any:  # Mapping's goes through KeyError
        entry = self._entries.get(key)
        if entry is None:
            return default
        if isinstance(entry, _Stored):
            if entry.charge is None:
                assert self._decode is not None
                entry.charge = self._decode(entry.raw)
            return entry.charge
        return entry

    def __iter__(self) -> Iterator[Key]:
        return iter(self._entries)

    def __contains__(self, key: object) -> bool:  # without decoding (Mapping's reads it)
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Charges({dict(self.items())!r})"

    def updated(self, changes: Mapping[Key, Charge]) -> Charges:
        entries = dict(self._entries)
        entries.update(changes)
        return Charges._owning(entries, self._decode)

    def stored_forms(self, encode: Callable[[Charge], Any]) -> list[Any]:
        """Each charge in its stored form: as it was read when unchanged since it was loaded
        (written back without decoding or encoding it), else ``encode``'d."""
        return [
            entry.raw if isinstance(entry, _Stored) else encode(entry)
            for entry in self._entries.values()
        ]

    def replaced_since(self, other: Charges) -> list[Key]:
        """The keys whose entry is not the very entry ``other`` holds: a ledger evolved from
        ``other`` shares the charges it did not change, which are then the same."""
        theirs = other._entries
        return [key for key, entry in self._entries.items() if theirs.get(key) is not entry]
