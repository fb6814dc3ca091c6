"""マイナ保険証 states from the online-qualification side to eligibility (issue 14, ADR 0019):
fetched, converted from the integrated addressee number to the addressee number through the
vault's binding, and published as ``MynaInsuranceCardStatusChanged`` through the outbox when
they are news (``domain/card_status.py``). One transaction for the run: a failure publishes
nothing and the next run starts again; a state already published is not published again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kokuho.events.contracts.linkage_gateway import MynaInsuranceCardStatusChanged
from kokuho.linkage_gateway.app.ports import IntermediateServer, UnitOpener
from kokuho.linkage_gateway.domain.card_status import is_news, refusal

OPERATION = "fetch マイナ保険証 states from the online-qualification side (issue 14)"


@dataclass(frozen=True)
class CardStateRun:
    """What a fetch did: states reported, published, already published (or older than the
    one published), of persons not bound here, and refused (unknown status, malformed)."""

    reported: int
    published: int
    unchanged: int
    unknown_person: int
    refused: list[str]


async def publish_card_states(
    open_unit: UnitOpener, server: IntermediateServer, *, at: datetime
) -> CardStateRun:
    reports = await server.card_states()
    published = unchanged = unknown = 0
    refused: list[str] = []
    async with open_unit() as uow:
        subjects: list[str] = []
        for index, report in enumerate(reports, start=1):
            reason = refusal(report)
            if reason is not None:
                refused.append(f"state {index}: {reason}")
                continue
            who = await uow.linkage.addressee_of_integrated(report.integrated_addressee_number)
            if who is None:
                unknown += 1
                continue
            last = await uow.card_states.published(who)
            if not is_news(report, last) or not await uow.card_states.replace(
                who, report, last, at
            ):
                unchanged += 1
                continue
            await uow.card_states.publish(
                MynaInsuranceCardStatusChanged(
                    addressee_number=who,
                    status=report.status,
                    e_certificate_expires_on=report.e_certificate_expires_on,
                    as_of=report.as_of,
                )
            )
            subjects.append(who)
            published += 1
        run = CardStateRun(len(reports), published, unchanged, unknown, refused)
        await uow.audit.record(
            subjects=subjects,
            detail={
                "reported": run.reported,
                "published": run.published,
                "unchanged": run.unchanged,
                "unknown_person": run.unknown_person,
                "refused": len(run.refused),
            },
        )
        return run
