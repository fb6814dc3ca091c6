"""Federation handlers: insured changes captured from eligibility's events and sent with a
ledger entry (C-58); the daily continuation file validated, reconciled and held as a list of
differences until staff confirm them (C-16, C-20, C-21)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from uuid import UUID

from kokuho.events.contracts import EventContract
from kokuho.events.contracts.eligibility import (
    QualificationAcquired,
    QualificationCorrected,
    QualificationLost,
)
from kokuho.events.contracts.linkage_gateway import (
    FederationDifferenceConfirmed,
    HighCostCarryOverListed,
)
from kokuho.linkage_gateway.app.ports import (
    Federation,
    FederationRecords,
    StoredDifference,
    Transmission,
)
from kokuho.linkage_gateway.domain.federation import (
    OUTBOUND_FORMAT,
    OUTBOUND_VERSION,
    InsuredChange,
    build_insured_change_file,
    parse_carry_over_list,
    parse_continuation_file,
    reconcile_continuation,
    refuse_out_of_cycle,
)

#: The federation's files are dated in Japan time (no DST, so a fixed offset is exact).
JST = timezone(timedelta(hours=9), "JST")


class ContinuationFileAlreadyReceived(Exception):
    def __init__(self) -> None:
        super().__init__("this continuation file was already received (same content)")


class DifferenceNotOpen(Exception):
    def __init__(self, difference_id: int) -> None:
        super().__init__(f"difference {difference_id} is not open for confirmation")
        self.difference_id = difference_id


async def capture_change(
    records: FederationRecords, *, event: EventContract, event_id: UUID | None
) -> InsuredChange | None:
    """An eligibility qualification event becomes one 異動 record awaiting transmission."""
    if isinstance(event, QualificationAcquired):
        change = InsuredChange(
            "acquired",
            event.addressee_number,
            event.nhi_household_number,
            event.insured_number,
            event.card_symbol,
            event.card_number,
            event.branch_number,
            event.acquisition_date,
            None,
        )
    elif isinstance(event, (QualificationLost, QualificationCorrected)):
        # The card items come from the person's last change (a loss event does not repeat them).
        last = await records.last_change(event.addressee_number)
        symbol, card, branch = (
            (last.card_symbol, last.card_number, last.branch_number) if last else ("", "", "")
        )
        acquired: date | None
        lost: date | None
        if isinstance(event, QualificationLost):
            kind, acquired, lost = (
                "lost",
                last.acquisition_date if last else None,
                event.loss_date,
            )
        else:
            kind, acquired, lost = "corrected", event.acquisition_date, event.loss_date
        change = InsuredChange(
            kind,
            event.addressee_number,
            event.nhi_household_number,
            event.insured_number,
            symbol,
            card,
            branch,
            acquired,
            lost,
        )
    else:
        return None
    await records.add_change(change, event_id)
    return change


@dataclass(frozen=True)
class PreparedFile:
    transmission: Transmission
    content: bytes


async def prepare_insured_changes(
    records: FederationRecords, *, user_id: str, at: datetime
) -> PreparedFile | None:
    """Phase one of a send (C-58): the file and its ledger entry, before anything leaves. A
    file prepared earlier and never marked sent is taken again as it was."""
    waiting = await records.prepared_transmission()
    if waiting is not None:
        return PreparedFile(*waiting)
    pending = await records.pending_changes()
    if not pending:
        return None
    sequence = await records.next_sequence()
    text = build_insured_change_file(
        [c for _, c in pending], file_date=at.date(), sequence=sequence
    )
    content = text.encode("utf-8")
    prepared = await records.record_transmission(
        Transmission(
            id=0,
            file_name=f"{OUTBOUND_FORMAT}-{OUTBOUND_VERSION}-{at:%Y%m%d}-{sequence:06d}.csv",
            sequence=sequence,
            record_count=len(pending),
            sha256=hashlib.sha256(content).hexdigest(),
            sent_by=user_id,
            status="prepared",
            prepared_at=at,
            receipt=None,
            sent_at=None,
        ),
        [i for i, _ in pending],
        OUTBOUND_FORMAT,
        content,
    )
    return PreparedFile(prepared, content)


async def deliver_prepared(federation: Federation, prepared: PreparedFile) -> str:
    """Phase two: the file leaves; the federation keys it by name, so a re-send is harmless."""
    return await federation.send(prepared.transmission.file_name, prepared.content)


@dataclass(frozen=True)
class ContinuationReceipt:
    file_id: int
    records: int
    differences: int


async def receive_continuation_file(
    records: FederationRecords, *, file_name: str, text: str, user_id: str, at: datetime
) -> ContinuationReceipt:
    """Validate (all or nothing), reconcile, and keep the differences for staff."""
    file = parse_continuation_file(text)  # FileRejected: nothing applied
    refuse_out_of_cycle(file.file_date, at.astimezone(JST).date())
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if await records.file_seen(digest):
        raise ContinuationFileAlreadyReceived()
    ours = await records.our_qualifications([r.addressee_number for r in file.records])
    differences = reconcile_continuation(file, ours)
    file_id = await records.save_continuation(
        file_name=file_name,
        file=file,
        sha256=digest,
        received_by=user_id,
        at=at,
        differences=differences,
    )
    return ContinuationReceipt(file_id, len(file.records), len(differences))


async def confirm_difference(
    records: FederationRecords, *, difference_id: int, user_id: str, at: datetime
) -> StoredDifference:
    """C-21: a person confirms; only then does the difference go to eligibility as an event."""
    stored = await records.difference(difference_id)
    if stored is None or stored.status != "open":
        raise DifferenceNotOpen(difference_id)
    d = stored.difference
    await records.decide_difference(difference_id, status="confirmed", by=user_id, at=at)
    await records.publish(
        FederationDifferenceConfirmed(
            addressee_number=d.addressee_number,
            insured_number=d.insured_number,
            kind=d.kind,
            federation_acquisition_date=d.federation_acquisition_date,
            federation_loss_date=d.federation_loss_date,
            file_date=stored.file_date,
            confirmed_by=user_id,
        )
    )
    decided = await records.difference(difference_id)
    assert decided is not None
    return decided


class CarryOverListAlreadyReceived(Exception):
    def __init__(self) -> None:
        super().__init__("this carry-over list was already received (same content)")


async def receive_carry_over_list(
    records: FederationRecords, *, file_name: str, text: str, user_id: str, at: datetime
) -> int:
    """The monthly high-cost carry-over list: validated all or nothing, passed on to benefits
    as one event per household. Returns the number of households."""
    carry_over = parse_carry_over_list(text)  # FileRejected: nothing applied
    refuse_out_of_cycle(carry_over.file_date, at.astimezone(JST).date())
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    saved = await records.save_carry_over(
        file_name=file_name, carry_over=carry_over, sha256=digest, received_by=user_id, at=at
    )
    if saved is None:
        raise CarryOverListAlreadyReceived()
    await records.publish_carry_over(
        [
            HighCostCarryOverListed(
                kind=carry_over.kind,
                target_month=carry_over.target_month,
                nhi_household_number=h.nhi_household_number,
                householder_addressee_number=h.householder_addressee_number,
                previous_insurer_number=h.previous_insurer_number,
                high_cost_months=h.high_cost_months,
                last_high_cost_month=h.last_high_cost_month,
                file_date=carry_over.file_date,
            )
            for h in carry_over.households
        ]
    )
    return len(carry_over.households)
