from __future__ import annotations

import pytest

from kokuho.linkage_gateway.adapters.parameters import load_transfer_registry
from kokuho.linkage_gateway.config import PARAMETERS
from kokuho.linkage_gateway.domain.transfers import (
    ItemsNotApproved,
    MethodNotApproved,
    TransferNotRegistered,
    configuration_drift,
)

REGISTRY = load_transfer_registry(PARAMETERS / "transfer_flows.toml")
TAX = "nhi-to-municipal-tax-2026"


def test_a_registered_flow_with_its_items_and_method_passes() -> None:
    flow = REGISTRY.check(
        flow_id=TAX,
        recipient="municipal-tax-division",
        method="platform-linkage",
        items=["addressee_number"],
    )
    assert flow.legal_basis


def test_everything_outside_the_registry_is_refused() -> None:
    with pytest.raises(TransferNotRegistered):
        REGISTRY.check(flow_id=TAX, recipient="police", method="platform-linkage", items=[])
    with pytest.raises(TransferNotRegistered):
        REGISTRY.check(flow_id="nope", recipient="municipal-tax-division", method="media", items=[])
    with pytest.raises(MethodNotApproved, match="C-68"):
        REGISTRY.check(
            flow_id=TAX,
            recipient="municipal-tax-division",
            method="media",
            items=["addressee_number"],
        )
    with pytest.raises(ItemsNotApproved) as caught:
        REGISTRY.check(
            flow_id=TAX,
            recipient="municipal-tax-division",
            method="platform-linkage",
            items=["addressee_number", "individual_number"],
        )
    assert caught.value.items == ["individual_number"]


def test_drift_flags_routes_without_an_approved_flow() -> None:
    routes = [("municipal-tax-division", "platform-linkage"), ("police", "media")]
    [drift] = configuration_drift(REGISTRY, routes)
    assert (drift.recipient, drift.method) == ("police", "media")
