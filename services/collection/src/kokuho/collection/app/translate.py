"""Domain events <-> contracts. Field names are the same on both sides except the effective
day (``on`` in the domain, ``effective_on`` on the contracts, ``paid_on`` for a payment) and
the household number, which the contract adds; ``DunningIssued`` is published as
``DunningNoticeIssued``."""

from __future__ import annotations

from datetime import date
from typing import Any

from kokuho.collection.app import private_events
from kokuho.collection.domain import ledger as ev
from kokuho.collection.domain.benefit_payouts import BENEFIT_CHANNEL
from kokuho.events.contracts import EventContract
from kokuho.events.contracts import collection as contracts
from kokuho.events.contracts.registry import parse_data
from kokuho.events.ports import RecordedEvent

PUBLISHED: dict[type[Any], type[EventContract]] = {
    ev.ChargeSet: contracts.ChargeSet,
    ev.OverpaymentArisen: contracts.OverpaymentArisen,
    ev.PaymentReceived: contracts.PaymentReceived,
    ev.PaymentReversed: contracts.PaymentReversed,
    ev.Appropriated: contracts.Appropriated,
    ev.RefundDecided: contracts.RefundDecided,
    ev.LateChargeFixed: contracts.LateChargeFixed,
    ev.DunningIssued: contracts.DunningNoticeIssued,
    ev.ChargeLapsed: contracts.ChargeLapsed,
    ev.DirectDebitFailed: contracts.DirectDebitFailed,
    ev.PensionDeductionStopped: contracts.PensionDeductionStopped,
    ev.ChargePrescriptionRenewed: contracts.ChargePrescriptionRenewed,
    ev.ChargeWrittenOff: contracts.ChargeWrittenOff,
}
PRIVATE: dict[type[Any], type[EventContract]] = {
    ev.ChargeChangeEntered: private_events.ChargeChangeEntered,
    ev.ChargeChangeRejected: private_events.ChargeChangeRejected,
}
CONTRACTS: dict[type[Any], type[EventContract]] = {**PUBLISHED, **PRIVATE}
DOMAIN: dict[type[EventContract], type[Any]] = {c: d for d, c in CONTRACTS.items()}
#: A benefit payout set against arrears is a payment in the ledger (channel ``benefit``),
#: published as a contract of its own (``PaymentReceived``'s channels are a closed list).
DOMAIN[contracts.BenefitAppropriatedToArrears] = ev.PaymentReceived
APPLIED_FIELDS = ("applied", "late_charge_applied", "principal", "late_charge")  # Applied lists


def _day_field(cls: type[Any]) -> str:
    return "paid_on" if cls is ev.PaymentReceived else "effective_on"


def is_published(event: ev.Event) -> bool:
    return type(event) in PUBLISHED


def _applied(items: tuple[ev.Applied, ...]) -> list[dict[str, int]]:
    return [{"fiscal_year": a.fiscal_year, "period": a.period, "amount": a.amount} for a in items]


_VALIDATE_PAYMENT = contracts.PaymentReceived.__pydantic_validator__.validate_python


def _payment_received_data(household: str, e: ev.PaymentReceived) -> dict[str, Any]:
    """A payment's contract data from its fields named one by one: the payment file makes one
    a line, and the generic copy below and ``model_validate``'s wrapper were a third of
    building its contract."""
    return {
        "payment_id": e.payment_id,
        "amount": e.amount,
        "channel": e.channel,
        "fiscal_year": e.fiscal_year,
        "period": e.period,
        "applied": _applied(e.applied),
        "late_charge_applied": _applied(e.late_charge_applied),
        "overpaid": e.overpaid,
        "reference": e.reference,
        "received_on": e.received_on,
        "paid_on": e.on,
        "nhi_household_number": household,
    }


def _payment_received(household: str, e: ev.PaymentReceived) -> EventContract:
    """Validated by the contract's own validator (what ``model_validate`` calls)."""
    contract: EventContract = _VALIDATE_PAYMENT(_payment_received_data(household, e))
    return contract


def to_contract(household: str, event: ev.Event) -> EventContract:
    if isinstance(event, ev.PaymentReceived) and event.channel != BENEFIT_CHANNEL:
        return _payment_received(household, event)
    return _contract(household, event)


def contract_data(household: str, event: ev.Event) -> tuple[type[EventContract], dict[str, Any]]:
    """The contract ``to_contract`` gives, as its class and the data it validates: a worker
    process hands the data back as JSON, validated once by the process that appends it (ADR
    0116)."""
    if isinstance(event, ev.PaymentReceived) and event.channel != BENEFIT_CHANNEL:
        return contracts.PaymentReceived, _payment_received_data(household, event)
    return _generic_data(household, event)


def _contract(household: str, event: ev.Event) -> EventContract:
    """Any event's contract, its fields copied by name (the payment's way above gives the same
    contract: tests/unit/test_translate.py)."""
    cls, data = _generic_data(household, event)
    return cls.model_validate(data)


def _generic_data(household: str, event: ev.Event) -> tuple[type[EventContract], dict[str, Any]]:
    cls = type(event)
    data: dict[str, Any] = dict(vars(event))  # frozen dataclasses without slots
    data[_day_field(cls)] = data.pop("on")
    for name in APPLIED_FIELDS:
        value = data.get(name)
        if isinstance(value, tuple):
            data[name] = [
                {"fiscal_year": a.fiscal_year, "period": a.period, "amount": a.amount}
                for a in value
            ]
    if "pieces" in data:
        data["pieces"] = [{"since": d, "amount": y} for d, y in data["pieces"]]
    data["nhi_household_number"] = household
    if cls is ev.PaymentReceived and data["channel"] == BENEFIT_CHANNEL:
        return contracts.BenefitAppropriatedToArrears, data
    return CONTRACTS[cls], data


def to_domain(contract: EventContract) -> ev.Event:
    cls = DOMAIN[type(contract)]
    data = {k: getattr(contract, k) for k in type(contract).model_fields}
    data.pop("nhi_household_number")
    data["on"] = data.pop(_day_field(cls))
    for name in APPLIED_FIELDS:
        if name in data and isinstance(data[name], list):
            data[name] = tuple(ev.Applied(a.fiscal_year, a.period, a.amount) for a in data[name])
    if "pieces" in data:
        data["pieces"] = tuple((p.since, p.amount) for p in data["pieces"])
    event: ev.Event = cls(**data)
    return event


def from_recorded(recorded: RecordedEvent) -> ev.Event:
    return to_domain(parse_data(recorded.event_type, recorded.envelope.data))


def day_of(event: ev.Event) -> date:
    return event.on
