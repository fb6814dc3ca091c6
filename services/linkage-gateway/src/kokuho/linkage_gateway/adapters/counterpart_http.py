"""HTTP clients for the counterparts that speak JSON over HTTP (J-LIS, the intermediate
server). They implement the same ports as the in-process simulators; bootstrap picks them
when ``KOKUHO_LINKAGE_GATEWAY_JLIS_URL`` / ``..._INTERMEDIATE_SERVER_URL`` is set.

Any transport failure or non-2xx answer becomes ``ConnectionError``, which the API maps to
503 counterpart-unavailable: the gateway never guesses an answer it did not get.
"""

from __future__ import annotations

from typing import Any

import httpx

from kokuho.linkage_gateway.app.ports import Authenticity, InquiryAnswer, ReplicaMessage
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber

TIMEOUT = httpx.Timeout(10.0)


async def _call(base_url: str, method: str, path: str, body: Any = None) -> Any:
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT) as client:
            response = await client.request(method, path, json=body)
    except httpx.HTTPError as exc:
        # The message names the counterpart only, never the request body (it may hold a number).
        raise ConnectionError(f"{base_url}{path} unreachable ({type(exc).__name__})") from None
    if response.status_code >= 300:
        raise ConnectionError(f"{base_url}{path} answered {response.status_code}")
    return response.json() if response.content else None


class JlisHttp:
    """J-LIS authenticity check over HTTP (``POST /v1/authenticity-checks``)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    async def confirm(self, number: IndividualNumber) -> Authenticity:
        answer = await _call(
            self.base_url,
            "POST",
            "/v1/authenticity-checks",
            {"individual_number": number.value},
        )
        return Authenticity(bool(answer["authentic"]), str(answer.get("reason", "")))


class IntermediateServerHttp:
    """The intermediate server over HTTP (``/v1/replicas``, ``/v1/inquiries``)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    async def register_replica(self, message: ReplicaMessage) -> str:
        answer = await _call(
            self.base_url,
            "POST",
            "/v1/replicas",
            {
                "integrated_addressee_number": message.integrated_addressee_number,
                "item": message.item,
                "version": message.version,
                "content": message.content,
            },
        )
        return str(answer["receipt_id"])

    async def inquire(
        self, *, integrated_addressee_number: str, provider: str, item: str
    ) -> InquiryAnswer:
        answer = await _call(
            self.base_url,
            "POST",
            "/v1/inquiries",
            {
                "integrated_addressee_number": integrated_addressee_number,
                "provider": provider,
                "item": item,
            },
        )
        content = answer.get("content")
        return InquiryAnswer(str(answer["status"]), dict(content) if content is not None else None)

    async def export_replicas(self) -> dict[tuple[str, str], dict[str, Any]]:
        answer = await _call(self.base_url, "GET", "/v1/replicas")
        return {
            (r["integrated_addressee_number"], r["item"]): dict(r["content"])
            for r in answer["replicas"]
        }
