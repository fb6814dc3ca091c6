"""Federation file exchange (国保総合PC / 国保情報集約システム) stand-in, in memory.

- ``PUT /v1/files/{file_name}`` with the file itself as the body (the versioned KKH text, e.g.
  KKH-IDO v3, UTF-8; it carries individual numbers for S3, held in memory only) ->
  ``{"receipt"}``. The federation keys files by name: the same file again is the same delivery
  (same receipt); the same name with other content is 409.
- ``GET /v1/continuation-files/{file_date}`` -> the daily continuation file KKH-SKK v1
  (``text/plain``): per addressee the latest KKH-IDO record received (files in name order),
  ``H,KKH-SKK,1,<date>`` / ``D,<addressee>,<insured number>,<acquisition>,<loss>`` / ``T,<n>``.
- ``GET /v1/files`` -> ``{"files": [names]}``.
- ``PUT /v1/claims-files/{YYYY-MM}`` (the federation's aggregation system making the month's
  claims file, KKH-RZP: for tests and the demo) and ``GET /v1/claims-files/{YYYY-MM}`` -> the
  file (``text/plain``), 404 when there is none.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import PlainTextResponse

NAME = r"^[0-9A-Za-z._-]{1,120}$"
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def continuation_file(received: dict[str, bytes], file_date: date) -> str:
    latest: dict[str, list[str]] = {}
    for name in sorted(received):
        for line in received[name].decode("utf-8").splitlines():
            fields = line.split(",")
            if fields[0] == "D" and len(fields) >= 10:
                latest[fields[2]] = fields
    data = [f"D,{a},{f[4]},{f[8]},{f[9]}" for a, f in sorted(latest.items())]
    return "\n".join([f"H,KKH-SKK,1,{file_date.isoformat()}", *data, f"T,{len(data)}"]) + "\n"


def build() -> FastAPI:
    app = FastAPI(title="Federation file exchange simulator (国保総合PC)")
    received: dict[str, bytes] = {}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "simulates": "federation"}

    @app.put("/v1/files/{file_name}")
    async def send(file_name: str, request: Request) -> dict[str, str]:
        if not re.match(NAME, file_name):
            raise HTTPException(422, "file_name: letters, digits, '.', '_' or '-' only")
        content = await request.body()
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise HTTPException(422, "body: the KKH formats are UTF-8 text") from None
        if file_name in received and received[file_name] != content:
            raise HTTPException(409, f"{file_name} was received with other content")
        received[file_name] = content
        return {"receipt": "fed-" + hashlib.sha256(content).hexdigest()[:16]}

    @app.get("/v1/files")
    async def files() -> dict[str, list[str]]:
        return {"files": sorted(received)}

    @app.get("/v1/continuation-files/{file_date}", response_class=PlainTextResponse)
    async def continuation(file_date: date) -> str:
        return continuation_file(received, file_date)

    claims: dict[str, bytes] = {}

    @app.put("/v1/claims-files/{month}")
    async def make_claims(month: str, request: Request) -> dict[str, int]:
        if not re.match(MONTH, month):
            raise HTTPException(422, "month: YYYY-MM")
        claims[month] = await request.body()
        return {"bytes": len(claims[month])}

    @app.get("/v1/claims-files/{month}", response_class=PlainTextResponse)
    async def claims_file(month: str) -> bytes:
        if month not in claims:
            raise HTTPException(404, f"no claims file for {month}")
        return claims[month]

    return app
