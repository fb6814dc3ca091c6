"""Use cases of the 高額療養費 decisions outside the run: the household's application (申請,
with its payee account; it stands for later months too, so the run pays them directly), which
pays every decision it finds decided and unpaid; reading a decision and its notice; asking for
the monthly run and reading its progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import uuid4

from kokuho.benefits.app.high_cost_events import to_contracts
from kokuho.benefits.app.monthly_run import withheld_payment
from kokuho.benefits.app.ports import BenefitsUnitPort, MonthlyRunStatus, PayeeAccount
from kokuho.benefits.domain import high_cost_decision as hc
from kokuho.benefits.domain.errors import BenefitsError
from kokuho.benefits.domain.withholding import is_withheld
from kokuho.events.ports import StreamAppend


class HighCostDecisionNotFound(BenefitsError):
    status = 404


class MonthlyRunNotFound(BenefitsError):
    status = 404


@dataclass(frozen=True)
class Apply:
    payee: PayeeAccount
    today: date
    payment_date: date


@dataclass(frozen=True)
class Applied:
    payee: PayeeAccount
    payments: list[hc.PaymentOrdered]


async def apply_for_high_cost(uow: BenefitsUnitPort, command: Apply) -> Applied:
    payee = command.payee
    async with uow:
        await uow.payees.put(payee)
        withheld = is_withheld(
            await uow.withholdings.periods(payee.nhi_household_number), command.today
        )
        ordered: list[hc.PaymentOrdered] = []
        for decision in await uow.high_cost.unpaid(payee.nhi_household_number):
            events = hc.decide_pay(
                decision,
                hc.PayOnApplication(
                    hc.Payee(payee.payee_addressee_number),
                    payee.applied_by,
                    command.today,
                    command.payment_date,
                    withheld,
                ),
            )
            if not events:
                continue
            await uow.events.append_batch(
                [
                    StreamAppend(
                        hc.stream_id(decision.nhi_household_number, decision.treatment_month),
                        decision.version,
                        to_contracts(events),
                        topic=uow.topic,
                        partition_key=decision.nhi_household_number,
                    )
                ]
            )
            state = hc.replay(events, decision)
            assert state is not None
            await uow.high_cost.put(state)
            for event in events:
                if isinstance(event, hc.PaymentWithheld):
                    await uow.withholdings.add_payment(withheld_payment(event))
                    continue
                assert isinstance(event, hc.PaymentOrdered)
                await uow.high_cost.add_payment(event)
                ordered.append(event)
        await uow.audit.record(
            subjects=[payee.payee_addressee_number],
            detail={
                "nhi_household_number": payee.nhi_household_number,
                "application": "high-cost",
                "payments": len(ordered),
            },
        )
        return Applied(payee, ordered)


async def read_decision(
    uow: BenefitsUnitPort, nhi_household_number: str, treatment_month: date
) -> tuple[hc.HighCostDecision, list[hc.PaymentOrdered]]:
    async with uow:
        found = await uow.high_cost.get(nhi_household_number, treatment_month)
        if found is None:
            raise HighCostDecisionNotFound(
                f"treatment_month: no high-cost decision for {treatment_month:%Y-%m}"
            )
        payments = [
            p
            for p in await uow.high_cost.payments_of(nhi_household_number)
            if p.decision_id == found.decision_id
        ]
        await uow.audit.record(
            subjects=sorted(p for p, _, _ in found.outcome.persons),
            detail={
                "nhi_household_number": nhi_household_number,
                "treatment_month": f"{treatment_month:%Y-%m}",
            },
        )
        return found, payments


async def request_monthly_run(
    uow: BenefitsUnitPort, treatment_month: date, payment_date: date, actor: str
) -> MonthlyRunStatus:
    async with uow:
        status = await uow.monthly_runs.request(uuid4(), treatment_month, payment_date, actor)
        await uow.audit.record(
            subjects=[],
            detail={"monthly_run": str(status.run_id), "month": f"{treatment_month:%Y-%m}"},
        )
        return status


async def read_monthly_run(uow: BenefitsUnitPort, treatment_month: date) -> MonthlyRunStatus:
    async with uow:
        found = await uow.monthly_runs.latest(treatment_month)
        if found is None:
            raise MonthlyRunNotFound(f"month: no monthly run for {treatment_month:%Y-%m}")
        await uow.audit.record(subjects=[], detail={"monthly_run": str(found.run_id)})
        return found
