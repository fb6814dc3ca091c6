"""A ledger as JSON (the snapshot row) and back, and the charge rows the jobs query."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from types import MappingProxyType
from typing import Any

from kokuho.collection.domain.ledger import (
    Applied,
    Charge,
    Charges,
    Held,
    Ledger,
    Payment,
    PendingChange,
)


def _d(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _applied(items: tuple[Applied, ...]) -> list[list[int]]:
    return [[a.fiscal_year, a.period, a.amount] for a in items]


def _applied_back(items: list[list[int]]) -> tuple[Applied, ...]:
    return tuple(Applied(*a) for a in items)


def _charge(c: Charge) -> dict[str, Any]:
    """Only what differs from a new charge: most charges are plain (nothing written off,
    dunned or renewed) and a payment file rewrites tens of thousands of ledgers. The keys in
    this order, each only when set (tested against every field): one test per field instead of
    a table of pairs built for every charge written."""
    out: dict[str, Any] = {
        "y": c.fiscal_year,
        "p": c.period,
        "due": c.due_date.isoformat(),
        "amount": c.amount,
        "paid": c.paid,
        "history": [[d.isoformat(), y, cause] for d, y, cause in c.history],
    }
    if c.written_off:
        out["off"] = c.written_off
    if c.late_charge:
        out["late"] = c.late_charge
    if c.late_charge_paid:
        out["late_paid"] = c.late_charge_paid
    if c.payments:
        out["payments"] = [[d.isoformat(), y] for d, y in c.payments]
    if c.dunned_on is not None:
        out["dunned"] = c.dunned_on.isoformat()
    if c.designated_deadline is not None:
        out["deadline"] = c.designated_deadline.isoformat()
    if c.renewals:
        out["renewals"] = [d.isoformat() for d in c.renewals]
    if c.lapsed_on is not None:
        out["lapsed"] = c.lapsed_on.isoformat()
    if c.acts:
        out["acts"] = [[d.isoformat(), act] for d, act in c.acts]
    if c.written_off_on is not None:
        out["off_on"] = c.written_off_on.isoformat()
    if c.write_off_ground:
        out["off_ground"] = c.write_off_ground
    if c.collection_method != "ordinary":
        out["method"] = c.collection_method
    return out


_CHARGE_FIELDS = frozenset(f.name for f in dataclasses.fields(Charge))


def _restore(values: dict[str, Any]) -> Charge:
    """A charge from its stored fields without ``Charge.__init__`` (18 frozen fields set one by
    one): a payment file loads tens of thousands of ledgers of ten charges each."""
    if values.keys() != _CHARGE_FIELDS:
        raise ValueError(f"a stored charge has fields {sorted(values.keys() ^ _CHARGE_FIELDS)}")
    charge = object.__new__(Charge)
    charge.__dict__.update(values)
    return charge


def _same(value: Any) -> Any:
    return value


def _days(values: list[str]) -> tuple[date, ...]:
    return tuple(date.fromisoformat(d) for d in values)


def _payments_back(values: list[list[Any]]) -> tuple[tuple[date, int], ...]:
    return tuple((date.fromisoformat(d), y) for d, y in values)


def _acts_back(values: list[list[Any]]) -> tuple[tuple[date, str], ...]:
    return tuple((date.fromisoformat(d), act) for d, act in values)


#: A new charge's values of the keys a stored charge leaves out (``_charge``) ...
_PLAIN: dict[str, Any] = {
    "written_off": 0,
    "late_charge": 0,
    "late_charge_paid": 0,
    "payments": (),
    "dunned_on": None,
    "designated_deadline": None,
    "renewals": (),
    "lapsed_on": None,
    "acts": (),
    "written_off_on": None,
    "write_off_ground": None,
    "collection_method": "ordinary",
}
#: ... and each such key's field and decoder.
_OPTIONAL: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "off": ("written_off", _same),
    "late": ("late_charge", _same),
    "late_paid": ("late_charge_paid", _same),
    "payments": ("payments", _payments_back),
    "dunned": ("dunned_on", _day),
    "deadline": ("designated_deadline", _day),
    "renewals": ("renewals", _days),
    "lapsed": ("lapsed_on", _day),
    "acts": ("acts", _acts_back),
    "off_on": ("written_off_on", _day),
    "off_ground": ("write_off_ground", _same),
    "method": ("collection_method", _same),
}
_REQUIRED = 6  # y, p, due, amount, paid, history
# a plain charge's fields are set without ``_restore``'s check: they must be every field
if _PLAIN.keys() | {"fiscal_year", "period", "due_date", "amount", "paid", "history"} != (
    _CHARGE_FIELDS
):
    raise RuntimeError("a plain stored charge does not set every field of Charge")


def _charge_back(r: dict[str, Any]) -> Charge:
    """A stored charge (keys left out hold a new charge's values; older snapshots have all)."""
    history = tuple((date.fromisoformat(d), y, cause) for d, y, cause in r["history"])
    if len(r) == _REQUIRED:  # a plain charge (most of a payment file's): its fields are known
        charge = object.__new__(Charge)
        charge.__dict__.update(
            _PLAIN,
            fiscal_year=r["y"],
            period=r["p"],
            due_date=date.fromisoformat(r["due"]),
            amount=r["amount"],
            paid=r["paid"],
            history=history,
        )
        return charge
    values = {
        "fiscal_year": r["y"],
        "period": r["p"],
        "due_date": date.fromisoformat(r["due"]),
        "amount": r["amount"],
        "paid": r["paid"],
        "history": history,
        **_PLAIN,
    }
    for key, (name, decode) in _OPTIONAL.items():
        if key in r:
            values[name] = decode(r[key])
    return _restore(values)


def _charges_to_json(ledger: Ledger) -> list[Any]:
    """A charge unchanged since its snapshot was read is written back as it was read."""
    charges = ledger.charges
    if not isinstance(charges, Charges):
        return [_charge(c) for c in charges.values()]
    return charges.stored_forms(_charge)


def ledger_to_json(ledger: Ledger) -> dict[str, Any]:
    return {
        "household": ledger.household,
        "charges": _charges_to_json(ledger),
        "held": [[h.amount, h.since.isoformat()] for h in ledger.held],
        "payments": [
            [
                p.payment_id,
                p.amount,
                p.paid_on.isoformat(),
                p.channel,
                _applied(p.applied),
                _applied(p.late_charge_applied),
                p.overpaid,
                p.reversed,
            ]
            for p in ledger.payments.values()
        ],
        "pending": [
            [c.change_id, c.fiscal_year, c.period, c.amount, _d(c.due_date), c.reason, c.entered_by]
            for c in ledger.pending.values()
        ],
        "received": ledger.received,
        "refunded": ledger.refunded,
        "revisions": {str(k): v for k, v in ledger.revisions.items()},
    }


def ledger_from_json(data: dict[str, Any]) -> Ledger:
    # decoded when read: a payment reads one or two of a household's charges
    charges = Charges.stored({(r["y"], r["p"]): r for r in data["charges"]}, _charge_back)
    payments = [
        Payment(
            pid,
            amount,
            date.fromisoformat(day),
            channel,
            _applied_back(applied),
            _applied_back(late),
            overpaid,
            reversed_,
        )
        for pid, amount, day, channel, applied, late, overpaid, reversed_ in data["payments"]
    ]
    pending = [
        PendingChange(cid, y, p, amount, _day(due), reason, by)
        for cid, y, p, amount, due, reason, by in data["pending"]
    ]
    return Ledger(
        household=data["household"],
        charges=charges,
        held=tuple(Held(amount, date.fromisoformat(since)) for amount, since in data["held"]),
        payments=MappingProxyType({p.payment_id: p for p in payments}),
        pending=MappingProxyType({c.change_id: c for c in pending}),
        received=data["received"],
        refunded=data["refunded"],
        revisions=MappingProxyType({int(k): v for k, v in data["revisions"].items()}),
    )


def charge_rows(ledger: Ledger) -> list[tuple[Any, ...]]:
    return [_row(ledger.household, c) for c in ledger.charges.values()]


def _row(household: str, c: Charge) -> tuple[Any, ...]:
    return (
        household,
        c.fiscal_year,
        c.period,
        c.due_date,
        c.amount,
        c.outstanding,
        c.dunned_on,
        c.lapsed_on,
    )


def changed_charge_rows(
    before: Ledger, after: Ledger
) -> list[tuple[tuple[int, int], tuple[Any, ...]]]:
    """The charge rows of ``after`` that differ from ``before`` (by key). A charge ``after``
    shares with ``before`` (the ledger it evolved from) is the same and is not decoded."""
    out = []
    old, new = before.charges, after.charges
    keys = new.replaced_since(old) if isinstance(new, Charges) and isinstance(old, Charges) else new
    for key in keys:
        row = _row(after.household, new[key])
        if key not in old or _row(before.household, old[key]) != row:
            out.append((key, row))
    return out
