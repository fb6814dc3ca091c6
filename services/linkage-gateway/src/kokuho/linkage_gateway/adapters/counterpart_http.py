"""HTTP clients for the counterparts reached over HTTP (J-LIS, the intermediate server, the
e-application portal, the resident-record system: JSON; the federation: the KKH files as they
are). They implement the same ports as the in-process simulators; bootstrap picks one when its
URL setting is set (``KOKUHO_LINKAGE_GATEWAY_JLIS_URL``, ``..._INTERMEDIATE_SERVER_URL``,
``..._FEDERATION_URL``, ``..._PORTAL_URL``, ``..._RESIDENT_RECORDS_URL``).

Any transport failure or non-2xx answer becomes ``CounterpartUnavailable`` (a
``ConnectionError`` and a domain error: 503 counterpart-unavailable): the gateway never guesses
an answer it did not get.
"""

from __future__ import annotations

import base64
import ssl
from datetime import date, datetime
from typing import Any

import httpx

from kokuho.linkage_gateway.app.ports import (
    Authenticity,
    CounterpartUnavailable,
    InquiryAnswer,
    ReplicaMessage,
    SignedApplication,
)
from kokuho.linkage_gateway.domain.card_status import CardStateReport
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber

TIMEOUT = httpx.Timeout(10.0)
#: A city's daily file is several megabytes: reading it may take longer than a call.
FILE_TIMEOUT = httpx.Timeout(10.0, read=120.0)


def _client(
    base_url: str, tls: ssl.SSLContext | None, timeout: httpx.Timeout = TIMEOUT
) -> httpx.AsyncClient:
    """A client for one counterpart: with ``tls`` (the gateway's certificate, the counterparts'
    CA, ADR 0095) for an https URL; without it httpx's own verification (plain http locally)."""
    if tls is None:
        return httpx.AsyncClient(base_url=base_url, timeout=timeout)
    return httpx.AsyncClient(base_url=base_url, timeout=timeout, verify=tls)


async def _call(
    tls: ssl.SSLContext | None,
    base_url: str,
    method: str,
    path: str,
    body: Any = None,
    *,
    absent_ok: bool = False,
) -> Any:
    try:
        async with _client(base_url, tls) as client:
            response = await client.request(method, path, json=body)
    except httpx.HTTPError as exc:
        # The message names the counterpart only, never the request body (it may hold a number).
        reason = type(exc).__name__
        raise CounterpartUnavailable(f"{base_url}{path} unreachable ({reason})") from None
    if absent_ok and response.status_code == 404:
        return None
    if response.status_code >= 300:
        raise CounterpartUnavailable(f"{base_url}{path} answered {response.status_code}")
    return response.json() if response.content else None


class JlisHttp:
    """J-LIS authenticity check over HTTP (``POST /v1/authenticity-checks``)."""

    def __init__(self, base_url: str, tls: ssl.SSLContext | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.tls = tls

    async def confirm(self, number: IndividualNumber) -> Authenticity:
        answer = await _call(
            self.tls,
            self.base_url,
            "POST",
            "/v1/authenticity-checks",
            {"individual_number": number.value},
        )
        return Authenticity(bool(answer["authentic"]), str(answer.get("reason", "")))


class IntermediateServerHttp:
    """The intermediate server over HTTP (``/v1/replicas``, ``/v1/inquiries``,
    ``/v1/card-states``)."""

    def __init__(self, base_url: str, tls: ssl.SSLContext | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.tls = tls

    async def register_replica(self, message: ReplicaMessage) -> str:
        answer = await _call(
            self.tls,
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
            self.tls,
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
        answer = await _call(self.tls, self.base_url, "GET", "/v1/replicas")
        return {
            (r["integrated_addressee_number"], r["item"]): dict(r["content"])
            for r in answer["replicas"]
        }

    async def delete_replicas(self, integrated_addressee_number: str) -> str:
        answer = await _call(
            self.tls, self.base_url, "DELETE", f"/v1/persons/{integrated_addressee_number}/replicas"
        )
        return str(answer["receipt_id"])

    async def card_states(self) -> list[CardStateReport]:
        answer = await _call(self.tls, self.base_url, "GET", "/v1/card-states")
        try:
            return [
                CardStateReport(
                    integrated_addressee_number=str(s["integrated_addressee_number"]),
                    status=str(s["status"]),
                    e_certificate_expires_on=(
                        date.fromisoformat(s["e_certificate_expires_on"])
                        if s.get("e_certificate_expires_on")
                        else None
                    ),
                    as_of=date.fromisoformat(s["as_of"]),
                )
                for s in answer["states"]
            ]
        except (KeyError, TypeError, ValueError):
            # an answer we cannot read is no answer: nothing is guessed from it
            raise CounterpartUnavailable(
                f"{self.base_url}/v1/card-states answered an unreadable list"
            ) from None


class FederationHttp:
    """The federation's file exchange over HTTP: ``PUT /v1/files/{file_name}`` with the KKH
    file as the body. 409 (the name was delivered with other content) is ``FileExistsError``,
    as from the in-process simulator."""

    def __init__(self, base_url: str, tls: ssl.SSLContext | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.tls = tls

    async def send(self, file_name: str, content: bytes) -> str:
        path = f"/v1/files/{file_name}"
        try:
            async with _client(self.base_url, self.tls) as client:
                response = await client.put(
                    path, content=content, headers={"Content-Type": "text/plain; charset=utf-8"}
                )
        except httpx.HTTPError as exc:
            raise CounterpartUnavailable(
                f"{self.base_url}{path} unreachable ({type(exc).__name__})"
            ) from None
        if response.status_code == 409:
            raise FileExistsError(f"{file_name} was received with other content")
        if response.status_code >= 300:
            raise CounterpartUnavailable(f"{self.base_url}{path} answered {response.status_code}")
        return str(response.json()["receipt"])

    async def fetch_continuation_file(self, file_date: date) -> bytes | None:
        """``GET /v1/continuation-files/{date}``: the KKH-SKK file as bytes, None on 404."""
        return await _fetch_file(
            self.tls, self.base_url, f"/v1/continuation-files/{file_date.isoformat()}"
        )

    async def fetch_claims_file(self, processing_month: str) -> bytes | None:
        """``GET /v1/claims-files/{YYYY-MM}``: the KKH-RZP file as bytes, None on 404."""
        return await _fetch_file(self.tls, self.base_url, f"/v1/claims-files/{processing_month}")


async def _fetch_file(tls: ssl.SSLContext | None, base_url: str, path: str) -> bytes | None:
    """A file the federation serves (``GET``): its bytes, None on 404."""
    try:
        async with _client(base_url, tls, FILE_TIMEOUT) as client:
            response = await client.get(path)
    except httpx.HTTPError as exc:
        raise CounterpartUnavailable(
            f"{base_url}{path} unreachable ({type(exc).__name__})"
        ) from None
    if response.status_code == 404:
        return None
    if response.status_code >= 300:
        raise CounterpartUnavailable(f"{base_url}{path} answered {response.status_code}")
    return response.content


class PortalHttp:
    """The e-application portal over HTTP (``/v1/applications``)."""

    def __init__(self, base_url: str, tls: ssl.SSLContext | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.tls = tls

    async def fetch_new(self) -> list[SignedApplication]:
        answer = await _call(self.tls, self.base_url, "GET", "/v1/applications")
        return [
            SignedApplication(
                receipt_number=a["receipt_number"],
                procedure_code=a["procedure_code"],
                applied_at=datetime.fromisoformat(a["applied_at"]),
                payload=base64.b64decode(a["payload_b64"]),
                signature=base64.b64decode(a["signature_b64"]),
                certificate_pem=a["certificate_pem"].encode(),
            )
            for a in answer["applications"]
        ]

    async def update_status(self, receipt_number: str, status_code: str, reason: str) -> None:
        await _call(
            self.tls,
            self.base_url,
            "PUT",
            f"/v1/applications/{receipt_number}/status",
            {"status_code": status_code, "reason": reason},
        )


class ResidentRecordsHttp:
    """The resident-record system's certificate-holder lookup over HTTP."""

    def __init__(self, base_url: str, tls: ssl.SSLContext | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.tls = tls

    async def addressee_of_certificate(self, serial: str) -> str | None:
        answer = await _call(
            self.tls, self.base_url, "GET", f"/v1/certificate-holders/{serial}", absent_ok=True
        )
        return None if answer is None else str(answer["addressee_number"])
