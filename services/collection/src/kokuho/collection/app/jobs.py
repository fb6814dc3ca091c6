"""The daily jobs: 督促 (each unpaid instalment past the city's period gets its dunning notice,
published as ``DunningNoticeIssued`` for delinquency, and kept as a document to print) and
時効 (lapsed charges marked for write-off). Each run is one transaction and can be repeated:
a charge is dunned once, a lapse is marked once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kokuho.collection.app.charges import new_id
from kokuho.collection.app.ledgers import commit_batch, open_batch
from kokuho.collection.app.ports import CollectionUnitPort, Document
from kokuho.collection.domain import jobs
from kokuho.collection.domain.ledger import Charge, ChargeLapsed, DunningIssued
from kokuho.collection.domain.parameters import CollectionRules


@dataclass(frozen=True)
class JobOutcome:
    households: int
    items: int
    documents: list[str]


async def run_dunning(uow: CollectionUnitPort, rules: CollectionRules, today: date) -> JobOutcome:
    async with uow:
        due = today - timedelta(days=rules.dunning_after_days)
        households = await uow.ledgers.due_for_dunning(due)
        batch = await open_batch(uow, households)
        documents: list[Document] = []
        for household in households:

            def notice_id(c: Charge, h: str = household) -> str:
                return new_id("dunning", h, c.fiscal_year, c.period)

            _, events = batch.decide(household, lambda s: jobs.dun(s, today, rules, notice_id))
            for e in events:
                assert isinstance(e, DunningIssued)
                documents.append(
                    Document(
                        e.notice_id,
                        "dunning_notice",
                        household,
                        today,
                        {
                            "household": household,
                            "fiscal_year": e.fiscal_year,
                            "period": e.period,
                            "outstanding": e.outstanding,
                            "fee": e.fee,
                            "designated_deadline": e.designated_deadline.isoformat(),
                            "due_date": batch.changed[household]
                            .charges[(e.fiscal_year, e.period)]
                            .due_date.isoformat(),
                        },
                    )
                )
        await commit_batch(uow, batch)
        await uow.documents.add_many(documents)
        await uow.audit.record(
            subjects=sorted(batch.changed), detail={"job": "dunning", "notices": len(documents)}
        )
        return JobOutcome(len(batch.changed), len(documents), [d.document_id for d in documents])


async def run_prescription(
    uow: CollectionUnitPort, rules: CollectionRules, today: date
) -> JobOutcome:
    async with uow:
        households = await uow.ledgers.unpaid_due_before(today)
        batch = await open_batch(uow, households)
        lapsed = 0
        for household in households:
            _, events = batch.decide(household, lambda s: jobs.lapse(s, today, rules))
            lapsed += sum(1 for e in events if isinstance(e, ChargeLapsed))
        await commit_batch(uow, batch)
        await uow.audit.record(
            subjects=sorted(batch.changed), detail={"job": "prescription", "lapsed": lapsed}
        )
        return JobOutcome(len(batch.changed), lapsed, [])
