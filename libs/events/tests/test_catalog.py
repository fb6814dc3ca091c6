"""The AsyncAPI catalog: valid for the official parser, complete, and its examples true."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from kokuho.events.catalog.asyncapi import document, document_json
from kokuho.events.catalog.topics import (
    contract_modules,
    published_event_types,
    topic_constants,
    topics,
)
from kokuho.events.contracts.envelope import Envelope
from kokuho.events.contracts.registry import contract_for, event_types
from kokuho.events.transfers import load_registry

ROOT = Path(__file__).resolve().parents[3]
TOOLS = ROOT / "tools" / "asyncapi"


def test_every_registered_contract_is_a_message_on_its_topic() -> None:
    doc = document()
    messages = doc["components"]["messages"]
    published = published_event_types()
    assert {
        "jp.kokuho.eligibility.qualification_acquired.v1",
        "jp.kokuho.eligibility.personal_details_recorded.v1",
        "jp.kokuho.assessment.household_income_facts_stated.v1",
        "jp.kokuho.collection.tax_deduction_transferred.v1",
    } <= set(published)
    assert sorted(messages) == published
    on_channels = {m for channel in doc["channels"].values() for m in channel["messages"]}
    assert on_channels == set(published)
    # the payload of a message is the envelope with its data the contract's schema
    for event_type, message in messages.items():
        extra = message["payload"]["allOf"][1]["properties"]
        assert extra["type"]["const"] == event_type
        name = extra["data"]["$ref"].rsplit("/", 1)[-1]
        assert doc["components"]["schemas"][name]["title"] == contract_for(event_type).__name__


def test_private_and_test_events_are_not_published() -> None:
    """Private events (a service's own store) and test samples register too; not in the
    catalog, and the catalog still builds with them registered."""
    import kokuho.events.testing.sample  # noqa: F401  (registers a sample contract)

    assert "jp.kokuho.sample.sample_recorded.v1" in event_types()
    assert "jp.kokuho.sample.sample_recorded.v1" not in published_event_types()
    assert all(t.startswith("jp.kokuho.") for t in published_event_types())


def test_every_topic_a_contract_module_declares_is_a_channel() -> None:
    declared = {t for module in contract_modules() for t in topic_constants(module)}
    feeds = {t for flow in load_registry().feeds() for t in flow.feed_topics}
    channels = {c["address"] for c in document()["channels"].values()}
    assert declared | feeds == channels
    assert {"kokuho.eligibility.events", "kokuho.eligibility.personal-details"} <= channels
    assert all(topic.contracts for topic in topics()), "a topic without any contract"


def test_every_department_feed_of_the_registry_is_a_restricted_channel() -> None:
    """Each event-feed transfer of the registry (ADR 0089): its topic and its current-state
    companion (compacted), carrying the registry's contract, whose fields are the items."""
    channels = document()["channels"]
    messages = document()["components"]["messages"]
    schemas = document()["components"]["schemas"]
    flows = load_registry().feeds()
    assert {f.seed_number for f in flows} == {5, 10, 13}
    for flow in flows:
        assert flow.feed_topic is not None
        assert flow.feed_event_type is not None
        for topic in flow.feed_topics:
            channel = channels[topic]
            assert channel["x-kokuho-restricted"] is True
            assert flow.recipient in channel["description"]
            assert list(channel["messages"]) == [flow.feed_event_type]
            compacted = channel["bindings"]["kafka"]["topicConfiguration"]["cleanup.policy"]
            assert compacted == (["compact"] if topic == flow.snapshot_topic else ["delete"])
        message = messages[flow.feed_event_type]
        assert message["bindings"]["kafka"]["key"]["description"].startswith("宛名番号")
        name = message["payload"]["allOf"][1]["properties"]["data"]["$ref"].rsplit("/", 1)[-1]
        assert set(schemas[name]["properties"]) == flow.items
    ltc = channels["kokuho.feeds.ltc-insurance.eligibility"]
    assert "ltc-insurance-division" in ltc["description"]


def test_restricted_and_compacted_topics_say_so() -> None:
    channels = document()["channels"]
    details = channels["kokuho.eligibility.personal-details"]
    assert details["x-kokuho-restricted"] is True
    assert details["bindings"]["kafka"]["topicConfiguration"]["cleanup.policy"] == ["compact"]
    assert channels["kokuho.eligibility.events"]["x-kokuho-restricted"] is False
    messages = document()["components"]["messages"]
    transfer = messages["jp.kokuho.collection.tax_deduction_transferred.v1"]
    assert transfer["bindings"]["kafka"]["key"]["description"].startswith("the transfer id")
    charge = messages["jp.kokuho.collection.charge_set.v1"]
    assert charge["bindings"]["kafka"]["key"]["description"].startswith("国保世帯番号")


def test_every_message_has_an_example_valid_for_its_contract_and_its_schema() -> None:
    """The examples are synthesised; each must satisfy the pydantic contract, the envelope,
    and the JSON Schema the document publishes (which checks the published schema too)."""
    doc = document()
    registry = Registry().with_resource("urn:kokuho:asyncapi", Resource(doc, specification=DRAFT7))
    for event_type, message in doc["components"]["messages"].items():
        assert message.get("examples"), f"{event_type}: no example could be synthesised"
        payload = message["examples"][0]["payload"]
        envelope = Envelope.model_validate(payload)
        assert envelope.type == event_type
        contract_for(event_type).model_validate(envelope.data)
        pointer = f"urn:kokuho:asyncapi#/components/messages/{event_type}/payload"
        validator = Draft7Validator({"$ref": pointer}, registry=registry)
        errors = [e.message for e in validator.iter_errors(payload)]
        assert errors == [], (event_type, errors)


def test_a_wrong_example_fails_the_published_schema() -> None:
    """The schema check above can fail: a household number of the wrong shape is refused."""
    doc = document()
    registry = Registry().with_resource("urn:kokuho:asyncapi", Resource(doc, specification=DRAFT7))
    event_type = "jp.kokuho.linkage_gateway.replica_registered.v1"
    payload = json.loads(json.dumps(doc["components"]["messages"][event_type]["examples"][0]))
    payload = payload["payload"]
    payload["data"]["addressee_number"] = "12"
    pointer = f"urn:kokuho:asyncapi#/components/messages/{event_type}/payload"
    validator = Draft7Validator({"$ref": pointer}, registry=registry)
    assert any(
        "addressee_number" in str(e.path) or "12" in e.message
        for e in validator.iter_errors(payload)
    )


def _install_parser() -> Path:
    assert shutil.which("node"), "node is needed (docs/consumers.md, tools/asyncapi)"
    assert shutil.which("npm"), "npm is needed (docs/consumers.md, tools/asyncapi)"
    subprocess.run([str(TOOLS / "install.sh")], check=True, timeout=600)
    return ROOT / ".local" / "asyncapi" / "validate.mjs"


def _validate(validate: Path, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(validate), str(path)], capture_output=True, text=True, timeout=300
    )


@pytest.mark.timeout(900)
def test_the_official_asyncapi_parser_accepts_the_document_and_refuses_a_broken_one(
    tmp_path: Path,
) -> None:
    validate = _install_parser()
    good = tmp_path / "asyncapi.json"
    good.write_bytes(document_json())
    result = _validate(validate, good)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid AsyncAPI 3.0.0" in result.stdout
    assert f"{len(document()['channels'])} channels" in result.stdout

    broken = json.loads(document_json())
    broken["channels"]["kokuho.eligibility.events"]["address"] = 7
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps(broken))
    result = _validate(validate, bad)
    assert result.returncode == 1, result.stdout
    assert "address" in result.stdout


def test_the_consumer_guide_names_every_feed_of_the_registry() -> None:
    guide = (ROOT / "docs" / "consumers.md").read_text(encoding="utf-8")
    for flow in load_registry().feeds():
        for topic in flow.feed_topics:
            assert f"`{topic}`" in guide, topic
