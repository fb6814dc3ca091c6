"""The CloudEvents 1.0 envelope in structured mode: the Kafka value is the whole JSON envelope.

Extensions: ``partitionkey`` (the Kafka key), ``sequence`` (the aggregate version, a string as
the CloudEvents sequence extension requires), ``correlationid``, ``causationid`` and the W3C
``traceparent``/``tracestate`` (the CloudEvents distributed-tracing extension).
Envelope attributes never carry personal data: ``subject`` is an aggregate id such as an
addressee number or a UUID.
"""

from __future__ import annotations

import re
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SPECVERSION: Literal["1.0"] = "1.0"
CONTENT_TYPE = "application/cloudevents+json"

TYPE_PATTERN = re.compile(r"^jp\.kokuho\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.v[1-9][0-9]*$")
SOURCE_PATTERN = re.compile(r"^/kokuho/[a-z][a-z0-9-]*$")
TRACEPARENT_PATTERN = re.compile(r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")


class Envelope(BaseModel):
    """One event as it travels between services.

    Constraints are declared as patterns and types (checked in pydantic's core) rather than
    Python validators: envelopes are built by the thousand on batch paths.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = SPECVERSION
    id: UUID
    source: str = Field(pattern=SOURCE_PATTERN.pattern)
    type: str = Field(pattern=TYPE_PATTERN.pattern)
    time: AwareDatetime
    subject: str = Field(min_length=1, max_length=200)
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]
    partitionkey: str = Field(min_length=1, max_length=200)
    sequence: str | None = None
    correlationid: UUID | None = None
    causationid: UUID | None = None
    traceparent: str | None = Field(default=None, pattern=TRACEPARENT_PATTERN.pattern)
    tracestate: str | None = None

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> Envelope:
        return cls.model_validate_json(raw)
