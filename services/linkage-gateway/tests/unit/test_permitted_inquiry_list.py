"""The permitted-inquiry list matches the source (issue 13): the three uses the seed states
([SEED] I-4 ②: the previous insurer's qualification; the previous municipality's income, for
assessment and benefits; other insurers' benefits, for benefit adjustment), one test per row,
and nothing else: the resident-record inquiry the seed never names is refused."""

from __future__ import annotations

import pytest

from kokuho.linkage_gateway.adapters.parameters import load_permitted_inquiries
from kokuho.linkage_gateway.config import PARAMETERS
from kokuho.linkage_gateway.domain.intermediate import InquiryNotPermitted, InquiryPermit

LIST = load_permitted_inquiries(PARAMETERS / "permitted_inquiries.toml")


def permit(affair: str, provider: str, item: str) -> InquiryPermit:
    return LIST.check_inquiry(affair=affair, provider=provider, item=item)


def assert_inquiry_basis(found: InquiryPermit) -> None:
    # flows.md 5: inquiries rest on rows 69, 70 and 71; which one is unconfirmed.
    for row in ("69の項", "70の項", "71の項"):
        assert row in found.legal_basis_row
    assert "unconfirmed" in found.legal_basis_row


def test_row_eligibility_asks_the_previous_insurer_for_the_qualification() -> None:
    # "本市国民健康保険に加入する前の医療保険者より資格情報を取得"
    assert_inquiry_basis(
        permit("nhi-eligibility", "health-insurer", "health-insurance-qualification")
    )


def test_row_assessment_asks_the_previous_municipality_for_income() -> None:
    # "転入前市町村から被保険者の所得情報を取得 ... 保険料賦課管理事務"
    assert_inquiry_basis(permit("nhi-assessment", "municipal-tax", "local-tax-income"))


def test_row_benefits_asks_the_previous_municipality_for_income() -> None:
    # "... 保険料賦課管理事務及び給付管理事務の効率化" (the income serves benefits too)
    assert_inquiry_basis(permit("nhi-benefits", "municipal-tax", "local-tax-income"))


def test_row_benefits_asks_other_insurers_about_their_benefits() -> None:
    # "他保険者の給付情報を取得することにより、本市国民健康保険との間の給付調整の効率化"
    assert_inquiry_basis(permit("nhi-benefits", "health-insurer", "health-insurance-benefit"))


def test_the_list_holds_those_rows_and_no_other() -> None:
    assert {(p.affair, p.provider, p.item) for p in LIST.inquiries} == {
        ("nhi-eligibility", "health-insurer", "health-insurance-qualification"),
        ("nhi-assessment", "municipal-tax", "local-tax-income"),
        ("nhi-benefits", "municipal-tax", "local-tax-income"),
        ("nhi-benefits", "health-insurer", "health-insurance-benefit"),
    }


@pytest.mark.parametrize(
    ("affair", "provider", "item"),
    [
        ("nhi-eligibility", "resident-record", "resident-record"),  # the removed row
        ("nhi-assessment", "health-insurer", "health-insurance-benefit"),  # benefits' use only
        ("nhi-eligibility", "health-insurer", "health-insurance-benefit"),
    ],
)
def test_an_inquiry_the_seed_does_not_name_is_refused(
    affair: str, provider: str, item: str
) -> None:
    with pytest.raises(InquiryNotPermitted):
        permit(affair, provider, item)
