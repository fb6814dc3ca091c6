"""Use cases of the claims (レセプト) and the federation's carry-over lists.

- :func:`import_claims`: the monthly ``KKH-RZP`` file, validated line by line, all or nothing
  (a bad line, a claim number received before, an adjustment of an unknown claim: 422 with
  every line; the same file twice: 409), stored per person, provider, month and setting with
  its 再審査・過誤 adjustments recorded against the claims they change;
- :func:`record_carry_over`: one household of linkage-gateway's ``HighCostCarryOverListed``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from kokuho.benefits.app.ports import BenefitsUnitPort, CarryOver, ClaimImport
from kokuho.benefits.domain.claims import (
    Claim,
    ClaimsFileRefused,
    month_of,
    read_claims_file,
    unknown_claims,
)
from kokuho.benefits.domain.errors import BenefitsError
from kokuho.events.contracts.linkage_gateway import HighCostCarryOverListed


class ClaimsFileAlreadyReceived(BenefitsError):
    status = 409

    def __init__(self) -> None:
        super().__init__("content: this claims file was already received (same content)")


@dataclass(frozen=True)
class ImportClaims:
    file_name: str
    text: str
    received_by: str


@dataclass(frozen=True)
class ClaimsReceipt:
    import_id: UUID
    processing_month: date
    claims: int
    adjustments: int
    households: int


async def import_claims(uow: BenefitsUnitPort, command: ImportClaims) -> ClaimsReceipt:
    file, errors = read_claims_file(command.text)
    sha256 = hashlib.sha256(command.text.encode("utf-8")).hexdigest()
    async with uow:
        if await uow.claims.file_seen(sha256):
            raise ClaimsFileAlreadyReceived()
        numbers = [c.claim_number for c in file.claims] + [a.claim_number for a in file.adjustments]
        errors += unknown_claims(file, await uow.claims.known(sorted(set(numbers))))
        if errors:  # every bad line at once; nothing applied
            raise ClaimsFileRefused(sorted(errors, key=lambda e: e.line))
        receipt = ClaimsReceipt(
            uuid4(),
            file.processing_month,
            len(file.claims),
            len(file.adjustments),
            len({c.nhi_household_number for c in file.claims}),
        )
        await uow.claims.save_import(
            ClaimImport(receipt.import_id, command.file_name, sha256, file, command.received_by)
        )
        await uow.audit.record(
            subjects=[],
            detail={
                "claims_import": str(receipt.import_id),
                "processing_month": f"{file.processing_month:%Y-%m}",
                "claims": receipt.claims,
                "adjustments": receipt.adjustments,
                "households": receipt.households,
            },
        )
        return receipt


async def read_claims(
    uow: BenefitsUnitPort, nhi_household_number: str, treatment_month: date
) -> list[Claim]:
    async with uow:
        found = await uow.claims.of_household(nhi_household_number, treatment_month)
        await uow.audit.record(
            subjects=sorted({c.addressee_number for c in found}) or [nhi_household_number],
            detail={
                "nhi_household_number": nhi_household_number,
                "treatment_month": f"{treatment_month:%Y-%m}",
            },
        )
        return found


async def record_carry_over(uow: BenefitsUnitPort, event: HighCostCarryOverListed) -> None:
    """Keep the federation's count for the household and month (a confirmed list stands
    beside the candidate one; the run prefers the confirmed)."""
    target, last = month_of(event.target_month), month_of(event.last_high_cost_month)
    assert target is not None  # the contract's pattern
    assert last is not None
    async with uow:
        await uow.carry_overs.put(
            CarryOver(
                event.nhi_household_number,
                target,
                event.kind,
                event.householder_addressee_number,
                event.previous_insurer_number,
                event.high_cost_months,
                last,
                event.file_date,
            )
        )
