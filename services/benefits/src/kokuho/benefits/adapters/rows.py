"""Rows of benefits' tables to and from the domain's values (shared by the repositories and
the monthly run's set-based store)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from kokuho.benefits.app.ports import CarryOver, MonthlyRunStatus, PayeeAccount
from kokuho.benefits.domain import high_cost_decision as hc
from kokuho.benefits.domain.claims import Claim
from kokuho.benefits.domain.high_cost.household_month import AgeBand, Kind, Setting
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory, Under70Category

CLAIM_COLUMNS = (
    "claim_number",
    "import_id",
    "processing_month",
    "treatment_month",
    "nhi_household_number",
    "addressee_number",
    "age_band",
    "turning_75",
    "provider",
    "setting",
    "kind",
    "prescriber",
    "prescriber_kind",
    "treatment_days",
    "points",
    "medical_cost",
    "self_pay",
)

DECISION_COLUMNS = (
    "nhi_household_number",
    "treatment_month",
    "decision_id",
    "revision",
    "version",
    "benefit",
    "paid",
    "prompted",
    "inputs_digest",
    "counts_for_many_times",
    "many_times",
    "under_70_category",
    "elderly_category",
    "self_pay_total",
    "household_borne",
    "claims",
    "persons",
    "limits",
    "decided_by",
    "decided_on",
)

PAYMENT_COLUMNS = (
    "payment_id",
    "decision_id",
    "benefit_kind",
    "nhi_household_number",
    "payee_addressee_number",
    "treatment_month",
    "amount",
    "payment_date",
    "ordered_by",
    "ordered_on",
)


def claim_record(claim: Claim, import_id: object, processing_month: date) -> tuple[Any, ...]:
    return (
        claim.claim_number,
        import_id,
        processing_month,
        claim.treatment_month,
        claim.nhi_household_number,
        claim.addressee_number,
        claim.age_band.value,
        claim.turning_75,
        claim.provider,
        claim.setting.value,
        claim.kind.value,
        claim.prescriber,
        claim.prescriber_kind.value if claim.prescriber_kind else None,
        claim.treatment_days,
        claim.points,
        claim.medical_cost,
        claim.self_pay,
    )


def claim_of(r: Mapping[str, Any]) -> Claim:
    return Claim(
        0,
        r["claim_number"],
        r["treatment_month"],
        r["nhi_household_number"],
        r["addressee_number"],
        AgeBand(r["age_band"]),
        r["turning_75"],
        r["provider"],
        Setting(r["setting"]),
        Kind(r["kind"]),
        r["prescriber"],
        Kind(r["prescriber_kind"]) if r["prescriber_kind"] else None,
        r["treatment_days"],
        r["points"],
        r["medical_cost"],
        r["self_pay"],
    )


def decision_record(d: hc.HighCostDecision) -> tuple[Any, ...]:
    o = d.outcome
    return (
        d.nhi_household_number,
        d.treatment_month,
        d.decision_id,
        d.revision,
        d.version,
        o.benefit,
        d.paid,
        d.prompted,
        d.inputs_digest,
        o.counts_for_many_times,
        o.many_times,
        d.under_70_category.value if d.under_70_category else None,
        d.elderly_category.value if d.elderly_category else None,
        o.self_pay_total,
        o.household_borne,
        d.claims,
        json.dumps(o.persons),
        json.dumps(o.limits, ensure_ascii=False),
        d.decided_by,
        d.decided_on,
    )


def decision_of(r: Mapping[str, Any]) -> hc.HighCostDecision:
    persons = r["persons"] if isinstance(r["persons"], list) else json.loads(r["persons"])
    limits = r["limits"] if isinstance(r["limits"], list) else json.loads(r["limits"])
    outcome = hc.Outcome(
        r["treatment_month"],
        r["benefit"],
        r["self_pay_total"],
        r["household_borne"],
        r["many_times"],
        r["counts_for_many_times"],
        tuple((p, s, b) for p, s, b in persons),
        tuple((n, f, a) for n, f, a in limits),
    )
    return hc.HighCostDecision(
        r["nhi_household_number"],
        r["treatment_month"],
        r["decision_id"],
        r["revision"],
        outcome,
        r["inputs_digest"],
        Under70Category(r["under_70_category"]) if r["under_70_category"] else None,
        ElderlyCategory(r["elderly_category"]) if r["elderly_category"] else None,
        r["claims"],
        r["decided_by"],
        r["decided_on"],
        paid=r["paid"],
        prompted=r["prompted"],
        version=r["version"],
    )


def payment_record(p: hc.PaymentOrdered) -> tuple[Any, ...]:
    return (
        p.payment_id,
        p.decision_id,
        "high_cost",
        p.nhi_household_number,
        p.payee_addressee_number,
        p.treatment_month,
        p.amount,
        p.payment_date,
        p.ordered_by,
        p.ordered_on,
    )


def payment_of(r: Mapping[str, Any]) -> hc.PaymentOrdered:
    return hc.PaymentOrdered(
        r["payment_id"],
        r["decision_id"],
        r["nhi_household_number"],
        r["treatment_month"],
        r["payee_addressee_number"],
        r["amount"],
        r["payment_date"],
        r["ordered_by"],
        r["ordered_on"],
    )


def carry_over_of(r: Mapping[str, Any]) -> CarryOver:
    return CarryOver(**{k: r[k] for k in CarryOver.__dataclass_fields__})


def payee_of(r: Mapping[str, Any]) -> PayeeAccount:
    return PayeeAccount(**{k: r[k] for k in PayeeAccount.__dataclass_fields__})


COUNTS = ("households", "decided", "unchanged", "no_benefit", "prompted", "payments")


def run_status_of(r: Mapping[str, Any]) -> MonthlyRunStatus:
    held = r["held"] if isinstance(r["held"], list) else json.loads(r["held"])
    return MonthlyRunStatus(
        r["run_id"],
        r["treatment_month"],
        r["status"],
        r["payment_date"],
        r["started_by"],
        r["checkpoint"],
        {**{k: r[k] for k in COUNTS}, "paid_amount": r["paid_amount"]},
        tuple(held),
    )
