"""A payment file's slab matched where it is sent (a worker process, ADR 0116): pickled there
and back, its contracts handed back as JSON and validated by the writing process, it gives the
same work items, events, contracts and ledger rows as the slab matched in place, and the events
and ledgers ``match_file`` gives for the same lines."""

from __future__ import annotations

import pickle
import string
from dataclasses import fields, is_dataclass, replace
from datetime import date
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from pydantic_core import to_json

from kokuho.collection.adapters.rows import ledger_to_json
from kokuho.collection.adapters.unit_of_work import PostgresLedgerCodec, _ledger_rows
from kokuho.collection.app import payments
from kokuho.collection.app.ledgers import (
    StreamEvents,
    encoded,
    stream_events,
    validated,
)
from kokuho.collection.app.line_matching import by_household, match_file
from kokuho.collection.app.payments import Slab, match_slab
from kokuho.collection.app.translate import CONTRACTS, to_contract
from kokuho.collection.domain.events import ChargeChangeEntered, ChargeChangeRejected

from .ledgers import FY
from .rules import PACKAGED
from .test_payment_households import (
    HOUSEHOLDS,
    IMPORT,
    TODAY,
    ledgers,
    line_values,
    loaded,
    payment_lines,
)


def stored(amounts: list[list[int]], paid_before: list[int]) -> list[tuple[str, int, str]]:
    """The ledgers as PostgreSQL stores them (version 3, as ``loaded`` has them)."""
    return [
        (h, 3, to_json(ledger_to_json(led)).decode())
        for h, led in ledgers(amounts, paid_before).items()
    ]


@settings(max_examples=100, deadline=None)
@given(
    amounts=st.lists(
        st.lists(st.integers(0, 40_000), min_size=10, max_size=10), min_size=3, max_size=3
    ),
    paid_before=st.lists(st.integers(0, 30_000), min_size=3, max_size=3),
    values=st.lists(line_values, max_size=25),
    part=st.integers(1, 4),
)
def test_a_slab_matched_elsewhere_is_the_slab_matched_in_place(
    amounts: list[list[int]],
    paid_before: list[int],
    values: list[tuple[str, int, int, int, str, int]],
    part: int,
) -> None:
    lines = payment_lines(values)
    households = list(by_household(lines))
    in_place = Slab(
        stored(amounts, paid_before),
        by_household(lines),
        PostgresLedgerCodec(),
        PACKAGED,
        TODAY,
        IMPORT,
        encode=False,
    )
    original = payments.PART_HOUSEHOLDS
    payments.PART_HOUSEHOLDS = part  # parts of a few households: several in the slab
    try:
        here = match_slab(in_place)
        sent = pickle.loads(pickle.dumps(replace(in_place, encode=True)))
        there = pickle.loads(pickle.dumps(match_slab(sent)))
    finally:
        payments.PART_HOUSEHOLDS = original

    assert there.items == here.items
    assert there.changed == here.changed
    assert all(isinstance(c, tuple) for s in there.streams for c in s.public)
    assert validated(there.streams) == here.streams
    assert there.ledgers.rows == here.ledgers.rows

    # the slab as match_file matches the same lines on the same ledgers, part by part
    expected: list[StreamEvents] = []
    start = ledgers(amounts, paid_before)
    saved = []
    items = []
    for i in range(0, len(households), part):
        batch = loaded({h: start[h] for h in households[i : i + part] if h in start})
        of_part = [line for line in lines if line.household in households[i : i + part]]
        items += match_file(batch, of_part, PACKAGED, TODAY, IMPORT)
        streams, ledgers_ = stream_events(batch)
        expected += streams
        saved += ledgers_
    assert here.streams == expected
    assert sorted(here.items, key=lambda x: x.line or 0) == sorted(items, key=lambda x: x.line or 0)
    assert here.ledgers.rows == _ledger_rows(dict(start), saved)
    assert set(here.changed) == {s.household for s in expected}
    assert set(households) <= {*HOUSEHOLDS}


def test_private_contracts_come_back_as_they_went() -> None:
    day = date(2026, 7, 1)
    events = [
        ChargeChangeEntered("c-1", FY, 3, 12_000, day, "転出の訂正", "U-1", day),
        ChargeChangeEntered("c-2", FY, 4, 0, None, "x", "U-1", day),
        ChargeChangeRejected("c-1", "U-2", day),
    ]
    contracts = [to_contract("9950000001", e) for e in events]
    sent = [StreamEvents("9950000001", 0, [], [encoded("9950000001", e) for e in events])]
    back = validated(pickle.loads(pickle.dumps(sent)))
    assert back[0].private == contracts
    assert [type(c) for c in back[0].private] == [type(c) for c in contracts]


TEXT = st.text(alphabet=string.ascii_letters + string.digits + "-", min_size=1, max_size=20)


def _literals(annotation: Any) -> list[Any]:
    """The choices of a ``Literal`` field (or of an optional one, with None)."""
    if get_origin(annotation) is Literal:
        return list(get_args(annotation))
    if get_origin(annotation) in (Union, UnionType):
        found = [c for a in get_args(annotation) for c in _literals(a)]
        return [*found, None] if found and type(None) in get_args(annotation) else found
    return []


def _values(name: str, kind: Any) -> st.SearchStrategy[Any]:
    """Values a domain event's field may hold, most of them valid for its contract."""
    origin = get_origin(kind)
    if origin in (Union, UnionType):
        return st.one_of([_values(name, a) for a in get_args(kind)])
    if origin is tuple:
        args = get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(_values(name, args[0]), max_size=3).map(tuple)
        return st.tuples(*(_values(name, a) for a in args))
    if is_dataclass(kind):
        hints = get_type_hints(kind)
        return st.builds(kind, **{f.name: _values(f.name, hints[f.name]) for f in fields(kind)})
    if kind is type(None):
        return st.none()
    if kind is bool:
        return st.booleans()
    if kind is int:
        bounds = {"period": (1, 12), "fiscal_year": (2020, 2030)}.get(name, (0, 10_000_000))
        return st.integers(*bounds)
    if kind is str:
        return TEXT
    if kind is date:
        return st.dates(date(2020, 1, 1), date(2030, 12, 31))
    return st.from_type(kind)


def events(cls: type[Any]) -> st.SearchStrategy[Any]:
    contract = CONTRACTS[cls].model_fields
    hints = get_type_hints(cls)
    values = {}
    for f in fields(cls):
        choices = _literals(contract[f.name].annotation) if f.name in contract else []
        values[f.name] = st.sampled_from(choices) if choices else _values(f.name, hints[f.name])
    return st.builds(cls, **values)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(CONTRACTS, key=lambda c: c.__name__)).flatmap(events))
def test_any_event_handed_back_as_json_is_validated_into_its_contract(event: Any) -> None:
    """Every kind of event: its data handed back as JSON (not validated by the worker) gives
    the contract ``to_contract`` gives, or is refused as ``to_contract`` refuses it."""
    try:
        expected: Any = to_contract("9950000001", event)
    except ValidationError:
        expected = ValidationError
    sent = [StreamEvents("9950000001", 0, [encoded("9950000001", event)], [])]
    try:
        back: Any = validated(pickle.loads(pickle.dumps(sent)))[0].public[0]
    except ValidationError:
        back = ValidationError
    assert back == expected
    assert type(back) is type(expected)
