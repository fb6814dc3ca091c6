"""The use cases with the in-memory unit of work: no database, no HTTP."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from kokuho.collection.adapters.memory import InMemoryCollectionUnit
from kokuho.collection.app import charges, jobs, payments, settlement
from kokuho.collection.app.balances import read_balance
from kokuho.collection.app.ledgers import stream_id
from kokuho.collection.domain.matching import Settle
from kokuho.collection.domain.payment_file import HEADER, notice_number
from kokuho.events.contracts import collection as contracts
from kokuho.events.contracts.assessment import Instalment, PremiumAssessed
from kokuho.platform.unit_of_work import RecordingAudit

from .rules import flat

H = "9950000001"
FY = 2026
RULES = flat(dunning_after_days=1)
TODAY = date(2026, 12, 1)


def assessed(amounts: list[int], revision: int = 1) -> PremiumAssessed:
    return PremiumAssessed(
        assessment_id=uuid4(),
        nhi_household_number=H,
        fiscal_year=FY,
        revision=revision,
        kind="assessment" if revision == 1 else "correction",
        cause="annual_run",
        assessed_on=date(FY, 6, 15),
        annual_amount=sum(amounts),
        difference=0,
        statutory_reduction=0,
        insured_months=12,
        components=[],
        instalments=[
            Instalment(period=p, due_date=date(FY, 5 + p, 30), amount=a, difference=0)
            for p, a in enumerate(amounts, start=1)
        ],
        parameter_documents=[],
    )


def file(*lines: str) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


def line(period: int, amount: int, ref: str, household: str = H) -> str:
    return f"{notice_number(FY, household, period)},{amount},2026-07-01,bank,{ref}"


async def test_assessment_then_a_file_then_the_balance() -> None:
    uow = InMemoryCollectionUnit(topic="t")
    await charges.apply_assessment(uow, assessed([10_000] * 6))
    command = payments.ImportPayments(
        "f.csv",
        file(line(1, 10_000, "A1"), line(2, 15_000, "A2"), line(1, 1, "A3", "9950000099")),
        False,
        "U-OP",
        TODAY,
    )
    outcome = await payments.import_payments(uow, RULES, command)
    assert (outcome.record.lines, outcome.record.applied, outcome.record.work_items) == (3, 2, 2)
    kinds = sorted(i.kind for i in uow.work_items.rows.values())
    assert kinds == ["over-payment", "unmatched"]
    published = [m for m in uow.events.outbox if m.topic == "t"]
    types = [m.value and __import__("json").loads(m.value)["type"] for m in published]
    assert types.count(contracts.PaymentReceived.event_type) == 2
    assert {m.key for m in published} == {H}
    balance = await read_balance(uow, RULES, H, date(FY, 7, 1))
    assert [(i.period, i.paid, i.outstanding) for i in balance.instalments[:3]] == [
        (1, 10_000, 0),
        (2, 10_000, 0),
        (3, 0, 10_000),
    ]
    assert balance.refundable == 5_000
    again = await payments.import_payments(uow, RULES, command)
    assert again.replayed
    assert len(uow.events.outbox) == len(published)
    audit = uow.audit
    assert isinstance(audit, RecordingAudit)
    assert H in audit.records[1]["subjects"]


async def test_a_refused_file_applies_nothing_unless_asked() -> None:
    uow = InMemoryCollectionUnit()
    await charges.apply_assessment(uow, assessed([10_000] * 6))
    before = len(uow.events.outbox)
    text = file(line(1, 10_000, "B1"), "garbage", line(2, 0, "B3"))
    with pytest.raises(payments.PaymentFileRefused) as refused:
        await payments.import_payments(
            uow, RULES, payments.ImportPayments("f", text, False, "U", TODAY)
        )
    assert [r.line for r in refused.value.refused] == [3, 4]
    assert len(uow.events.outbox) == before
    assert not uow.imports.rows
    assert not uow.work_items.rows
    outcome = await payments.import_payments(
        uow, RULES, payments.ImportPayments("f", text, True, "U", TODAY)
    )
    assert (outcome.record.applied, outcome.record.refused, outcome.record.partial) == (1, 2, True)


async def test_a_correction_down_after_payment_is_appropriated_then_refunded() -> None:
    uow = InMemoryCollectionUnit()
    await charges.apply_assessment(uow, assessed([10_000] * 6))
    await payments.import_payments(
        uow,
        RULES,
        payments.ImportPayments(
            "f", file(line(1, 10_000, "C1"), line(2, 10_000, "C2")), False, "U", TODAY
        ),
    )
    await charges.apply_assessment(uow, assessed([4_000, 4_000, 4_000, 4_000, 4_000, 4_000], 2))
    settled = await settlement.settle(uow, RULES, H, Settle("a", "r", "SUP", date(FY, 9, 5)), None)
    # held 12,000: the 3rd instalment (due 8/30, 4,000) is overdue on 9/5, the rest refunded
    assert settled.appropriated is not None
    assert settled.refund is not None
    assert [(a.period, a.amount) for a in settled.appropriated.principal] == [(3, 4_000)]
    assert settled.refund.amount == 8_000
    assert uow.documents.rows[settled.document.document_id].content["refund"] == 8_000


async def test_the_dunning_job_issues_once_and_keeps_the_notice() -> None:
    uow = InMemoryCollectionUnit()
    await charges.apply_assessment(uow, assessed([10_000] * 2))
    assert (await jobs.run_dunning(uow, RULES, date(FY, 6, 30))).items == 0
    first = await jobs.run_dunning(uow, RULES, date(FY, 7, 1))
    assert first.items == 1
    assert (await jobs.run_dunning(uow, RULES, date(FY, 7, 2))).items == 0
    [document] = uow.documents.rows.values()
    assert (document.kind, document.content["period"]) == ("dunning_notice", 1)
    recorded = await uow.events.load(stream_id(H))
    assert recorded[-1].event_type == contracts.DunningNoticeIssued.event_type


def test_an_instalment_must_carry_the_payment_number_of_its_slip() -> None:
    """The 納付番号 assessment prints is the one collection matches payments by; an event that
    names another is refused (to the dead-letter topic), never charged under the wrong number."""
    good = assessed([10_000] * 2)
    numbered = good.model_copy(
        update={
            "instalments": [
                i.model_copy(update={"payment_number": notice_number(FY, H, i.period)})
                for i in good.instalments
            ]
        }
    )
    assert len(charges.command_from(numbered).instalments) == 2
    wrong = numbered.model_copy(
        update={
            "instalments": [
                numbered.instalments[0],
                numbered.instalments[1].model_copy(
                    update={"payment_number": notice_number(FY, H, 1)}
                ),
            ]
        }
    )
    with pytest.raises(ValueError, match="instalment 2: notice number"):
        charges.command_from(wrong)
