"""Deterministic ids: the same parts give the same id as ``uuid5`` of their joined text, so
ids stored before the faster construction still match (duplicates across imports rely on it)."""

from __future__ import annotations

from uuid import UUID, uuid5

from hypothesis import given
from hypothesis import strategies as st

from kokuho.collection.app.charges import NAMESPACE, new_id
from kokuho.collection.app.line_matching import payment_id

parts = st.lists(st.one_of(st.text(), st.integers()), min_size=1, max_size=4)


@given(parts)
def test_an_id_is_the_uuid5_of_the_parts_joined(values: list[object]) -> None:
    made = new_id(*values)
    assert made == str(uuid5(NAMESPACE, ":".join(str(v) for v in values)))
    assert UUID(made).version == 5


def test_a_payment_is_named_by_its_channel_and_reference() -> None:
    # fixed here so a change of namespace or joining shows: it would re-admit old payments
    assert payment_id("bank", "B000000001") == str(
        uuid5(
            uuid5(UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8"), "urn:kokuho:collection"),
            "payment:bank:B000000001",
        )
    )
    assert payment_id("bank", "B000000001") != payment_id("counter", "B000000001")
