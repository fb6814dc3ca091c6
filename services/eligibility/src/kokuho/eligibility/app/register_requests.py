"""The pending ex officio changes the resident-register intake enters (kinds
``register_loss`` and ``register_personal_details`` in ``app/change_kinds.py``). Like a
counter change they keep their request as a forgettable payload until a clerk confirms; unlike
one they carry no identity verification (no one came to the counter: C-24, 職権) but the
register's change id."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kokuho.eligibility.app.requests import DateField, PersonalDetails
from kokuho.events.contracts.eligibility import AddresseeNumber
from kokuho.platform.models import RequestModel

RegisterChangeId = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="the register's change id")


class RegisterLossIn(RequestModel):
    """資格喪失 from a death or a move out of the city in the resident register."""

    addressee_number: AddresseeNumber
    reason: Literal["death", "moved_out"]
    fact_date: DateField
    notification_date: DateField
    effective_date: DateField | None = None
    register_change_id: str = RegisterChangeId


class RegisterDetailsIn(RequestModel):
    """氏名・住所の変更 from the resident register: the whole new record."""

    details: PersonalDetails
    fact_date: DateField
    notification_date: DateField
    register_change_id: str = RegisterChangeId
