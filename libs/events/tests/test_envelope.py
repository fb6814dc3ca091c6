"""Envelope and registry: what a valid event looks like, and what is refused."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_structured
from cloudevents.core.formats.json import JSONFormat
from pydantic import ValidationError

from kokuho.events.contracts import Envelope, EventContract, UnknownEventType, parse_data
from kokuho.events.runtime.kafka import kafka_headers
from kokuho.events.runtime.store import OutboxMessage
from kokuho.events.testing.sample import SampleRecorded


def envelope(**overrides: object) -> Envelope:
    fields: dict[str, object] = {
        "id": uuid4(),
        "source": "/kokuho/sample",
        "type": SampleRecorded.event_type,
        "time": datetime(2026, 4, 1, 9, 0, tzinfo=UTC),
        "subject": "000123",
        "data": {"n": 1},
        "partitionkey": "000123",
        "sequence": "1",
    }
    fields.update(overrides)
    return Envelope.model_validate(fields)


def test_round_trip_keeps_every_attribute() -> None:
    original = envelope(traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01")
    assert Envelope.from_json_bytes(original.to_json_bytes()) == original


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("type", "QualificationAcquired"),
        ("type", "jp.kokuho.eligibility.qualification_acquired"),
        ("source", "eligibility"),
        ("time", datetime(2026, 4, 1, 9, 0)),
        ("traceparent", "not-a-traceparent"),
        ("subject", ""),
        ("specversion", "0.3"),
        ("unexpected", "x"),
    ],
)
def test_invalid_envelopes_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as info:
        envelope(**{field: value})
    assert field in str(info.value)


def test_unknown_event_type_is_named() -> None:
    with pytest.raises(UnknownEventType) as info:
        parse_data("jp.kokuho.nobody.nothing.v1", {})
    assert info.value.event_type == "jp.kokuho.nobody.nothing.v1"


def test_data_is_validated_against_its_contract() -> None:
    assert parse_data(SampleRecorded.event_type, {"n": 3}) == SampleRecorded(n=3)
    with pytest.raises(ValidationError):
        parse_data(SampleRecorded.event_type, {"n": "three"})
    with pytest.raises(ValidationError):
        parse_data(SampleRecorded.event_type, {"n": 3, "name": "extra personal field"})


def test_a_type_cannot_be_registered_twice() -> None:
    with pytest.raises(TypeError):

        class Impostor(EventContract):
            event_type = SampleRecorded.event_type


def test_an_independent_cloudevents_implementation_reads_our_messages() -> None:
    ours = envelope(correlationid=uuid4())
    message = OutboxMessage(ours.id, "t", ours.partitionkey, ours.to_json_bytes(), None, None)
    parsed = from_structured(
        KafkaMessage(
            headers=dict(kafka_headers(message)), key=message.key.encode(), value=message.value
        ),
        JSONFormat(),
    )
    assert parsed.get_id() == str(ours.id)
    assert parsed.get_type() == ours.type
    assert parsed.get_source() == ours.source
    assert parsed.get_subject() == ours.subject
    assert parsed.get_extension("partitionkey") == ours.partitionkey
    assert parsed.get_data() == {"n": 1}
