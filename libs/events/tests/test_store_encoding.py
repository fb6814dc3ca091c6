"""The event store's envelope encoding (ADR 0111): the stream's shared attributes serialised
once and each event's own appended give exactly the bytes of serialising the whole document
per event, for any text, context and trace headers, and for every registered contract."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic_core import to_json

from kokuho.events.catalog.examples import example_of
from kokuho.events.contracts import SPECVERSION, Envelope, EventContract
from kokuho.events.contracts.registry import contract_for, event_types, load_all_contracts
from kokuho.events.ports import EventContext, StreamAppend
from kokuho.events.runtime.store import encode_events, random_ids
from kokuho.events.testing.sample import SampleRecorded

SOURCE = "/kokuho/sample"
NOW = datetime(2026, 12, 7, 2, 30, 0, 123456, tzinfo=UTC)


def whole_document(
    item: StreamAppend, version: int, event_id: uuid.UUID, trace: tuple[str | None, str | None]
) -> bytes:
    """The reference: one dict per event, serialised at once (the encoding before ADR 0111)."""
    document: dict[str, Any] = {
        "specversion": SPECVERSION,
        "source": SOURCE,
        "time": NOW.isoformat(),
        "subject": item.stream_id,
        "datacontenttype": "application/json",
        "partitionkey": item.partition_key or item.stream_id,
    }
    optional = (
        ("correlationid", item.context.correlation_id),
        ("causationid", item.context.causation_id),
        ("traceparent", trace[0]),
        ("tracestate", trace[1]),
    )
    document.update({name: str(value) for name, value in optional if value is not None})
    event = item.events[version - item.expected_version - 1]
    document |= {
        "id": str(event_id),
        "type": event.event_type,
        "sequence": str(version),
        "data": event,
    }
    return to_json(document)


def assert_same_as_whole_documents(
    item: StreamAppend, trace: tuple[str | None, str | None]
) -> None:
    ids = list(random_ids(len(item.events)))
    recorded = encode_events(SOURCE, item, NOW, trace, iter(ids))
    assert [r.raw for r in recorded] == [
        whole_document(item, r.version, event_id, trace)
        for r, event_id in zip(recorded, ids, strict=True)
    ]
    for r, event_id in zip(recorded, ids, strict=True):
        envelope = Envelope.from_json_bytes(r.raw)
        assert (envelope.id, envelope.sequence, envelope.subject) == (
            event_id,
            str(r.version),
            item.stream_id,
        )


texts = st.text(max_size=30)  # quotes, backslashes, control characters, any script
traces = st.tuples(
    st.none() | st.just("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
    st.none() | st.text(alphabet="abc=,-", max_size=12),
)


@given(
    notes=st.lists(st.tuples(st.integers(), texts), min_size=1, max_size=4),
    stream_id=st.text(min_size=1, max_size=20),
    partition_key=st.none() | st.text(min_size=1, max_size=20),
    expected_version=st.integers(min_value=0, max_value=10**6),
    correlated=st.booleans(),
    trace=traces,
)
def test_the_appended_attributes_give_the_bytes_of_the_whole_document(
    notes: list[tuple[int, str]],
    stream_id: str,
    partition_key: str | None,
    expected_version: int,
    correlated: bool,
    trace: tuple[str | None, str | None],
) -> None:
    context = (
        EventContext(correlation_id=uuid.uuid4(), causation_id=uuid.uuid4())
        if correlated
        else EventContext()
    )
    item = StreamAppend(
        stream_id,
        expected_version,
        [SampleRecorded(n=n, note=note) for n, note in notes],
        "t",
        partition_key,
        context,
    )
    assert_same_as_whole_documents(item, trace)


def _registered() -> list[str]:
    import kokuho.events.testing.sample  # noqa: F401  (registers the sample contract)

    load_all_contracts()
    return sorted(event_types())


@pytest.mark.parametrize("event_type", _registered())
def test_every_contract_is_encoded_as_its_whole_document(event_type: str) -> None:
    contract: type[EventContract] = contract_for(event_type)
    example = example_of(contract)
    assert example is not None, event_type
    event = contract.model_validate(example)
    item = StreamAppend("s-1", 3, [event, event], "t", "k-1", EventContext())
    assert_same_as_whole_documents(item, (None, None))


def test_random_ids_are_uuids_that_equal_and_hash_as_the_standard_class() -> None:
    for fast in random_ids(200):
        plain = uuid.UUID(bytes=fast.bytes)
        assert isinstance(fast, uuid.UUID)
        assert (fast == plain, hash(fast) == hash(plain), str(fast) == str(plain)) == (
            True,
            True,
            True,
        )
        assert (plain.version, plain.variant) == (4, uuid.RFC_4122)
