"""The event store's quick pass over event strings (issue 15) never lets a number through:
whenever the recogniser finds an individual number, the quick shape test says "look", and the
batch searched at once refuses what its streams checked one by one refuse (ADR 0113); and its
batch id generator gives version 4 UUIDs."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from kokuho.events.individual_numbers import check_digit, contains_individual_number
from kokuho.events.runtime.store import (
    IndividualNumberInEvent,
    StreamAppend,
    _holds_number,
    _may_hold_number,
    _string_fields,
    _strings,
    check_no_individual_numbers,
    check_streams,
    random_ids,
)
from kokuho.events.testing.sample import SampleRecorded


def as_written(first: str, form: int) -> str:
    n = first + str(check_digit(first))
    return [n, f"{n[:4]} {n[4:8]} {n[8:]}", f"{n[:4]}-{n[4:8]}-{n[8:]}", f"{n[:6]} {n[6:]}"][form]


numbers = st.builds(
    as_written,
    st.text(alphabet="0123456789", min_size=11, max_size=11),
    st.integers(min_value=0, max_value=3),
)
noise = st.text(alphabet="0123456789 -aZ/_", max_size=10)


def wrong_digit(first: str) -> str:
    """Twelve digits in a number's shape whose check digit is wrong: no number."""
    return first + str((check_digit(first) + 1) % 10)


#: the shape without a number (as an id's last twelve hex digits may be)
near_numbers = st.builds(wrong_digit, st.text(alphabet="0123456789", min_size=11, max_size=11))
#: a number in full-width digits: not ASCII, found by the recogniser after NFKC
wide_numbers = numbers.map(
    lambda n: n.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
)
texts = st.lists(
    st.one_of(noise, numbers, near_numbers, wide_numbers, st.just("番号")), max_size=6
).map("".join)


@given(texts)
def test_the_quick_shape_test_never_misses_a_number(text: str) -> None:
    if contains_individual_number(text):
        assert _may_hold_number(text)
    assert _holds_number(text) == contains_individual_number(text)


@given(st.text(max_size=40))
def test_any_text_is_answered_as_the_recogniser_answers(text: str) -> None:
    assert _holds_number(text) == contains_individual_number(text)


def test_long_digit_runs_are_answered_quickly_and_rightly() -> None:
    first = "12345678901"
    n = first + str(check_digit(first))
    notice = "202600012345678906"  # eighteen digits: no run of exactly twelve
    assert not _may_hold_number(notice)
    assert not _may_hold_number(f"PN-{notice}-01")
    assert _may_hold_number(f"x{n}y")
    assert _holds_number(f"x{n}y")
    assert _holds_number(f"tel {n[:4]} {n[4:8]} {n[8:]}")
    assert _may_hold_number("⑫" + n[2:])  # not ASCII: always the full check
    assert _holds_number("⑫" + n[2:])


def test_random_ids_are_distinct_version_4_uuids() -> None:
    """The batch id generator (issue 15) gives what ``uuid4`` gives: version 4, RFC 4122
    variant, all distinct, and the string form parses back to the same id."""
    ids = list(random_ids(5000))
    assert len(set(ids)) == 5000
    assert {u.version for u in ids} == {4}
    assert {u.variant for u in ids} == {uuid.RFC_4122}
    assert all(uuid.UUID(str(u)) == u for u in ids[:100])
    assert list(random_ids(0)) == []


class Kind(StrEnum):
    PLAIN = "plain"
    NUMBERED = "ref 1234 5678 9012"


class Inner(BaseModel):
    note: str
    on: date
    n: int
    kind: Kind


class Outer(BaseModel):
    items: list[Inner]
    tags: dict[str, str]
    reference: str | None
    amount: Decimal
    nested: Any = None


leaves = st.one_of(
    st.text(max_size=8), st.integers(), st.none(), st.dates(), st.uuids(), st.sampled_from(Kind)
)
inner = st.builds(Inner, note=st.text(max_size=8), kind=st.sampled_from(Kind))
values = st.recursive(
    st.one_of(leaves, inner),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.tuples(children, children),
        st.dictionaries(st.text(max_size=4), children, max_size=3),
        st.builds(
            Outer,
            items=st.lists(inner, max_size=2),
            tags=st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2),
            amount=st.decimals(allow_nan=False, allow_infinity=False),
            nested=children,
        ),
    ),
    max_leaves=12,
)


@given(values)
def test_the_quick_walk_finds_every_string_the_field_walk_finds(value: Any) -> None:
    """``_strings`` (by type, fields from ``__dict__``) sees exactly the texts of
    ``_string_fields`` (by ``model_fields``): enum values and mapping keys included."""
    assert sorted(_strings(value)) == sorted(text for _, text in _string_fields(value, "data"))


def one_by_one(appends: list[StreamAppend]) -> str | None:
    """The reference: each stream checked on its own, in order (before ADR 0113)."""
    try:
        for item in appends:
            check_no_individual_numbers(item)
    except IndividualNumberInEvent as refused:
        return str(refused)
    return None


def batch_check(appends: list[StreamAppend]) -> str | None:
    try:
        check_streams(appends)
    except IndividualNumberInEvent as refused:
        return str(refused)
    return None


streams = st.lists(
    st.tuples(
        st.lists(texts, min_size=1, max_size=3),  # the events' notes
        st.just("s") | numbers,  # stream id prefix
        st.none() | texts,  # partition key
        st.booleans(),  # public
    ),
    min_size=1,
    max_size=5,
)


@given(streams)
def test_the_batch_wide_search_refuses_what_the_streams_checked_one_by_one_refuse(
    spec: list[tuple[list[str], str, str | None, bool]],
) -> None:
    """The batch's texts joined and searched once (ADR 0113) refuse the same batches, on the
    same event and field, as checking each stream's texts in turn; a number split between
    two texts (one ending and the next starting with digits) is no number."""
    appends = [
        StreamAppend(
            f"{prefix}/{i}",
            0,
            [SampleRecorded(n=n, note=note) for n, note in enumerate(notes)],
            "t" if public else None,
            key or None,
        )
        for i, (notes, prefix, key, public) in enumerate(spec)
    ]
    assert batch_check(appends) == one_by_one(appends)


def test_digits_either_side_of_two_texts_are_not_joined_into_a_number() -> None:
    first = "12345678901"
    n = first + str(check_digit(first))
    split = [SampleRecorded(n=0, note=n[:6]), SampleRecorded(n=1, note=n[6:])]
    check_streams([StreamAppend("s-1", 0, split, "t", n[:6]), StreamAppend(n[6:], 0, split)])
    with pytest.raises(IndividualNumberInEvent, match="data/note"):
        check_streams([StreamAppend("s-1", 0, [*split, SampleRecorded(n=2, note=n)], "t")])
