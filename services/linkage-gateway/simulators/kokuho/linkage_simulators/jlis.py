"""J-LIS authenticity check (真正性確認) stand-in.

``POST /v1/authenticity-checks`` with ``{"individual_number": "<12 digits>"}`` answers
``{"authentic": bool, "reason": str}``. Every well-formed number is confirmed except those
registered through ``POST /simulator/not-issued`` (how tests exercise a refusal). The number is
in the body only, never in a path or a log line.
"""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field


class AuthenticityCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")
    individual_number: str = Field(pattern=r"^[0-9]{12}$")


class AuthenticityAnswer(BaseModel):
    authentic: bool
    reason: str = ""


def build() -> FastAPI:
    app = FastAPI(title="J-LIS simulator (真正性確認)")
    not_issued: set[str] = set()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "simulates": "jlis"}

    @app.post("/v1/authenticity-checks")
    async def check(body: AuthenticityCheck) -> AuthenticityAnswer:
        if body.individual_number in not_issued:
            return AuthenticityAnswer(
                authentic=False, reason="J-LIS reports the number as not issued"
            )
        return AuthenticityAnswer(authentic=True)

    @app.post("/simulator/not-issued", status_code=204)
    async def mark_not_issued(body: AuthenticityCheck) -> None:
        not_issued.add(body.individual_number)

    return app
