"""Certificates: a document is issued at once (it prints what two clerks already confirmed);
the record of a 限度額適用認定証 / 減額認定証 / 特定疾病療養受療証 is keyed from an application
form and so waits for a second clerk like any other entry (C-11)."""

from __future__ import annotations

from dataclasses import dataclass

from kokuho.eligibility.app import requests as rq
from kokuho.eligibility.app.change_commands import issue
from kokuho.eligibility.app.changes import EnterChange, Outcome, enter_change, record_audit
from kokuho.eligibility.app.direct import act
from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort
from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain.household import RECORD_KINDS


@dataclass(frozen=True)
class IssueCertificate:
    household_number: str
    body: rq.CertificateIn
    user_id: str


@dataclass(frozen=True)
class CollectCertificate:
    household_number: str
    certificate_id: str
    body: rq.CollectIn
    user_id: str


async def issue_certificate(
    uow: EligibilityUnitPort, ports: Eligibility, cmd: IssueCertificate
) -> Outcome:
    if cmd.body.kind in RECORD_KINDS:
        entry = EnterChange("record_certificate", cmd.body, cmd.user_id, cmd.household_number)
        return await enter_change(uow, ports, entry)
    async with uow:
        outcome = await act(
            uow, ports, cmd.household_number, issue(cmd.body), "issue_certificate", cmd.user_id
        )
        return await record_audit(uow, outcome)


async def collect_certificate(
    uow: EligibilityUnitPort, ports: Eligibility, cmd: CollectCertificate
) -> Outcome:
    command = c.CollectCertificate(cmd.certificate_id, cmd.body.collected_date, cmd.body.reason)
    async with uow:
        outcome = await act(
            uow, ports, cmd.household_number, command, "collect_certificate", cmd.user_id
        )
        return await record_audit(uow, outcome)
