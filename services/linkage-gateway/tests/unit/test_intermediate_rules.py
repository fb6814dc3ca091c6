from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kokuho.linkage_gateway.adapters.parameters import ParameterFileError, load_permitted_inquiries
from kokuho.linkage_gateway.config import PARAMETERS
from kokuho.linkage_gateway.domain.intermediate import (
    InquiryNotPermitted,
    ProvisionNotPermitted,
    QualificationReplica,
    decide_provision,
    reconcile,
    replica_changed,
)

LIST = load_permitted_inquiries(PARAMETERS / "permitted_inquiries.toml")


def test_the_list_comes_from_the_file_and_says_it_is_unconfirmed() -> None:
    text = (PARAMETERS / "permitted_inquiries.toml").read_text(encoding="utf-8")
    assert "UNCONFIRMED" in text
    assert LIST.version == "2026-04-01-draft"
    assert len(LIST.inquiries) == 4


def test_an_inquiry_on_the_list_names_its_legal_basis_row() -> None:
    permit = LIST.check_inquiry(
        affair="nhi-assessment", provider="municipal-tax", item="local-tax-income"
    )
    assert "69の項" in permit.legal_basis_row


@pytest.mark.parametrize(
    ("affair", "provider", "item"),
    [
        ("nhi-eligibility", "municipal-tax", "local-tax-income"),  # another affair's pair
        ("nhi-assessment", "municipal-tax", "resident-record"),
        ("delinquency", "resident-record", "resident-record"),
    ],
)
def test_an_inquiry_off_the_list_is_refused(affair: str, provider: str, item: str) -> None:
    with pytest.raises(InquiryNotPermitted, match="C-74"):
        LIST.check_inquiry(affair=affair, provider=provider, item=item)


def test_provisions_only_to_permitted_requesters_and_flagged_items_held() -> None:
    assert decide_provision(LIST, requester="health-insurer", item="nhi-qualification").automatic
    held = decide_provision(LIST, requester="welfare-office", item="nhi-benefit-detail")
    assert not held.automatic
    with pytest.raises(ProvisionNotPermitted):
        decide_provision(LIST, requester="health-insurer", item="nhi-benefit-detail")


def test_a_list_with_a_broken_entry_stops_start_up(tmp_path: Path) -> None:
    bad = tmp_path / "list.toml"
    bad.write_text('[[inquiry]]\naffair = "x"\n', encoding="utf-8")
    with pytest.raises(ParameterFileError):
        load_permitted_inquiries(bad)
    orphan = tmp_path / "orphan.toml"
    orphan.write_text(
        '[[provision]]\nlegal_basis_row = "r"\nrequester = "a"\nitem = "nowhere"\n',
        encoding="utf-8",
    )
    with pytest.raises(ParameterFileError, match="without a replica"):
        load_permitted_inquiries(orphan)


def test_replicas_change_only_when_the_original_changed() -> None:
    content = QualificationReplica(True, date(2026, 4, 1), None).content()
    assert replica_changed(None, content)
    assert not replica_changed(dict(content), content)
    assert replica_changed(
        content, QualificationReplica(False, date(2026, 4, 1), date(2026, 9, 1)).content()
    )


def test_reconciliation_flags_each_kind_of_difference() -> None:
    a, b, c = ("I1", "q"), ("I2", "q"), ("I3", "q")
    diffs = reconcile({a: {"x": 1}, b: {"x": 1}}, {a: {"x": 1}, b: {"x": 2}, c: {"x": 3}})
    assert [(d.key, d.kind) for d in diffs] == [
        (b, "content-differs"),
        (c, "replica-without-original"),
    ]
    assert [d.kind for d in reconcile({a: {"x": 1}}, {})] == ["original-without-replica"]
