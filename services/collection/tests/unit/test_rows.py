"""The ledger snapshot: a charge is stored with only what differs from a new charge, and a
snapshot written before (every key present) still reads back the same."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from kokuho.collection.adapters.rows import _restore, ledger_from_json, ledger_to_json
from kokuho.collection.domain.ledger import Charge, Ledger

from .test_unit_of_work_contract import a_ledger

OLD_FORMAT = {
    "y": 2026,
    "p": 1,
    "due": "2026-06-30",
    "amount": 10000,
    "paid": 0,
    "off": 0,
    "late": 0,
    "late_paid": 0,
    "payments": [],
    "dunned": None,
    "deadline": None,
    "renewals": [],
    "lapsed": None,
    "history": [["2026-06-15", 0, "assessment"]],
    "acts": [],
    "off_on": None,
    "off_ground": None,
    "method": "ordinary",
}


def test_a_ledger_with_every_kind_of_fact_reads_back_the_same() -> None:
    ledger = a_ledger()
    assert ledger_from_json(json.loads(json.dumps(ledger_to_json(ledger)))) == ledger


def test_a_plain_charge_is_stored_without_its_defaults_and_old_snapshots_still_read() -> None:
    old = {"household": "9950000001", "charges": [OLD_FORMAT], "held": [], "payments": []}
    old |= {"pending": [], "received": 0, "refunded": 0, "revisions": {"2026": 1}}
    ledger = ledger_from_json(old)
    expected = Charge(
        2026, 1, date(2026, 6, 30), 10_000, history=((date(2026, 6, 15), 0, "assessment"),)
    )
    assert ledger.charges[(2026, 1)] == expected
    # unchanged since it was read: written back as it was read (not decoded, not encoded)
    assert ledger_to_json(ledger)["charges"] == [OLD_FORMAT]
    # a charge made or changed here is stored with only what differs from a new charge
    rebuilt = Ledger(ledger.household, charges={(2026, 1): expected})
    stored = ledger_to_json(rebuilt)["charges"][0]
    assert set(stored) == {"y", "p", "due", "amount", "paid", "history"}
    assert ledger_from_json({**old, "charges": [stored]}) == ledger


def test_a_stored_charge_missing_a_field_is_refused() -> None:
    with pytest.raises(ValueError, match="fields"):
        _restore({"fiscal_year": 2026})


def test_only_the_charges_read_are_decoded_and_a_changed_one_is_encoded_again() -> None:
    from kokuho.collection.adapters.rows import changed_charge_rows
    from kokuho.collection.domain.ledger import Charges

    stored = ledger_to_json(a_ledger())
    loaded = ledger_from_json(json.loads(json.dumps(stored)))
    charges = loaded.charges
    assert isinstance(charges, Charges)
    paid = dataclasses.replace(charges[(2026, 4)], paid=10_000)
    after = dataclasses.replace(loaded, charges=charges.updated({paid.key: paid}))
    assert [key for key, _ in changed_charge_rows(loaded, after)] == [(2026, 4)]
    written = ledger_to_json(after)["charges"]
    assert written[3]["paid"] == 10_000
    assert [w for i, w in enumerate(written) if i != 3] == [
        w for i, w in enumerate(stored["charges"]) if i != 3
    ]
    assert ledger_from_json(json.loads(json.dumps(ledger_to_json(after)))) == after


#: each stored key, its field, and a value other than a new charge's
_SET = [
    ("off", "written_off", 500, 500),
    ("late", "late_charge", 1_000, 1_000),
    ("late_paid", "late_charge_paid", 300, 300),
    ("payments", "payments", ((date(2026, 7, 1), 4_000),), [["2026-07-01", 4_000]]),
    ("dunned", "dunned_on", date(2026, 8, 1), "2026-08-01"),
    ("deadline", "designated_deadline", date(2026, 8, 20), "2026-08-20"),
    ("renewals", "renewals", (date(2026, 8, 20),), ["2026-08-20"]),
    ("lapsed", "lapsed_on", date(2031, 7, 1), "2031-07-01"),
    ("acts", "acts", ((date(2027, 1, 5), "seizure"),), [["2027-01-05", "seizure"]]),
    ("off_on", "written_off_on", date(2031, 7, 1), "2031-07-01"),
    ("off_ground", "write_off_ground", "lapsed", "lapsed"),
    ("method", "collection_method", "special", "special"),
]


@pytest.mark.parametrize("chosen", [[k] for k, *_ in _SET] + [[k for k, *_ in _SET]])
def test_a_charge_is_stored_with_its_set_fields_in_one_order(chosen: list[str]) -> None:
    """Byte for byte what snapshots were written as: the required keys, then each set field in
    this order; and read back the same."""
    charge = Charge(
        2026, 1, date(2026, 6, 30), 10_000, 2_000, history=((date(2026, 6, 15), 0, "assessment"),)
    )
    charge = dataclasses.replace(
        charge, **{field: value for key, field, value, _ in _SET if key in chosen}
    )
    stored = ledger_to_json(Ledger("9950000001", charges={charge.key: charge}))["charges"][0]
    assert list(stored.items()) == [
        ("y", 2026),
        ("p", 1),
        ("due", "2026-06-30"),
        ("amount", 10_000),
        ("paid", 2_000),
        ("history", [["2026-06-15", 0, "assessment"]]),
        *[(key, json_value) for key, _, _, json_value in _SET if key in chosen],
    ]
    back = ledger_from_json(
        {"household": "9950000001", "charges": [stored], "held": [], "payments": []}
        | {"pending": [], "received": 0, "refunded": 0, "revisions": {}}
    )
    assert back.charges[charge.key] == charge
