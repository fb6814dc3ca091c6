"""The AsyncAPI 3.0 document of every published topic, generated from the contract registry.

One channel per topic (the Kafka topic is its address), one message per contract. On the wire
the Kafka value is the whole CloudEvents 1.0 envelope in structured mode (``contracts/
envelope.py``), so a message's payload is the envelope with ``type`` fixed to the contract's
event type and ``data`` the contract's JSON Schema (from pydantic); the Kafka headers are the
content type and the W3C trace context; the Kafka key is the envelope's ``partitionkey``.
Nothing here is written by hand per event: a new contract appears on the next request.
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from kokuho.events.catalog.examples import example_of
from kokuho.events.catalog.topics import Topic, key_of, topics
from kokuho.events.contracts.envelope import CONTENT_TYPE, Envelope
from kokuho.events.contracts.registry import EventContract

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
_SCHEMAS = "#/components/schemas/"
_EXAMPLE_NAMESPACE = uuid.UUID("6f1b2b1e-4c47-4f2a-9a53-6b6f6b75686f")

HEADERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Kafka record headers (the CloudEvents attributes are in the value).",
    "properties": {
        "content-type": {"type": "string", "const": f"{CONTENT_TYPE}; charset=utf-8"},
        "traceparent": {
            "type": "string",
            "description": "W3C trace context of the change that produced the event",
        },
        "tracestate": {"type": "string", "description": "W3C trace state, when set"},
    },
    "required": ["content-type"],
}


@cache
def document() -> dict[str, Any]:
    """The whole AsyncAPI document (built once per process: the contracts are code)."""
    catalog = topics()
    contracts = [c for topic in catalog for c in topic.contracts]
    schemas, refs = _schemas(contracts)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in catalog:
        channels[topic.name] = _channel(topic)
        operations[f"publish.{topic.name}"] = {
            "action": "send",
            "title": f"{topic.service} publishes on {topic.name}",
            "channel": {"$ref": f"#/channels/{topic.name}"},
            "messages": [
                {"$ref": f"#/channels/{topic.name}/messages/{c.event_type}"}
                for c in topic.contracts
            ],
        }
        for contract in topic.contracts:
            messages[contract.event_type] = _message(topic, contract, refs)
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Kokuho events",
            "version": "1.0.0",
            "description": (
                "Every topic Kokuho's services publish. Each Kafka value is a CloudEvents 1.0 "
                "envelope (structured mode, `application/cloudevents+json`); `type` names the "
                "contract and its version (`jp.kokuho.<service>.<event>.v<N>`); a breaking "
                "change is a new version published beside the old one. Redelivery happens: "
                "deduplicate by the envelope's `id`. See docs/consumers.md."
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "city": {
                "host": "{bootstrap}",
                "protocol": "kafka",
                "description": "The city's Kafka cluster (ask the NHI division for access).",
                "variables": {
                    "bootstrap": {
                        "default": "localhost:9092",
                        "description": "bootstrap host:port",
                    }
                },
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": schemas,
            "messages": messages,
        },
    }


def _schemas(contracts: list[type[EventContract]]) -> tuple[dict[str, Any], dict[type, str]]:
    """Every schema under components (pydantic names them, qualifying clashing names), and
    each model's reference."""
    models: list[type[BaseModel]] = [Envelope, *contracts]
    keys, top = models_json_schema(
        [(model, "validation") for model in models],
        ref_template=_SCHEMAS + "{model}",
    )
    schemas: dict[str, Any] = dict(top.get("$defs", {}))
    schemas["KafkaHeaders"] = HEADERS_SCHEMA
    return schemas, {model: ref["$ref"] for (model, _mode), ref in keys.items()}


def _channel(topic: Topic) -> dict[str, Any]:
    description = topic.description
    if topic.restricted:
        description += f"\n\n**Restricted topic**: {topic.restricted}."
    if topic.compacted:
        description += "\n\nCompacted: the latest value per key; a null value erases the key."
    return {
        "address": topic.name,
        "title": topic.name,
        "summary": f"published by {topic.service}; key: {topic.key}",
        "description": description,
        "messages": {
            c.event_type: {"$ref": f"#/components/messages/{c.event_type}"} for c in topic.contracts
        },
        "bindings": {
            "kafka": {
                "topic": topic.name,
                "topicConfiguration": {
                    "cleanup.policy": ["compact"] if topic.compacted else ["delete"]
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
        "x-kokuho-restricted": topic.restricted is not None,
    }


def _message(topic: Topic, contract: type[EventContract], refs: dict[type, str]) -> dict[str, Any]:
    doc = (contract.__doc__ or contract.__name__).strip()
    message: dict[str, Any] = {
        "name": contract.__name__,
        "title": contract.event_type,
        "summary": doc.split("\n\n")[0].replace("\n", " "),
        "description": doc,
        "contentType": CONTENT_TYPE,
        "headers": {"$ref": _SCHEMAS + "KafkaHeaders"},
        "payload": {
            "allOf": [
                {"$ref": refs[Envelope]},
                {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string", "const": contract.event_type},
                        "source": {"type": "string", "const": f"/kokuho/{topic.service}"},
                        "data": {"$ref": refs[contract]},
                    },
                },
            ]
        },
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": key_of(topic, contract)},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }
    example = _example(topic, contract)
    if example is not None:
        message["examples"] = [example]
    return message


def _example(topic: Topic, contract: type[EventContract]) -> dict[str, Any] | None:
    data = example_of(contract)
    if data is None:
        return None
    key = str(
        data.get("transfer_id")
        or data.get("nhi_household_number")
        or data.get("addressee_number")
        or "0000000001"
    )
    envelope = Envelope(
        id=uuid.uuid5(_EXAMPLE_NAMESPACE, contract.event_type),
        source=f"/kokuho/{topic.service}",
        type=contract.event_type,
        time="2026-04-01T09:00:00+09:00",  # type: ignore[arg-type]
        subject=key,
        data=data,
        partitionkey=key,
        sequence="1",
    )
    return {
        "name": "synthetic",
        "summary": "Synthetic values that satisfy the contract",
        "headers": {"content-type": f"{CONTENT_TYPE}; charset=utf-8"},
        "payload": envelope.model_dump(mode="json", exclude_none=True),
    }


@cache
def document_json() -> bytes:
    """The document as served at ``/asyncapi.json`` (serialised once per process)."""
    return json.dumps(document(), ensure_ascii=False).encode()
