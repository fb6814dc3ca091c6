"""The gateway's retention job (C-95..C-97, ADR 0097).

The gateway keeps a person's binding (the sealed individual number, its wrapped data key and
the integrated addressee number), affairs, replicas and card state only as long as eligibility
keeps the person: once eligibility has erased the person after its retention (the tombstone on
its compacted personal-details topic, noted in ``erased_persons``), this job

1. asks the intermediate server to delete the person's replicas (C-97: the municipality's own
   operation) and records the request with its receipt;
2. deletes the binding row, which crypto-shreds the number (its per-subject data key, wrapped
   by the key-encryption key, goes with the ciphertext), the affairs, the replica originals and
   the card state;
3. writes one erasure record per store (C-96).

Each person is one transaction; a person whose replica deletion the server did not take keeps
everything (the integrated addressee number is needed to ask again) and is tried at the next
run. A re-run finds nothing left to erase. Logs (inquiries, provisions, registrations sent,
transfers) stay for their own period (C-95: logs)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from kokuho.linkage_gateway.app.ports import CounterpartUnavailable, IntermediateServer
from kokuho.platform.erasure_records import ErasureRecord
from kokuho.platform.unit_of_work import UnitOfWorkPort

SYSTEM_RETENTION = "system:retention"
OPERATION = "erase after retention (C-95..C-97)"
BASIS = "C-95: eligibility erased the person after its retention (tombstone); ADR 0097"

#: Data classes and the stores each lives in.
BINDING = "linkage.binding"
REPLICAS = "linkage.replicas"
CARD_STATE = "linkage.card_state"
STORES: dict[str, tuple[str, ...]] = {
    BINDING: ("integrated_addressee", "affair_subjects"),
    REPLICAS: ("replicas", "intermediate-server"),
    CARD_STATE: ("myna_card_states",),
}

#: Why a person is kept (the report names them).
ELIGIBILITY_KEEPS = "eligibility_retention_not_over"
SERVER_UNAVAILABLE = "intermediate_server_unavailable"


@dataclass(frozen=True)
class Held:
    """What the gateway still holds of a person eligibility has erased."""

    addressee_number: str
    integrated_addressee_number: str | None
    classes: frozenset[str]


class RetentionRecords(Protocol):
    async def erased_and_held(self) -> list[Held]:
        """Persons eligibility erased of whom something is still held here."""
        ...

    async def kept(self) -> list[str]:
        """Bound persons eligibility still keeps."""
        ...

    async def still_erased(self, addressee_number: str) -> bool:
        """Whether eligibility still has the person erased (locks the note for the
        transaction: details recorded again meanwhile keep everything)."""
        ...

    async def record_replica_deletion(
        self, addressee_number: str, integrated: str, receipt: str, by: str, at: datetime
    ) -> None: ...

    async def erase(self, addressee_number: str) -> None:
        """Delete the binding (crypto-shred), affairs, replica originals and card state."""
        ...

    async def record(self, records: list[ErasureRecord]) -> None:
        """C-96 (listed by ``kokuho.platform.erasure_routes``)."""
        ...


class RetentionUnit(UnitOfWorkPort, Protocol):
    @property
    def retention(self) -> RetentionRecords: ...


@dataclass
class RetentionReport:
    on: date
    dry_run: bool
    erased: dict[str, list[str]] = field(default_factory=dict)
    kept: dict[str, list[str]] = field(default_factory=dict)
    replica_deletions: int = 0
    records: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.on.isoformat(),
            "dry_run": self.dry_run,
            "erased": {k: len(v) for k, v in sorted(self.erased.items())},
            "replica_deletions": self.replica_deletions,
            "records_written": self.records,
            "kept": {k: len(v) for k, v in sorted(self.kept.items())},
            "kept_subjects": {k: sorted(v) for k, v in sorted(self.kept.items())},
        }


async def apply_retention(
    units: Callable[[], RetentionUnit],
    server: IntermediateServer,
    *,
    now: datetime,
    on: date,
    dry_run: bool,
) -> RetentionReport:
    report = RetentionReport(on, dry_run)
    async with units() as uow:
        held = await uow.retention.erased_and_held()
        kept = await uow.retention.kept()
    if kept:
        report.kept[ELIGIBILITY_KEEPS] = kept
    for person in held:
        if dry_run:
            for data_class in sorted(person.classes):
                report.erased.setdefault(data_class, []).append(person.addressee_number)
            continue
        async with units() as uow:
            if not await uow.retention.still_erased(person.addressee_number):
                report.kept.setdefault(ELIGIBILITY_KEEPS, []).append(person.addressee_number)
                continue
            integrated = person.integrated_addressee_number
            if integrated is not None:
                try:
                    receipt = await server.delete_replicas(integrated)
                except CounterpartUnavailable:
                    report.kept.setdefault(SERVER_UNAVAILABLE, []).append(person.addressee_number)
                    continue
                await uow.retention.record_replica_deletion(
                    person.addressee_number, integrated, receipt, SYSTEM_RETENTION, now
                )
                report.replica_deletions += 1
            await uow.retention.erase(person.addressee_number)
            records = [
                ErasureRecord(c, person.addressee_number, s, on, now, SYSTEM_RETENTION, BASIS)
                for c in sorted(person.classes)
                for s in STORES[c]
            ]
            await uow.retention.record(records)
            await uow.audit.record(
                subjects=[person.addressee_number],
                detail={"retention": "erased", "classes": sorted(person.classes)},
            )
            report.records += len(records)
            for data_class in sorted(person.classes):
                report.erased.setdefault(data_class, []).append(person.addressee_number)
    return report
