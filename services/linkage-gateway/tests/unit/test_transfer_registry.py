"""The transfer registry is the seed's transfers (flows.md section 6, issue 16): one row per
transfer with its recipient, affair, basis, items, frequency, channel and owning service; the
rows the source lacks listed as unknown; nothing else deliverable; and the checks C-67, C-68,
C-69 over it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kokuho.events.transfers import REGISTRY_FILE
from kokuho.linkage_gateway.adapters.parameters import ParameterFileError, load_transfer_registry
from kokuho.linkage_gateway.domain.transfers import (
    FlowMalformed,
    ItemsNotApproved,
    MethodNotApproved,
    TransferNotRegistered,
    checked_flow,
    configuration_drift,
)

REGISTRY = load_transfer_registry(REGISTRY_FILE)
BY_NUMBER = {f.seed_number: f for f in REGISTRY.flows.values()}
TAX = "nhi-premiums-paid-to-municipal-tax"
TAX_ITEMS = ["calendar_year", "nhi_household_number", "amount", "pension_deducted"]
ARTICLE_9 = "番号法 第9条第2項 / 市条例 第3条"

#: flows.md section 6, row by row: (recipient, owning service, channel, medium, frequency).
SEED = {
    1: ("municipal-tax-division", "collection", "yearly-file", None, "annually"),
    2: ("municipal-tax-division", "assessment", "unknown", None, "unknown"),
    5: ("ltc-insurance-division", "eligibility", "event-feed", None, "as needed"),
    6: ("ltc-insurance-division", "benefits", "manual-handover", "paper", "as needed"),
    7: ("independence-support-division", "eligibility", "unknown", None, "unknown"),
    10: ("mental-health-welfare-centre", "eligibility", "event-feed", None, "as needed"),
    11: ("health-promotion-division", "benefits", "manual-handover", "flash-memory", "when needed"),
    12: ("health-promotion-division", "benefits", "manual-handover", "flash-memory", "when needed"),
    13: ("ward-administration-division", "eligibility", "event-feed", None, "as needed"),
}


def test_the_registry_has_each_transfer_of_the_source_in_order() -> None:
    assert [f.seed_number for f in REGISTRY.by_seed_number()] == list(range(1, 14))
    assert len(REGISTRY.flows) == 13


@pytest.mark.parametrize("number", sorted(SEED))
def test_each_row_says_what_the_source_says(number: int) -> None:
    flow = BY_NUMBER[number]
    recipient, owner, channel, medium, frequency = SEED[number]
    assert (flow.recipient, flow.owning_service, flow.channel, flow.medium, flow.frequency) == (
        recipient,
        owner,
        channel,
        medium,
        frequency,
    )
    assert flow.affair not in ("", "unknown")
    assert flow.items
    assert "individual_number" not in flow.items
    expected_basis = "住民基本台帳法 第7条第10号" if number == 13 else ARTICLE_9
    assert flow.legal_basis == expected_basis


@pytest.mark.parametrize("number", [3, 4, 8, 9])
def test_the_rows_missing_from_the_source_are_unknown_not_invented(number: int) -> None:
    flow = BY_NUMBER[number]
    assert flow.status == "unknown"
    assert (flow.recipient, flow.affair, flow.channel, flow.items) == (
        "unknown",
        "unknown",
        "unknown",
        frozenset(),
    )
    with pytest.raises(TransferNotRegistered):
        REGISTRY.check(flow_id=flow.flow_id, recipient="unknown", method="unknown", items=[])


@pytest.mark.parametrize("number", [2, 7])
def test_a_transfer_whose_method_the_source_leaves_out_is_refused(number: int) -> None:
    flow = BY_NUMBER[number]
    assert flow.status == "incomplete"
    with pytest.raises(TransferNotRegistered, match="incomplete"):
        REGISTRY.check(
            flow_id=flow.flow_id, recipient=flow.recipient, method="platform-linkage", items=[]
        )


def test_the_two_flows_that_matched_no_seed_transfer_are_gone() -> None:
    assert "nhi-to-municipal-tax-2026" not in REGISTRY.flows
    assert "nhi-to-welfare-2026" not in REGISTRY.flows
    assert "welfare-division" not in {f.recipient for f in REGISTRY.flows.values()}


def test_transfer_1_carries_collections_yearly_file_with_its_items() -> None:
    flow = REGISTRY.check(
        flow_id=TAX, recipient="municipal-tax-division", method="platform-linkage", items=TAX_ITEMS
    )
    assert flow.seed_number == 1
    assert flow.items == frozenset(TAX_ITEMS)


def test_everything_outside_the_registry_is_refused() -> None:
    tax = {"flow_id": TAX, "recipient": "municipal-tax-division"}
    with pytest.raises(TransferNotRegistered):
        REGISTRY.check(flow_id=TAX, recipient="police", method="platform-linkage", items=[])
    with pytest.raises(TransferNotRegistered):
        REGISTRY.check(flow_id="nope", recipient="municipal-tax-division", method="paper", items=[])
    with pytest.raises(MethodNotApproved, match="C-68"):
        REGISTRY.check(**tax, method="flash-memory", items=["amount"])
    with pytest.raises(ItemsNotApproved) as caught:
        REGISTRY.check(**tax, method="platform-linkage", items=[*TAX_ITEMS, "addressee_number"])
    assert caught.value.items == ["addressee_number"]


def test_a_manual_handover_is_approved_only_on_its_medium() -> None:
    paper = BY_NUMBER[6]
    assert paper.method == "paper"
    REGISTRY.check(
        flow_id=paper.flow_id, recipient=paper.recipient, method="paper", items=["addressee_number"]
    )
    with pytest.raises(MethodNotApproved):
        REGISTRY.check(
            flow_id=paper.flow_id,
            recipient=paper.recipient,
            method="flash-memory",
            items=["addressee_number"],
        )


def test_drift_flags_routes_without_an_approved_flow() -> None:
    routes = [
        ("municipal-tax-division", "platform-linkage"),
        ("police", "paper"),
        ("independence-support-division", "platform-linkage"),  # transfer 7: incomplete
    ]
    drifts = configuration_drift(REGISTRY, routes)
    assert [(d.recipient, d.method) for d in drifts] == [
        ("independence-support-division", "platform-linkage"),
        ("police", "paper"),
    ]


def test_the_registry_refuses_rows_that_break_its_rules() -> None:
    tax = REGISTRY.flows[TAX]
    with pytest.raises(FlowMalformed, match="individual number"):
        checked_flow(replace(tax, items=tax.items | {"individual_number"}))
    with pytest.raises(FlowMalformed, match="medium"):
        checked_flow(replace(tax, medium="paper"))
    with pytest.raises(FlowMalformed, match="every cell"):
        checked_flow(replace(tax, frequency="unknown"))
    with pytest.raises(FlowMalformed, match="carries nothing"):
        checked_flow(replace(BY_NUMBER[3], items=frozenset({"addressee_number"})))


def test_a_registry_file_with_a_broken_row_stops_start_up(tmp_path: Path) -> None:
    bad = tmp_path / "flows.toml"
    bad.write_text(
        '[[flow]]\nseed_number = 1\nflow_id = "x"\nstatus = "approved"\nchannel = "fax"\n',
        encoding="utf-8",
    )
    with pytest.raises(ParameterFileError):
        load_transfer_registry(bad)
