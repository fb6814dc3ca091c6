"""The bulk certificate run (SF-Q06 一斉更新, SF-Q08 交付対象の判定; ADR 0017): for every member
insured today, decide 資格確認書 or 資格情報のお知らせ from the member's basis (rules.md 5.4)
and issue the document unless the member already holds it for this renewal; then render what
the run issued into print files with a mailing list for the mailing house.

Resumable: each member is its own transaction (the document and the run's item together), so a
stop loses nothing and a re-run finds the members done (they hold the document) and issues
nothing twice; a print file that exists is not rendered again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol
from uuid import UUID, uuid4

from pydantic import model_validator

from kokuho.eligibility.app.direct import act
from kokuho.eligibility.app.errors import PersonNotFound
from kokuho.eligibility.app.jobs import REFUSALS
from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort
from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain.certificate_choice import (
    CertificateBasis,
    HeldDocument,
    RenewalRules,
    choose_certificate,
    needs_issue,
)
from kokuho.eligibility.domain.errors import EligibilityRuleBroken
from kokuho.platform.models import RequestModel

log = logging.getLogger(__name__)

SYSTEM_CERTIFICATE_RUN = "system:certificate-run"
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class Candidate:
    addressee_number: str
    nhi_household_number: str
    basis: CertificateBasis
    held: list[HeldDocument]


@dataclass(frozen=True)
class PrintedFile:
    name: str
    certificates: int
    bytes: int


class CertificateRunsPort(Protocol):
    async def record_card_status(
        self, addressee_number: str, status: str, expires_on: date | None, as_of: date
    ) -> bool:
        """Keep the state reported on ``as_of`` unless a later one is held; True if kept."""
        ...

    async def record_basis(
        self, addressee_number: str, dv_support: bool | None, on_application: bool | None
    ) -> None: ...

    async def basis(self, addressee_number: str) -> dict[str, Any] | None: ...

    async def unfinished(self, renewal: str) -> dict[str, Any] | None: ...

    async def start(
        self, run_id: UUID, renewal: RenewalRules, issue_date: date, requested_by: str
    ) -> None: ...

    async def run(self, run_id: UUID) -> dict[str, Any] | None: ...

    async def candidates(self) -> list[Candidate]: ...

    async def add_item(
        self, run_id: UUID, certificate_id: str, addressee_number: str, kind: str, reason: str
    ) -> None: ...

    async def progress(self, run_id: UUID, **counts: int | str) -> None: ...

    async def item_count(self, run_id: UUID) -> int: ...

    async def printable(self, run_id: UUID, offset: int, limit: int) -> list[dict[str, Any]]:
        """The run's certificates in print order with what a page prints (name, address...)."""
        ...


class CertificateUnit(EligibilityUnitPort, Protocol):
    @property
    def certificate_runs(self) -> CertificateRunsPort: ...


class PrintPort(Protocol):
    def done(self, run_id: UUID, number: int) -> bool: ...

    def write(
        self, run_id: UUID, number: int, certificates: Sequence[dict[str, Any]]
    ) -> PrintedFile:
        """One print file (PDF) and its mailing list (CSV), each renamed into place whole."""
        ...


@dataclass
class RunSummary:
    run_id: UUID
    renewal: str
    issue_date: date
    valid_until: date
    status: str = "issuing"
    candidates: int = 0
    issued: int = 0
    kept: int = 0
    refused: list[dict[str, str]] = field(default_factory=list)
    print_files: list[PrintedFile] = field(default_factory=list)
    resumed: bool = False
    subjects: list[str] = field(default_factory=list)


async def _issue_one(
    uow: CertificateUnit,
    ports: Eligibility,
    run: RunSummary,
    candidate: Candidate,
    kind: str,
    reason: str,
) -> None:
    certificate_id = str(uuid4())
    # 資格確認書: the renewal's end date; a お知らせ's validity is the rule's (none under 70)
    until = run.valid_until if kind == "eligibility_confirmation_document" else None
    command = c.IssueCertificate(
        certificate_id, kind, candidate.addressee_number, run.issue_date, None, until
    )
    async with uow:
        await act(
            uow,
            ports,
            candidate.nhi_household_number,
            command,
            "bulk_certificate",
            SYSTEM_CERTIFICATE_RUN,
        )
        await uow.certificate_runs.add_item(
            run.run_id, certificate_id, candidate.addressee_number, kind, reason
        )


async def run_renewal(
    units: Callable[[], CertificateUnit],
    ports: Eligibility,
    renewal: RenewalRules,
    requested_by: str,
    printer: PrintPort,
    *,
    chunk: int = 1000,
    progress_every: int = PROGRESS_EVERY,
    on_progress: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    """Issue and print the renewal: an unfinished run of the same renewal is resumed (same
    run, same issue date), else a new run starts today."""
    async with units() as uow:
        open_run = await uow.certificate_runs.unfinished(renewal.name)
        if open_run is None:
            run = RunSummary(uuid4(), renewal.name, ports.today(), renewal.valid_until)
            await uow.certificate_runs.start(run.run_id, renewal, run.issue_date, requested_by)
        else:
            run = RunSummary(
                open_run["run_id"],
                renewal.name,
                open_run["issue_date"],
                open_run["valid_until"],
                resumed=True,
            )
        candidates = await uow.certificate_runs.candidates()
    run.candidates = len(candidates)
    for n, candidate in enumerate(candidates, 1):
        choice = choose_certificate(candidate.basis, run.issue_date, renewal.grace_months)
        if not needs_issue(choice, candidate.held, renewal):
            run.kept += 1
        else:
            try:
                await _issue_one(units(), ports, run, candidate, choice.kind, choice.reason)
            except REFUSALS as refused:
                run.refused.append(
                    {
                        "addressee_number": candidate.addressee_number,
                        "reason": type(refused).__name__,
                    }
                )
            else:
                run.issued += 1
                run.subjects.append(candidate.addressee_number)
        if n % progress_every == 0:
            await _progress(units, run, on_progress)
    run.status = "printing"
    await _progress(units, run, on_progress)
    await print_run(units, run, printer, chunk)
    run.status = "done"
    await _progress(units, run, on_progress, finished=True)
    return run


async def _progress(
    units: Callable[[], CertificateUnit],
    run: RunSummary,
    on_progress: Callable[[RunSummary], None] | None,
    *,
    finished: bool = False,
) -> None:
    async with units() as uow:
        await uow.certificate_runs.progress(
            run.run_id,
            status=run.status,
            candidates=run.candidates,
            kept=run.kept,
            refused=len(run.refused),
            print_files=len(run.print_files),
            **({"finished": 1} if finished else {}),
        )
    if on_progress is not None:
        on_progress(run)


async def print_run(
    units: Callable[[], CertificateUnit], run: RunSummary, printer: PrintPort, chunk: int
) -> None:
    """Every certificate the run issued (this pass and earlier ones), in print files of
    ``chunk``; a file already complete is left as it is."""
    async with units() as uow:
        total = await uow.certificate_runs.item_count(run.run_id)
    for number, offset in enumerate(range(0, total, chunk)):
        if printer.done(run.run_id, number):
            run.print_files.append(PrintedFile(f"{number:05d}", min(chunk, total - offset), 0))
            continue
        async with units() as uow:
            rows = await uow.certificate_runs.printable(run.run_id, offset, chunk)
        # rendering is CPU work: off the event loop, so the service keeps answering
        printed = await asyncio.to_thread(printer.write, run.run_id, number, rows)
        run.print_files.append(printed)
        log.info("certificate print file", extra={"file": printed.name, "count": len(rows)})


async def record_basis(
    uow: CertificateUnit,
    addressee_number: str,
    dv_support: bool | None,
    on_application: bool | None,
) -> dict[str, Any]:
    """A clerk records 住基 DV support or a 要配慮者's application for a 資格確認書 (or their
    end); the next run decides with it. Audited with whose basis it is."""
    async with uow:
        if await uow.persons.details(addressee_number) is None:
            raise PersonNotFound(addressee_number)
        await uow.certificate_runs.record_basis(addressee_number, dv_support, on_application)
        await uow.audit.record(
            subjects=[addressee_number],
            detail={
                "certificate_basis": {"dv_support": dv_support, "on_application": on_application}
            },
        )
        found = await uow.certificate_runs.basis(addressee_number)
        assert found is not None
        return found


async def card_status_changed(
    uow: CertificateUnit, addressee_number: str, status: str, expires_on: date | None, as_of: date
) -> bool:
    """linkage-gateway's report of the member's マイナ保険証 state (kept unless older)."""
    async with uow:
        # a member unknown here is kept all the same: the state may arrive before the member
        return await uow.certificate_runs.record_card_status(
            addressee_number, status, expires_on, as_of
        )


class CertificateBasisIn(RequestModel):
    """住基 DV support, or a 要配慮者's application for a 資格確認書 (true), or its end (false);
    a field left out stays as it is."""

    dv_support: bool | None = None
    on_application: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> CertificateBasisIn:
        if self.dv_support is None and self.on_application is None:
            raise ValueError("give dv_support or on_application")
        return self


class CertificateRunNotFound(EligibilityRuleBroken):
    status = 404
    slug = "certificate-run-not-found"

    def __init__(self, run_id: UUID) -> None:
        super().__init__(f"certificate run {run_id} does not exist")


async def basis_of(uow: CertificateUnit, addressee_number: str) -> dict[str, Any] | None:
    async with uow:
        if await uow.persons.details(addressee_number) is None:
            raise PersonNotFound(addressee_number)
        await uow.audit.record(subjects=[addressee_number], detail={"certificate_basis": "read"})
        return await uow.certificate_runs.basis(addressee_number)


async def run_of(uow: CertificateUnit, run_id: UUID) -> dict[str, Any]:
    async with uow:
        found = await uow.certificate_runs.run(run_id)
        if found is None:
            raise CertificateRunNotFound(run_id)
        await uow.audit.record(subjects=[], detail={"certificate_run": str(run_id)})
        return found


async def record_run(uow: CertificateUnit, run: RunSummary) -> dict[str, Any]:
    """The audit record of a run asked for through the API (whose documents it issued)."""
    async with uow:
        await uow.audit.record(
            subjects=run.subjects,
            detail={"job": "certificates", "run_id": str(run.run_id), "renewal": run.renewal},
        )
        found = await uow.certificate_runs.run(run.run_id)
        assert found is not None
        return found
