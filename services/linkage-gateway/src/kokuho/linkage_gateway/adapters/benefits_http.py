"""Benefits' claims import over HTTP, called as the gateway's service principal (ADR 0083):
``POST <benefits>/api/v1/claim-imports`` with a short-lived service token and the file's
SHA-256 as the Idempotency-Key (a retry after a lost answer replays benefits' receipt).

201: the receipt. 409 ``claims-file-already-received``: benefits holds this file already, so it
is delivered. 422 ``claims-file-refused``: ``ClaimsFileRefusedByBenefits`` with every line and
reason. Anything else, or no answer: ``BenefitsUnavailable`` (503); the delivery stays
``prepared`` and the same file may be sent again.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from kokuho.linkage_gateway.app.claims_files import (
    BenefitsUnavailable,
    ClaimsFileRefusedByBenefits,
)
from kokuho.linkage_gateway.domain.federation.records import LineError
from kokuho.platform.service_identity import ServiceCredentials

PATH = "/api/v1/claim-imports"
TIMEOUT = httpx.Timeout(10.0, read=300.0)  # a city's month is tens of megabytes
_LINE = re.compile(r"/line/([0-9]+)$")


class BenefitsClaimsHttp:
    def __init__(
        self,
        base_url: str,
        credentials: ServiceCredentials,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.transport = transport

    async def import_claims(
        self, *, file_name: str, content: str, idempotency_key: str
    ) -> dict[str, Any]:
        headers = {
            "Authorization": f"Bearer {self.credentials.token_for('benefits')}",
            "Idempotency-Key": idempotency_key,
        }
        try:
            async with httpx.AsyncClient(
                base_url=self.base_url, timeout=TIMEOUT, transport=self.transport
            ) as client:
                response = await client.post(
                    PATH, json={"file_name": file_name, "content": content}, headers=headers
                )
        except httpx.HTTPError as exc:
            raise BenefitsUnavailable(
                f"benefits {PATH} unreachable ({type(exc).__name__})"
            ) from None
        if response.status_code in (200, 201):
            body: dict[str, Any] = response.json()
            return body
        problem = _problem(response)
        if response.status_code == 409 and str(problem.get("type", "")).endswith(
            "claims-file-already-received"
        ):
            return {"already_received": True}
        if response.status_code == 422 and str(problem.get("type", "")).endswith(
            "claims-file-refused"
        ):
            raise ClaimsFileRefusedByBenefits(
                [
                    LineError(int(m.group(1)) if m else 0, str(e.get("reason", "")))
                    for e in problem.get("errors", [])
                    for m in [_LINE.search(str(e.get("pointer", "")))]
                ]
            )
        raise BenefitsUnavailable(f"benefits {PATH} answered {response.status_code}")


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
