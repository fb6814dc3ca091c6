"""The federation's monthly claims file (KKH-RZP) handed on to benefits (ADR 0084).

The gateway alone receives the federation's files; benefits stores and validates the claims.
``forward_claims_file`` screens the file (header, C-19), records the delivery as ``prepared``
in a transaction of its own (so a crash after benefits took it leaves a trace), sends it to
benefits' ``POST /api/v1/claim-imports`` as the gateway's service principal (ADR 0083) with the
file's SHA-256 as the Idempotency-Key, and records what benefits answered: ``delivered`` with
its counts, or ``refused`` with every bad line (the file is not applied anywhere). The same
file again after a delivery is 409 and changes nothing; after a refusal or a failure it is sent
again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from kokuho.linkage_gateway.app.federation_files import JST
from kokuho.linkage_gateway.app.ports import CounterpartUnavailable, Federation, UnitOpener
from kokuho.linkage_gateway.domain.federation.claims import screen_claims_file
from kokuho.linkage_gateway.domain.federation.records import (
    FileRejected,
    LineError,
    refuse_out_of_cycle,
)
from kokuho.platform.errors import DomainError

RECIPIENT = "benefits"


class ClaimsFileAlreadyDelivered(DomainError):
    status = 409
    slug = "claims-file-already-delivered"

    def __init__(self) -> None:
        super().__init__("this claims file was delivered to benefits already (same content)")


class ClaimsFileRefusedByBenefits(Exception):
    """Benefits refused the file whole; ``errors`` are its lines and reasons."""

    def __init__(self, errors: Sequence[LineError]) -> None:
        super().__init__(f"benefits refused the claims file: {len(errors)} line(s)")
        self.errors = list(errors)


class BenefitsUnavailable(CounterpartUnavailable):
    slug = "benefits-unavailable"


class ClaimsReceiver(Protocol):
    """Benefits' claims import (``adapters/benefits_http.py``)."""

    async def import_claims(
        self, *, file_name: str, content: str, idempotency_key: str
    ) -> dict[str, Any]:
        """Benefits' receipt (counts); ``ClaimsFileRefusedByBenefits`` for a refused file,
        ``BenefitsUnavailable`` when it cannot be reached. A file benefits already holds is
        answered as taken (``{"already_received": True}``)."""
        ...


@dataclass(frozen=True)
class ClaimsDelivery:
    sha256: str
    file_name: str
    file_date: date
    month: str
    lines: int
    status: str
    received_by: str
    received_at: datetime
    recipient: str
    delivered_at: datetime | None
    receipt: dict[str, Any] | None


class ClaimsDeliveryRecords(Protocol):
    async def find(self, sha256: str) -> ClaimsDelivery | None: ...

    async def prepare(self, delivery: ClaimsDelivery) -> None:
        """Insert, or reset a refused or unfinished row to ``prepared``."""
        ...

    async def finish(
        self, sha256: str, *, status: str, at: datetime, receipt: dict[str, Any]
    ) -> None: ...

    async def latest(self, limit: int) -> list[ClaimsDelivery]: ...


@dataclass(frozen=True)
class ForwardClaims:
    file_name: str
    text: str
    user_id: str
    at: datetime


async def forward_claims_file(
    open_unit: UnitOpener, benefits: ClaimsReceiver | None, command: ForwardClaims
) -> ClaimsDelivery:
    header = screen_claims_file(command.text)  # FileRejected: nothing recorded or sent
    refuse_out_of_cycle(header.file_date, command.at.astimezone(JST).date())
    if benefits is None:
        raise BenefitsUnavailable(
            "benefits is not configured (KOKUHO_LINKAGE_GATEWAY_BENEFITS_URL and "
            "KOKUHO_LINKAGE_GATEWAY_SERVICE_KEY_PATH)"
        )
    digest = hashlib.sha256(command.text.encode("utf-8")).hexdigest()
    prepared = ClaimsDelivery(
        digest,
        command.file_name,
        header.file_date,
        header.month,
        header.lines,
        "prepared",
        command.user_id,
        command.at,
        RECIPIENT,
        None,
        None,
    )
    async with open_unit() as uow:
        found = await uow.claims_deliveries.find(digest)
        if found is not None and found.status == "delivered":
            raise ClaimsFileAlreadyDelivered()
        await uow.claims_deliveries.prepare(prepared)
        await uow.audit.record(
            subjects=[],
            detail={"file_name": command.file_name, "month": header.month, "phase": "prepared"},
        )
    try:
        receipt = await benefits.import_claims(
            file_name=command.file_name, content=command.text, idempotency_key=digest
        )
    except ClaimsFileRefusedByBenefits as refused:
        await _finish(open_unit, prepared, "refused", command.at, {"errors": len(refused.errors)})
        raise
    return await _finish(open_unit, prepared, "delivered", command.at, receipt)


async def _finish(
    open_unit: UnitOpener,
    prepared: ClaimsDelivery,
    status: str,
    at: datetime,
    receipt: dict[str, Any],
) -> ClaimsDelivery:
    async with open_unit() as uow:
        await uow.claims_deliveries.finish(prepared.sha256, status=status, at=at, receipt=receipt)
        await uow.audit.record(
            subjects=[],
            detail={"file_name": prepared.file_name, "month": prepared.month, "phase": status},
        )
        done = await uow.claims_deliveries.find(prepared.sha256)
        assert done is not None
        return done


class ClaimsFileNotAvailable(DomainError):
    status = 404
    slug = "claims-file-not-available"

    def __init__(self, month: str) -> None:
        super().__init__(f"the federation has no claims file for {month} yet")


@dataclass(frozen=True)
class FetchClaims:
    processing_month: str  # YYYY-MM
    user_id: str
    at: datetime


def claims_file_name(processing_month: str) -> str:
    """The name a fetched monthly file is kept under."""
    return f"KKH-RZP-1-{processing_month.replace('-', '')}.csv"


async def fetch_claims_file(
    open_unit: UnitOpener,
    federation: Federation,
    benefits: ClaimsReceiver | None,
    command: FetchClaims,
) -> ClaimsDelivery:
    """The month's KKH-RZP file fetched from the federation and handed on as if posted: the
    same screening, record and delivery (a month delivered before is 409 and is not sent
    again); 404 ``claims-file-not-available`` while the federation has none."""
    content = await federation.fetch_claims_file(command.processing_month)
    if content is None:
        raise ClaimsFileNotAvailable(command.processing_month)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise FileRejected([LineError(1, "the file is not UTF-8 text")]) from None
    header = screen_claims_file(text)
    if header.month != command.processing_month:
        raise FileRejected(
            [LineError(1, f"the file is of {header.month}, not {command.processing_month}")]
        )
    name = claims_file_name(command.processing_month)
    forward = ForwardClaims(name, text, command.user_id, command.at)
    return await forward_claims_file(open_unit, benefits, forward)


async def list_deliveries(open_unit: UnitOpener, limit: int) -> list[ClaimsDelivery]:
    async with open_unit() as uow:
        found = await uow.claims_deliveries.latest(limit)
        await uow.audit.record(subjects=[], detail={"claims_deliveries": len(found)})
        return found
