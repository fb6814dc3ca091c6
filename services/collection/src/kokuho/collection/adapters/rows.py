"""A ledger as JSON (the snapshot row) and back, and the charge rows the jobs query."""

from __future__ import annotations

import dataclasses
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
    dunned or renewed) and a payment file rewrites tens of thousands of ledgers."""
    out: dict[str, Any] = {
        "y": c.fiscal_year,
        "p": c.period,
        "due": c.due_date.isoformat(),
        "amount": c.amount,
        "paid": c.paid,
        "history": [[d.isoformat(), y, cause] for d, y, cause in c.history],
    }
    optional: tuple[tuple[str, Any], ...] = (
        ("off", c.written_off),
        ("late", c.late_charge),
        ("late_paid", c.late_charge_paid),
        ("payments", [[d.isoformat(), y] for d, y in c.payments]),
        ("dunned", _d(c.dunned_on)),
        ("deadline", _d(c.designated_deadline)),
        ("renewals", [d.isoformat() for d in c.renewals]),
        ("lapsed", _d(c.lapsed_on)),
        ("acts", [[d.isoformat(), act] for d, act in c.acts]),
        ("off_on", _d(c.written_off_on)),
        ("off_ground", c.write_off_ground),
    )
    out.update((k, v) for k, v in optional if v)
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


def _charge_back(r: dict[str, Any]) -> Charge:
    """A stored charge (keys left out hold a new charge's values; older snapshots have all)."""
    get = r.get
    return _restore(
        {
            "fiscal_year": r["y"],
            "period": r["p"],
            "due_date": date.fromisoformat(r["due"]),
            "amount": r["amount"],
            "paid": r["paid"],
            "written_off": get("off", 0),
            "late_charge": get("late", 0),
            "late_charge_paid": get("late_paid", 0),
            "payments": tuple((date.fromisoformat(d), y) for d, y in get("payments", ())),
            "dunned_on": _day(get("dunned")),
            "designated_deadline": _day(get("deadline")),
            "renewals": tuple(date.fromisoformat(d) for d in get("renewals", ())),
            "lapsed_on": _day(get("lapsed")),
            "history": tuple((date.fromisoformat(d), y, cause) for d, y, cause in r["history"]),
            "acts": tuple((date.fromisoformat(d), act) for d, act in get("acts", ())),
            "written_off_on": _day(get("off_on")),
            "write_off_ground": get("off_ground"),
            "collection_method": get("method", "ordinary"),
        }
    )


def _charges_to_json(ledger: Ledger) -> list[Any]:
    """A charge unchanged since its snapshot was read is written back as it was read."""
    charges = ledger.charges
    if not isinstance(charges, Charges):
        return [_charge(c) for c in charges.values()]
    out = []
    for key in charges:
        stored = charges.stored_form(key)
        out.append(stored if stored is not None else _charge(charges[key]))
    return out


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
    """The charge rows of ``after`` that differ from ``before`` (by key). A charge still in
    the stored form both ledgers were read from is the same and is not decoded."""
    out = []
    old, new = before.charges, after.charges
    old_form = old.stored_form if isinstance(old, Charges) else None
    new_form = new.stored_form if isinstance(new, Charges) else None
    for key in new:
        if old_form is not None and new_form is not None:
            stored = new_form(key)
            if stored is not None and stored is old_form(key):
                continue
        row = _row(after.household, new[key])
        if key not in old or _row(before.household, old[key]) != row:
            out.append((key, row))
    return out
