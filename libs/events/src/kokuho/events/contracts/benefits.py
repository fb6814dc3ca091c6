"""Public events of benefits.

Topic ``kokuho.benefits.events``
(general; partition key = addressee number, so that one person's events arrive in order), and
its dead-letter topic ``kokuho.benefits.events.dlq``.
Identifiers, dates and codes only: **no** names, addresses, phone numbers or individual
numbers. A breaking change is a new ``.v2`` class produced alongside this one.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from kokuho.events.contracts.registry import EventContract

EVENTS_TOPIC = "kokuho.benefits.events"


class CaseOpened(EventContract):
    """A case was opened for a person (known by the addressee number, 宛名番号)."""

    event_type: ClassVar[str] = "jp.kokuho.benefits.case_opened.v1"

    case_id: UUID
    addressee_number: str = Field(pattern=r"^[0-9]{10}$", description="宛名番号")
    opened_on: date
    opened_by: str = Field(
        min_length=1, max_length=200, description="the staff user, or system:<process> (C-24)"
    )
