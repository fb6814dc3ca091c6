"""Resident-record system stand-in (住民記録システム): the change feed eligibility reads
(ADR 0015, format in services/eligibility/README.md "Resident-register feed").

- ``GET /v1/changes?after=N&limit=M`` -> ``{"changes": [...]}``: the changes with a sequence
  greater than ``N``, in sequence order, at most ``M`` (1..1000).
- ``POST /simulator/changes`` (set-up, as the register's clerk would record a 届出): one change
  without ``sequence`` (and, if wanted, without ``change_id``); the simulator numbers it and
  answers 201 with the change as the feed will give it. An individual number anywhere in it is
  refused (422, the value never repeated): the register sends addressee numbers only.
- ``GET /healthz``.

Kept in memory. Sequences start at the process's start time in seconds, so a restarted
simulator numbers after everything an earlier one gave (eligibility reads after the last
sequence it took in) unless more than one change a second was recorded before the restart.
"""

from __future__ import annotations

import re
import time
from typing import Any

from fastapi import Body, FastAPI, HTTPException, Query

from kokuho.events.individual_numbers import contains_individual_number

ADDRESSEE = re.compile(r"^[0-9]{10}$")
REQUIRED = ("kind", "addressee_number", "fact_date", "notified_date")


def build() -> FastAPI:
    app = FastAPI(title="Resident-record system simulator (住民記録 異動フィード)")
    changes: list[dict[str, Any]] = []
    base = int(time.time())

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "simulates": "resident-register"}

    @app.get("/v1/changes")
    async def feed(
        after: int = Query(default=0, ge=0), limit: int = Query(default=500, ge=1, le=1000)
    ) -> dict[str, list[dict[str, Any]]]:
        return {"changes": [c for c in changes if c["sequence"] > after][:limit]}

    @app.post("/simulator/changes", status_code=201)
    async def record(change: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
        if contains_individual_number(change):
            raise HTTPException(422, "an individual number is not sent by the resident register")
        missing = [f for f in REQUIRED if f not in change]
        if missing or "sequence" in change:
            raise HTTPException(422, f"missing {missing} or a sequence given (the feed numbers)")
        if not ADDRESSEE.match(str(change["addressee_number"])):
            raise HTTPException(422, "addressee_number must be 10 digits (宛名番号)")
        sequence = base + len(changes) + 1
        stored = {"change_id": f"RR{sequence}", **change, "sequence": sequence}
        changes.append(stored)
        return stored

    return app
