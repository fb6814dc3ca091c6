"""E-application portal (サービス検索・電子申請機能) stand-in, in memory.

- ``GET /v1/applications`` -> ``{"applications": [{"receipt_number", "procedure_code",
  "applied_at", "payload_b64", "signature_b64", "certificate_pem"}]}``: every application whose
  status was not yet set (what the gateway's intake fetches).
- ``PUT /v1/applications/{receipt_number}/status`` ``{"status_code", "reason"}`` -> 204.
- ``POST /simulator/applications`` (same shape as one listed application) queues an
  application, signed by whoever submits it (the tests' certificate authority).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, Field

RECEIPT = r"^[0-9A-Za-z-]{1,40}$"


class Application(BaseModel):
    model_config = ConfigDict(extra="forbid")
    receipt_number: str = Field(pattern=RECEIPT)
    procedure_code: str = Field(min_length=1, max_length=40)
    applied_at: datetime
    payload_b64: str
    signature_b64: str
    certificate_pem: str


class Applications(BaseModel):
    applications: list[Application]


class Status(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status_code: str = Field(min_length=1, max_length=20)
    reason: str = Field(max_length=400)


def build() -> FastAPI:
    app = FastAPI(title="E-application portal simulator (電子申請)")
    waiting: dict[str, Application] = {}
    statuses: dict[str, Status] = {}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "simulates": "portal"}

    @app.get("/v1/applications")
    async def fetch_new() -> Applications:
        return Applications(applications=[a for r, a in waiting.items() if r not in statuses])

    @app.put("/v1/applications/{receipt_number}/status", status_code=204)
    async def update_status(receipt_number: str, body: Status) -> None:
        if receipt_number not in waiting:
            raise HTTPException(404, "no such application")
        statuses[receipt_number] = body

    @app.get("/simulator/applications/{receipt_number}/status")
    async def status_of(receipt_number: str) -> Status:
        if receipt_number not in statuses:
            raise HTTPException(404, "no status set")
        return statuses[receipt_number]

    @app.post("/simulator/applications", status_code=204)
    async def submit(body: Application) -> None:
        waiting[body.receipt_number] = body

    return app
