"""The API's views agree on the in-memory twin and on PostgreSQL: the same counter work on both
gives the same rows. Identifiers a backend chooses itself (household and insured numbers,
change and certificate ids, times) are compared by the order in which they first appear."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from kokuho.eligibility.api import schemas
from kokuho.eligibility.app import requests as rq
from kokuho.eligibility.app.certificates import IssueCertificate, issue_certificate
from kokuho.eligibility.app.changes import ConfirmChange, EnterChange, confirm_change, enter_change
from kokuho.eligibility.app.ports import EligibilityUnitPort
from kokuho.events.contracts.linkage_gateway import FederationDifferenceConfirmed
from kokuho.platform.testing import migrated_database

from ..builders import addressee
from ..conftest import MIGRATIONS
from .test_unit_contract import ID, PORTS, opened

pytestmark = pytest.mark.integration

TODAY = PORTS.today()
FACT = date(2026, 11, 1)
KANA = "ケイヤクビュー"
GENERATED = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # change, certificate ids
    r"|\b2\d{9}\b|\b3\d{7}\b"  # household numbers, insured numbers
    r"|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?"  # times
)


def person(number: str, birth: date, relationship: str) -> rq.MemberIn:
    return rq.MemberIn(
        addressee_number=number,
        reason="moved_in",
        fact_date=FACT,
        notification_date=FACT + timedelta(days=20),
        relationship=relationship,  # type: ignore[arg-type]
        details=rq.PersonalDetails(
            name=f"契約　{relationship}",
            name_kana=f"{KANA}　タロウ",
            sex="male",
            birth_date=birth,
            postal_code="7300011",
            address="広島市中区架空町4-4",
        ),
    )


async def confirmed(uow: EligibilityUnitPort, cmd: EnterChange) -> str:
    entered = await enter_change(uow, PORTS, cmd)
    await confirm_change(uow, PORTS, ConfirmChange(entered.change_id, "clerk-b"))
    return str(entered.change_id)


async def moved_out(uow: EligibilityUnitPort, number: str, member: str) -> None:
    loss = rq.LossIn(
        addressee_number=member,
        reason="moved_out",
        fact_date=FACT + timedelta(days=10),
        notification_date=FACT + timedelta(days=11),
        identity_verification=ID,
    )
    await confirmed(uow, EnterChange("lose", loss, "clerk-a", number))


async def counter_work(uow: EligibilityUnitPort, head: str, spouse: str, child: str) -> str:
    """Register, change, issue, record, lose: returns the household number."""
    body = rq.RegisterHouseholdIn(
        householder_addressee_number=head,
        members=[
            person(head, date(1954, 2, 3), "householder"),
            person(spouse, date(1958, 7, 8), "spouse"),
            person(child, date(2008, 1, 2), "child"),
        ],
        identity_verification=ID,
    )
    entered = await enter_change(uow, PORTS, EnterChange("register_household", body, "clerk-a"))
    number = entered.nhi_household_number
    await confirm_change(uow, PORTS, ConfirmChange(entered.change_id, "clerk-b"))
    student = rq.SpecialCaseIn(
        kind="student",
        facility_name="架空大学",
        fact_date=FACT + timedelta(days=2),
        notification_date=FACT + timedelta(days=3),
        identity_verification=ID,
    )
    await confirmed(uow, EnterChange("start_special_case", student, "clerk-a", number, child))
    retiree = rq.RetireeIn(retiree_kind="retired_insured", since=FACT)
    await confirmed(uow, EnterChange("record_retiree_status", retiree, "clerk-a", number, head))
    document = rq.CertificateIn(
        kind="eligibility_confirmation_document", addressee_number=head, issue_date=TODAY
    )
    await issue_certificate(uow, PORTS, IssueCertificate(number, document, "clerk-a"))
    record = rq.CertificateIn(
        kind="specified_disease_certificate",
        addressee_number=spouse,
        issue_date=TODAY,
        disease_name="架空疾病",
        copayment_limit_yen=10000,
    )
    pending = await issue_certificate(uow, PORTS, IssueCertificate(number, record, "clerk-a"))
    await confirm_change(uow, PORTS, ConfirmChange(pending.change_id, "clerk-b"))
    await moved_out(uow, number, child)
    relationship = rq.RelationshipIn(relationship="other_relative", fact_date=FACT)
    await enter_change(
        uow, PORTS, EnterChange("change_relationship", relationship, "clerk-a", number, spouse)
    )
    return number


async def left_empty(uow: EligibilityUnitPort, lone: str) -> str:
    """A household whose only member moved out: no open member, the householder still named."""
    body = rq.RegisterHouseholdIn(
        householder_addressee_number=lone,
        members=[person(lone, date(1970, 5, 6), "householder")],
        identity_verification=ID,
    )
    entered = await enter_change(uow, PORTS, EnterChange("register_household", body, "clerk-a"))
    number = entered.nhi_household_number
    await confirm_change(uow, PORTS, ConfirmChange(entered.change_id, "clerk-b"))
    await moved_out(uow, number, lone)
    return number


async def views_of(uow: Any, head: str, spouse: str, child: str, review: str, lone: str) -> str:
    """Every view after the counter work, as normalised JSON."""
    number = await counter_work(uow, head, spouse, child)
    review_id = uuid.UUID(int=int(review))
    await uow.records.federation_review(
        review_id,
        FederationDifferenceConfirmed(
            addressee_number=review,
            insured_number="49999999",  # not a generated number: kept as it is
            kind="unknown-to-us",
            federation_acquisition_date=FACT,
            federation_loss_date=None,
            file_date=TODAY,
            confirmed_by="lg-staff",
        ),
        None,
    )
    emptied = await left_empty(uow, lone)
    views = uow.views
    ours = {head, spouse, child}
    pending = [c for c in await views.pending_changes(200, None) if set(c["subjects"]) & ours]
    changes = [await views.change(c["change_id"]) for c in pending]
    history = await views.household_history(number)
    certificates = [
        await views.certificate(uuid.UUID(h["data"]["certificate_id"]))
        for h in history
        if h["type"].endswith("certificate_issued.v1")
    ]
    out = {
        "persons": [await views.person(n) for n in (head, spouse, child)],
        "unknown": await views.person(addressee()),
        "household": await views.household(number, None),
        "before": await views.household(number, FACT - timedelta(days=1)),
        "as_of": await views.household(number, FACT + timedelta(days=5)),
        "emptied": await views.household(emptied, None),
        "emptied_as_of": await views.household(emptied, FACT + timedelta(days=5)),
        "no_household": await views.household("2999999999", None),
        "history": history,
        "pending": pending,
        "changes": changes,
        "certificates": certificates,
        "search": await views.search_persons(KANA, 200, None),
        "search_after": await views.search_persons(KANA, 1, head),
        "reviews": [
            r for r in await views.federation_reviews(200, None) if r["event_id"] == review_id
        ],
    }
    assert out["unknown"] is None
    assert out["no_household"] is None
    assert out["emptied"]["members"] == []
    assert out["emptied"]["householder_name"]
    assert [m["addressee_number"] for m in out["household"]["members"]] == [head, spouse]
    schemas.PersonOut.model_validate(out["persons"][0])
    schemas.HouseholdOut.model_validate(out["household"])
    for certificate in certificates:
        schemas.CertificateOut.model_validate(certificate)
    for change in changes:
        schemas.ChangeRecordOut.model_validate(change)
    return normalised(out)


def normalised(views: dict[str, Any]) -> str:
    text = json.dumps(views, default=str, ensure_ascii=False, sort_keys=True, indent=1)
    seen: dict[str, str] = {}

    def stand_in(match: re.Match[str]) -> str:
        return seen.setdefault(match.group(0), f"<{len(seen)}>")

    return GENERATED.sub(stand_in, text)


async def test_the_views_agree_on_the_twin_and_on_postgresql(pg_admin_dsn: str) -> None:
    # A database of its own: the twin starts empty, so must PostgreSQL, or the numbers it
    # hands out (and so the stand-ins) depend on which tests ran before.
    head, spouse, child, review, lone = (addressee() for _ in range(5))
    found = {}
    for kind in ("memory", "postgres"):
        async with (
            migrated_database(pg_admin_dsn, MIGRATIONS) as dsn,
            opened(kind, dsn) as backend,
            backend.unit as uow,
        ):
            found[kind] = await views_of(uow, head, spouse, child, review, lone)
    assert found["memory"] == found["postgres"]
