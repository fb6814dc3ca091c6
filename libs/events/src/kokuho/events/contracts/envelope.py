"""The CloudEvents 1.0 envelope in structured mode: the Kafka value is the whole JSON envelope.

Extensions: ``partitionkey`` (the Kafka key), ``sequence`` (the aggregate version, a string as
the CloudEvents sequence extension requires), ``correlationid``, ``causationid`` and the W3C
``traceparent``/``tracestate`` (the CloudEvents distributed-tracing extension).
Envelope attributes never carry personal data: ``subject`` is an aggregate id such as an
addressee number or a UUID.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

SPECVERSION: Literal["1.0"] = "1.0"
CONTENT_TYPE = "application/cloudevents+json"

_TYPE = re.compile(r"^jp\.kokuho\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.v[1-9][0-9]*$")
_SOURCE = re.compile(r"^/kokuho/[a-z][a-z0-9-]*$")
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")


class Envelope(BaseModel):
    """One event as it travels between services."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = SPECVERSION
    id: UUID
    source: str
    type: str
    time: datetime
    subject: str = Field(min_length=1, max_length=200)
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]
    partitionkey: str = Field(min_length=1, max_length=200)
    sequence: str | None = None
    correlationid: UUID | None = None
    causationid: UUID | None = None
    traceparent: str | None = None
    tracestate: str | None = None

    @field_validator("type")
    @classmethod
    def _type_is_versioned(cls, value: str) -> str:
        if not _TYPE.match(value):
            raise ValueError("type must look like jp.kokuho.<service>.<event_name>.v<N>")
        return value

    @field_validator("source")
    @classmethod
    def _source_names_a_service(cls, value: str) -> str:
        if not _SOURCE.match(value):
            raise ValueError("source must look like /kokuho/<service>")
        return value

    @field_validator("time")
    @classmethod
    def _time_has_offset(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("time must carry a UTC offset")
        return value

    @field_validator("traceparent")
    @classmethod
    def _traceparent_is_w3c(cls, value: str | None) -> str | None:
        if value is not None and not _TRACEPARENT.match(value):
            raise ValueError("traceparent must be a W3C trace context header value")
        return value

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> Envelope:
        return cls.model_validate_json(raw)
