"""Request and response bodies of the collection API.

Closed requests, typed responses.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from kokuho.collection.domain.case import OpenCase
from kokuho.platform.auth import StaffUser
from kokuho.platform.models import RequestModel, ResponseModel


class CaseIn(RequestModel):
    addressee_number: str = Field(pattern=r"^[0-9]{10}$", description="宛名番号")
    opened_on: date = Field(description="the day the case was opened (today or earlier)")

    def command(self, case_id: UUID, user: StaffUser, today: date) -> OpenCase:
        return OpenCase(case_id, self.addressee_number, self.opened_on, user.user_id, today)


class CaseOut(ResponseModel):
    case_id: UUID
    addressee_number: str
    opened_on: date
    opened_by: str
