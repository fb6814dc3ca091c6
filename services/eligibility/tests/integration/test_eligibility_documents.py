"""Every kind of document the issue endpoint takes is issued through the API on the real
PostgreSQL and rendered as a Japanese PDF showing its own items (issue 3: "Each issued document
can be rendered as a Japanese PDF")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from kokuho.platform.documents import checks

from .. import builders as b

pytestmark = pytest.mark.integration

CLERK = "eligibility.clerk"
Headers = Callable[..., dict[str, str]]

RECORDS = {
    "limit_certificate",
    "standard_burden_reduction_certificate",
    "specified_disease_certificate",
}


def pdf_text(pdf: bytes) -> str:
    """The text layer (pdftotext -raw): a label and its value share a line."""
    return checks.text_of(pdf)


async def household_of(
    client: httpx.AsyncClient,
    token: Headers,
    head: str,
    fact: date,
    birth: date,
    name: tuple[str, str] | None = None,
) -> str:
    member = b.member(head, fact=fact, birth=birth)
    if name is not None:
        member["details"] = b.details(birth, *name)
    body = {
        "householder_addressee_number": head,
        "members": [member],
        "identity_verification": b.ID,
    }
    entered = await client.post("/api/v1/households", json=body, headers=token("clerk-a", CLERK))
    assert entered.status_code == 201, entered.text
    done = await client.post(
        f"/api/v1/changes/{entered.json()['change_id']}/confirm", headers=token("clerk-b", CLERK)
    )
    assert done.status_code == 200, done.text
    number: str = done.json()["nhi_household_number"]
    return number


async def issue_and_render(
    client: httpx.AsyncClient, token: Headers, household: str, body: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    record, pdf = await issue(client, token, household, body)
    return record, pdf_text(pdf)


async def issue(
    client: httpx.AsyncClient, token: Headers, household: str, body: dict[str, Any]
) -> tuple[dict[str, Any], bytes]:
    issued = await client.post(
        f"/api/v1/households/{household}/certificates", json=body, headers=token("clerk-a", CLERK)
    )
    assert issued.status_code == 201, issued.text
    change = issued.json()
    if body["kind"] in RECORDS:
        # keyed from an application form: in effect only when a second clerk confirms (C-11)
        assert change["status"] == "pending"
        self_confirmed = await client.post(
            f"/api/v1/changes/{change['change_id']}/confirm", headers=token("clerk-a", CLERK)
        )
        assert self_confirmed.status_code == 403
        confirmed = await client.post(
            f"/api/v1/changes/{change['change_id']}/confirm", headers=token("clerk-b", CLERK)
        )
        assert confirmed.status_code == 200, confirmed.text
        change = confirmed.json()
        assert (change["entered_by"], change["confirmed_by"]) == ("clerk-a", "clerk-b")
    else:
        assert change["status"] == "done"  # a document is issued at once
    (event,) = [e for e in change["events"] if e["type"].endswith("certificate_issued.v1")]
    assert body.get("disease_name", "架空疾病") not in str(change["events"])  # health data stays
    certificate_id = event["data"]["certificate_id"]
    record = await client.get(
        f"/api/v1/certificates/{certificate_id}", headers=token("clerk-a", CLERK)
    )
    assert record.status_code == 200, record.text
    pdf = await client.get(
        f"/api/v1/certificates/{certificate_id}/pdf", headers=token("clerk-a", CLERK)
    )
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    return record.json(), pdf.content


async def test_every_document_kind_renders_its_own_japanese_pdf(
    client: httpx.AsyncClient, token: Headers
) -> None:
    today = date.today()
    young, old, early = b.addressee(), b.addressee(), b.addressee()
    young_household = await household_of(
        client, token, young, today - timedelta(days=3), date(1985, 6, 1)
    )
    old_household = await household_of(
        client, token, old, today - timedelta(days=3), date(today.year - 72, 1, 15)
    )
    early_household = await household_of(client, token, early, date(2024, 4, 1), date(1985, 6, 1))

    record, text = await issue_and_render(
        client,
        token,
        young_household,
        {
            "kind": "eligibility_confirmation_document",
            "addressee_number": young,
            "issue_date": today.isoformat(),
        },
    )
    assert "国民健康保険資格確認書" in text
    assert "試験 太郎" in text  # poppler gives the ideographic space back as U+0020
    assert record["insured_number"] in text

    _, text = await issue_and_render(
        client,
        token,
        young_household,
        {
            "kind": "eligibility_information_notice",
            "addressee_number": young,
            "issue_date": today.isoformat(),
        },
    )
    assert "資格情報のお知らせ" in text

    # No separate 高齢受給者証 since 2024-12-02: the rate is on the 資格確認書 (rules.md 3.4).
    refused = await client.post(
        f"/api/v1/households/{old_household}/certificates",
        json={
            "kind": "elderly_recipient_certificate",
            "addressee_number": old,
            "issue_date": today.isoformat(),
        },
        headers=token("clerk-a", CLERK),
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"].endswith("no-longer-issued")
    record, text = await issue_and_render(
        client,
        token,
        old_household,
        {
            "kind": "eligibility_confirmation_document",
            "addressee_number": old,
            "issue_date": today.isoformat(),
        },
    )
    assert "国民健康保険資格確認書" in text
    assert record["copayment_rate_tenths"] == 2  # the documented default until income is known
    assert "一部負担金の割合 2割" in text  # the label and its value

    # One issued up to 2024-12-01 is kept and still renders.
    elder = b.addressee()
    elder_household = await household_of(client, token, elder, date(2024, 4, 1), date(1953, 1, 15))
    record, text = await issue_and_render(
        client,
        token,
        elder_household,
        {
            "kind": "elderly_recipient_certificate",
            "addressee_number": elder,
            "issue_date": "2024-12-01",
        },
    )
    assert "国民健康保険高齢受給者証" in text
    assert record["copayment_rate_tenths"] == 2
    assert record["valid_until"] == "2025-07-31"

    record, text = await issue_and_render(
        client,
        token,
        early_household,
        {
            "kind": "limit_certificate",
            "addressee_number": early,
            "issue_date": "2024-08-01",
            "valid_until": "2025-07-31",
            "limit_category": "ウ",
            "application_date": "2024-07-20",
        },
    )
    assert "限度額適用認定証" in text
    assert "適用区分 ウ" in text
    assert record["valid_until"] == "2025-07-31"

    record, text = await issue_and_render(
        client,
        token,
        young_household,
        {
            "kind": "specified_disease_certificate",
            "addressee_number": young,
            "issue_date": today.isoformat(),
            "disease_name": "架空疾病",
            "copayment_limit_yen": 10000,
        },
    )
    assert "特定疾病療養受療証" in text
    assert "認定疾病名 架空疾病" in text
    assert "自己負担限度額 10,000円" in text
    assert record["disease_name"] == "架空疾病"


async def test_a_limit_certificate_is_no_longer_issued_from_2024_12_02(
    client: httpx.AsyncClient, token: Headers
) -> None:
    head = b.addressee()
    household = await household_of(client, token, head, date(2024, 4, 1), date(1985, 6, 1))
    refused = await client.post(
        f"/api/v1/households/{household}/certificates",
        json={
            "kind": "limit_certificate",
            "addressee_number": head,
            "issue_date": "2024-12-02",
            "valid_until": "2025-07-31",
            "limit_category": "ウ",
            "application_date": "2024-11-20",
        },
        headers=token("clerk-a", CLERK),
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")


NAMES = [
    (
        "𠮷田\u3000髙﨑子",
        "ヨシダ\u3000タカサキコ",
    ),  # 𠮷 U+20BB7 outside the BMP, 髙 U+9AD9, 﨑 U+FA11
    ("葛\U000e0100西\u3000辻\U000e0102子", "カサイ\u3000ツジコ"),  # two variation sequences
]


async def test_a_confirmation_document_prints_the_name_exactly_on_any_printer(
    client: httpx.AsyncClient, token: Headers, tmp_path: Path
) -> None:
    """Issue 18: the name as entered comes back from the text layer, every font is an embedded
    subset, the page rasterises with no system fonts, and veraPDF finds PDF/A-2B."""
    today = date.today()
    paths = []
    for n, (name, kana) in enumerate(NAMES):
        head = b.addressee()
        household = await household_of(
            client, token, head, today - timedelta(days=3), date(1985, 6, 1), (name, kana)
        )
        body = {"kind": "eligibility_confirmation_document", "addressee_number": head}
        record, pdf = await issue(
            client, token, household, {**body, "issue_date": today.isoformat()}
        )
        assert (record["name"], record["householder_name"]) == (name, name)  # stored as entered
        lines = checks.text_of(pdf).splitlines()
        shown = name.replace("\u3000", " ")  # poppler's spaces are all U+0020
        assert f"氏名 {shown}" in lines
        assert f"世帯主氏名 {shown}" in lines
        for font in checks.fonts_of(pdf):
            assert (font.embedded, font.subset, font.unicode) == (True, True, True), font
        image, stderr = checks.rasterise_without_system_fonts(pdf)
        assert stderr == ""
        assert image.startswith(b"P5")
        paths.append(tmp_path / f"certificate-{n}.pdf")
        paths[-1].write_bytes(pdf)
    ok, report = checks.verapdf(paths)
    assert ok, report


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("name", "山田\u202e太郎", "U+202E"),  # a bidi override
        ("name", "山田\u200b太郎", "U+200B"),  # a zero-width space
        ("name", "山田😀", "U+1F600"),
        ("name", "田\U000e0100中", "U+7530 U+E0100"),  # a sequence no print font registers
        ("name_kana", "やまだ", "U+3084"),
    ],
)
async def test_a_name_the_policy_refuses_is_a_422_naming_field_and_character(
    client: httpx.AsyncClient, token: Headers, field: str, value: str, named: str
) -> None:
    head = b.addressee()
    member = b.member(head, fact=date.today() - timedelta(days=3))
    member["details"][field] = value
    body = {
        "householder_addressee_number": head,
        "members": [member],
        "identity_verification": b.ID,
    }
    refused = await client.post("/api/v1/households", json=body, headers=token("clerk-a", CLERK))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    (error,) = refused.json()["errors"]
    assert error["pointer"] == f"/body/members/0/details/{field}"
    assert named in error["reason"]
