"""The high-cost decision's domain events as public contracts (identifiers, codes, amounts and
dates only: no names, no account)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kokuho.benefits.domain import high_cost_decision as hc
from kokuho.events.contracts import benefits as contracts
from kokuho.events.contracts.registry import EventContract


def _decided(e: hc.Decided) -> contracts.HighCostBenefitDecided:
    o = e.outcome
    return contracts.HighCostBenefitDecided(
        decision_id=e.decision_id,
        nhi_household_number=e.nhi_household_number,
        treatment_month=f"{e.treatment_month:%Y-%m}",
        revision=e.revision,
        benefit=o.benefit,
        previous_benefit=e.previous_benefit,
        self_pay_total=o.self_pay_total,
        household_borne=o.household_borne,
        many_times=o.many_times,
        counts_for_many_times=o.counts_for_many_times,
        under_70_category=e.under_70_category.value if e.under_70_category else None,
        elderly_category=e.elderly_category.value if e.elderly_category else None,
        claims=e.claims,
        persons=[
            contracts.PersonBenefit(addressee_number=p, self_pay=s, benefit=b)
            for p, s, b in o.persons
        ],
        decided_by=e.decided_by,
        decided_on=e.decided_on,
    )


def _prompted(e: hc.Prompted) -> contracts.HighCostApplicationPrompted:
    return contracts.HighCostApplicationPrompted(
        decision_id=e.decision_id,
        nhi_household_number=e.nhi_household_number,
        treatment_month=f"{e.treatment_month:%Y-%m}",
        benefit=e.benefit,
        prompted_on=e.prompted_on,
    )


def _paid(e: hc.PaymentOrdered) -> contracts.BenefitPaymentOrdered:
    return contracts.BenefitPaymentOrdered(
        payment_id=e.payment_id,
        decision_id=e.decision_id,
        benefit_kind="high_cost",
        nhi_household_number=e.nhi_household_number,
        payee_addressee_number=e.payee_addressee_number,
        treatment_month=f"{e.treatment_month:%Y-%m}",
        amount=e.amount,
        payment_date=e.payment_date,
        ordered_by=e.ordered_by,
        ordered_on=e.ordered_on,
    )


def _withheld(e: hc.PaymentWithheld) -> contracts.BenefitPaymentWithheld:
    return contracts.BenefitPaymentWithheld(
        decision_id=e.decision_id,
        benefit_kind="high_cost",
        nhi_household_number=e.nhi_household_number,
        treatment_month=f"{e.treatment_month:%Y-%m}",
        amount=e.amount,
        withheld_on=e.withheld_on,
    )


TO_CONTRACT: dict[type, Callable[[hc.Event], EventContract]] = {
    hc.Decided: _decided,  # type: ignore[dict-item]
    hc.Prompted: _prompted,  # type: ignore[dict-item]
    hc.PaymentOrdered: _paid,  # type: ignore[dict-item]
    hc.PaymentWithheld: _withheld,  # type: ignore[dict-item]
}


def to_contracts(events: Sequence[hc.Event]) -> list[EventContract]:
    return [TO_CONTRACT[type(e)](e) for e in events]
