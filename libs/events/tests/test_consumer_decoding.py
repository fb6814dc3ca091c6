"""How the inbox consumer decodes a poll (no broker, no database)."""

from __future__ import annotations

import gc
import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import ConsumerRecord, TopicPartition

from kokuho.events.contracts import Envelope
from kokuho.events.runtime import consumer
from kokuho.events.runtime.consumer import Delivery, Undecodable, decode, decode_round
from kokuho.events.testing.sample import SampleRecorded


def _record(value: bytes | None, offset: int = 0, partition: int = 0) -> ConsumerRecord:  # type: ignore[type-arg]
    return ConsumerRecord("t", partition, offset, 0, 0, b"k", value, None, 1, len(value or b""), ())


def _envelope(data: dict[str, object], event_type: str = SampleRecorded.event_type) -> bytes:
    return Envelope(
        id=uuid.uuid4(),
        source="/kokuho/sample",
        type=event_type,
        time=datetime.now(UTC),
        subject="s-1",
        data=data,
        partitionkey="s-1",
        sequence="1",
    ).to_json_bytes()


def test_a_valid_message_becomes_its_envelope_and_event() -> None:
    delivery = decode(_record(_envelope({"n": 3, "note": "x"}), offset=7))
    assert delivery.envelope is not None
    assert delivery.event == SampleRecorded(n=3, note="x")
    assert (delivery.topic, delivery.partition, delivery.offset, delivery.key) == ("t", 0, 7, "k")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"{not json", "ValidationError: 1 validation error for Envelope"),
        (_envelope({"n": "three"}), "ValidationError: 1 validation error for SampleRecorded"),
        (_envelope({"n": 1, "extra": 1}), "ValidationError: 1 validation error for SampleRecorded"),
        (
            _envelope({"n": 1}, "jp.kokuho.sample.never_registered.v1"),
            "UnknownEventType: unknown event type 'jp.kokuho.sample.never_registered.v1'",
        ),
    ],
)
def test_what_cannot_be_decoded_says_why(value: bytes, reason: str) -> None:
    with pytest.raises(Undecodable) as caught:
        decode(_record(value))
    assert str(caught.value).startswith(reason)


def test_a_round_keeps_partition_and_offset_order_with_the_reasons_in_place() -> None:
    tp0, tp1 = TopicPartition("t", 0), TopicPartition("t", 1)
    batches = {
        tp0: [_record(_envelope({"n": 1}), 5), _record(b"{bad", 6), _record(None, 7)],
        tp1: [_record(_envelope({"n": 2}), 9, partition=1)],
    }
    fetched = decode_round(batches)
    assert [r.offset for r, _ in fetched.items] == [5, 6, 7, 9]
    kinds = [type(d).__name__ for _, d in fetched.items]
    assert kinds == ["Delivery", "str", "Delivery", "Delivery"]
    assert fetched.firsts == {tp0: 5, tp1: 9}
    assert fetched.offsets == {tp0: 8, tp1: 10}


def test_no_collection_runs_while_a_round_is_decoded_and_the_collector_is_left_as_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A round's objects all live until it is applied: collecting while they are made traversed
    # each of them again and again (a fifth of the consumer's CPU per event, issue 15).
    seen: list[bool] = []
    real = consumer.decode

    def watching(record: ConsumerRecord) -> Delivery:  # type: ignore[type-arg]
        seen.append(gc.isenabled())
        return real(record)

    monkeypatch.setattr(consumer, "decode", watching)
    batches = {TopicPartition("t", 0): [_record(_envelope({"n": 1}), i) for i in range(3)]}
    assert gc.isenabled()
    decode_round(batches)
    assert seen == [False, False, False]
    assert gc.isenabled()

    gc.disable()  # an application that manages collection itself keeps it off
    try:
        decode_round(batches)
        assert not gc.isenabled()
    finally:
        gc.enable()

    def failing(record: ConsumerRecord) -> Delivery:  # type: ignore[type-arg]
        raise RuntimeError("not a decoding failure")

    monkeypatch.setattr(consumer, "decode", failing)
    with pytest.raises(RuntimeError):
        decode_round(batches)
    assert gc.isenabled()


def test_a_delivery_cannot_be_changed() -> None:
    delivery = Delivery("t", 0, 1, "k", None, None)
    with pytest.raises(AttributeError):
        delivery.offset = 2  # type: ignore[misc]
    assert delivery == Delivery(
        topic="t", partition=0, offset=1, key="k", envelope=None, event=None
    )
