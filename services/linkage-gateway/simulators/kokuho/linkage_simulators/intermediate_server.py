"""Municipal intermediate server (自治体中間サーバー) stand-in, in memory.

- ``POST /v1/replicas`` ``{"integrated_addressee_number", "item", "version", "content"}`` ->
  ``{"receipt_id"}``; idempotent on (integrated addressee number, item, version), an older
  version never replaces a newer one.
- ``POST /v1/inquiries`` ``{"integrated_addressee_number", "provider", "item"}`` ->
  ``{"status": "answered" | "no-data", "content": {...} | null}``.
- ``GET /v1/replicas`` -> ``{"replicas": [{"integrated_addressee_number", "item", "version",
  "content"}]}`` (the export used for reconciliation, C-84).
- ``DELETE /v1/persons/{integrated_addressee_number}/replicas`` -> ``{"receipt_id"}``: the
  municipality's own operation erasing every replica of the person (C-97); idempotent.
- ``PUT /simulator/provider-data`` ``{"provider", "item", "integrated_addressee_number",
  "content"}`` sets the canned provider data inquiries are answered from.
- ``GET /v1/card-states`` -> ``{"states": [{"integrated_addressee_number", "status",
  "e_certificate_expires_on", "as_of"}]}``: each person's マイナ保険証 state as the
  online-qualification side (オンライン資格確認) holds it (issue 14).
- ``PUT /simulator/card-states`` one such state sets (replaces) the person's state.

Neither the individual number nor the network code (符号) is part of any message (C-75, C-85).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Path
from pydantic import BaseModel, ConfigDict, Field

IAN = Field(pattern=r"^[0-9]{16}$")  # 統合宛名番号, 16 digits as the gateway issues it


class Replica(BaseModel):
    model_config = ConfigDict(extra="forbid")
    integrated_addressee_number: str = IAN
    item: str = Field(min_length=1, max_length=64)
    version: int = Field(ge=1)
    content: dict[str, Any]


class Receipt(BaseModel):
    receipt_id: str


class Inquiry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    integrated_addressee_number: str = IAN
    provider: str = Field(min_length=1, max_length=64)
    item: str = Field(min_length=1, max_length=64)


class InquiryAnswer(BaseModel):
    status: str
    content: dict[str, Any] | None


class ProviderData(Inquiry):
    content: dict[str, Any]


class ReplicaExport(BaseModel):
    replicas: list[Replica]


class CardState(BaseModel):
    model_config = ConfigDict(extra="forbid")
    integrated_addressee_number: str = IAN
    status: Literal[
        "registered", "no_card", "not_registered", "registration_cancelled", "card_returned"
    ]
    e_certificate_expires_on: date | None = None
    as_of: date


class CardStates(BaseModel):
    states: list[CardState]


def build() -> FastAPI:
    app = FastAPI(title="Intermediate server simulator (自治体中間サーバー)")
    replicas: dict[tuple[str, str], Replica] = {}
    provider_data: dict[tuple[str, str, str], dict[str, Any]] = {}
    card_states: dict[str, CardState] = {}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "simulates": "intermediate-server"}

    @app.post("/v1/replicas")
    async def register(body: Replica) -> Receipt:
        key = (body.integrated_addressee_number, body.item)
        held = replicas.get(key)
        if held is None or held.version < body.version:
            replicas[key] = body
        name = f"{key}:{body.version}"
        return Receipt(receipt_id=f"rcpt-{uuid.uuid5(uuid.NAMESPACE_URL, name).hex[:16]}")

    @app.post("/v1/inquiries")
    async def inquire(body: Inquiry) -> InquiryAnswer:
        data = provider_data.get((body.provider, body.item, body.integrated_addressee_number))
        if data is None:
            return InquiryAnswer(status="no-data", content=None)
        return InquiryAnswer(status="answered", content=dict(data))

    @app.get("/v1/replicas")
    async def export() -> ReplicaExport:
        return ReplicaExport(replicas=list(replicas.values()))

    @app.delete("/v1/persons/{integrated_addressee_number}/replicas")
    async def delete_replicas(
        integrated_addressee_number: Annotated[str, Path(pattern=r"^[0-9]{16}$")],
    ) -> Receipt:
        for key in [k for k in replicas if k[0] == integrated_addressee_number]:
            del replicas[key]
        name = f"delete:{integrated_addressee_number}"
        return Receipt(receipt_id=f"del-{uuid.uuid5(uuid.NAMESPACE_URL, name).hex[:16]}")

    @app.put("/simulator/provider-data", status_code=204)
    async def set_provider_data(body: ProviderData) -> None:
        provider_data[(body.provider, body.item, body.integrated_addressee_number)] = dict(
            body.content
        )

    @app.get("/v1/card-states")
    async def list_card_states() -> CardStates:
        return CardStates(states=list(card_states.values()))

    @app.put("/simulator/card-states", status_code=204)
    async def set_card_state(body: CardState) -> None:
        card_states[body.integrated_addressee_number] = body

    return app
