"""Resident-record system stand-in: the holder of a user-authentication certificate serial.

- ``GET /v1/certificate-holders/{serial}`` -> ``{"addressee_number"}`` (10 digits) or 404
  (unknown serial).
- ``PUT /simulator/certificate-holders/{serial}`` ``{"addressee_number"}`` -> 204 (set-up).
"""

from __future__ import annotations

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, Field


class Holder(BaseModel):
    model_config = ConfigDict(extra="forbid")
    addressee_number: str = Field(pattern=r"^[0-9]{10}$")  # 宛名番号, 10 digits


def build() -> FastAPI:
    app = FastAPI(title="Resident-record system simulator (住民記録)")
    holders: dict[str, str] = {}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "simulates": "resident-records"}

    @app.get("/v1/certificate-holders/{serial}")
    async def holder(serial: str) -> Holder:
        if serial not in holders:
            raise HTTPException(404, "no holder for this certificate serial")
        return Holder(addressee_number=holders[serial])

    @app.put("/simulator/certificate-holders/{serial}", status_code=204)
    async def set_holder(serial: str, body: Holder) -> None:
        holders[serial] = body.addressee_number

    return app
