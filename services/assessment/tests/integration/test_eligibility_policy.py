"""Eligibility's household events keep assessment's households right and re-assess (更正):
a composition change adds a baby, a 特定同一世帯所属者 makes the household a 特定世帯, and a
backdated loss corrects the premium to nothing."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from kokuho.events.contracts.eligibility import (
    HouseholdCompositionChanged,
    HouseholdMember,
    QualificationCorrected,
    SpecifiedSameHouseholdMemberChanged,
)
from kokuho.platform.testing import eventually

from ..conftest import Running
from .test_assessment_api import HEADER, income_line, numbers, wait_for

pytestmark = pytest.mark.integration

PROVENANCE: dict[str, Any] = {"entered_by": "E1", "confirmed_by": "E2"}


async def revision(running: Running, household: str, wanted: int) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        r = await running.client.get(
            f"/api/v1/households/{household}/assessments/2026",
            headers=running.headers("assessment.clerk"),
        )
        return dict(r.json()) if r.status_code == 200 and r.json()["revision"] >= wanted else None

    return await eventually(reached, 30, interval=0.1, what=f"revision {wanted} of {household}")


async def test_household_events_re_assess(running: Running) -> None:
    household, parent = numbers()
    partner = parent[:-1] + ("1" if parent[-1] != "1" else "2")
    baby = parent[:-1] + ("3" if parent[-1] != "3" else "4")
    await running.publish_eligibility(
        household,
        HouseholdCompositionChanged(
            change_id=uuid.uuid4(),
            **PROVENANCE,
            nhi_household_number=household,
            effective_date=date(2026, 4, 1),
            householder_addressee_number=parent,
            deemed_householder=False,
            members=[
                HouseholdMember(
                    addressee_number=parent,
                    insured_number="10000001",
                    birth_date=date(1990, 5, 5),
                    relationship="householder",
                    acquisition_date=date(2026, 4, 1),
                ),
                HouseholdMember(
                    addressee_number=partner,
                    insured_number="10000002",
                    birth_date=date(1991, 6, 6),
                    relationship="spouse",
                    acquisition_date=date(2026, 4, 1),
                ),
            ],
        ),
    )
    await wait_for(running, "SELECT 1 FROM household_members WHERE addressee_number = $1", partner)
    content = "\n".join([HEADER, income_line(parent, 3_000_000), income_line(partner, 0), ""])
    r = await running.client.post(
        "/api/v1/income-imports",
        json={"file_name": "t.csv", "content": content},
        headers=running.headers("batch.operator"),
    )
    assert r.status_code == 201, r.text
    r = await running.client.post(
        "/api/v1/assessments",
        json={"nhi_household_number": household, "fiscal_year": 2026},
        headers=running.headers("assessment.clerk"),
    )
    assert r.status_code == 201, r.text
    first = r.json()["annual_amount"]

    # a baby born 2026-12-05 joins: Dec–Mar with 均等割 (未就学児 halved) → a correction upwards
    await running.publish_eligibility(
        household,
        HouseholdCompositionChanged(
            change_id=uuid.uuid4(),
            **PROVENANCE,
            nhi_household_number=household,
            effective_date=date(2026, 12, 5),
            householder_addressee_number=parent,
            deemed_householder=False,
            members=[
                HouseholdMember(
                    addressee_number=parent,
                    insured_number="10000001",
                    birth_date=date(1990, 5, 5),
                    relationship="householder",
                    acquisition_date=date(2026, 4, 1),
                ),
                HouseholdMember(
                    addressee_number=partner,
                    insured_number="10000002",
                    birth_date=date(1991, 6, 6),
                    relationship="spouse",
                    acquisition_date=date(2026, 4, 1),
                ),
                HouseholdMember(
                    addressee_number=baby,
                    insured_number="10000003",
                    birth_date=date(2026, 12, 5),
                    relationship="child",
                    acquisition_date=date(2026, 12, 5),
                ),
            ],
        ),
    )
    second = await revision(running, household, 2)
    assert second["cause"] == "eligibility_change"
    # 医療 均等割 31,228 × 0.5 = 15,614 and 支援 10,342 × 0.5 = 5,171 more a year, 4 of 12 months
    # (子ども分: the baby's 均等割 is fully reduced); each component is cut to 100円 per year
    assert 0 < second["annual_amount"] - first <= (15_614 + 5_171) * 4 // 12 + 300

    # everyone's loss corrected back to April 1: the premium is corrected to nothing
    for person in (parent, partner):
        await running.publish_eligibility(
            household,
            QualificationCorrected(
                change_id=uuid.uuid4(),
                **PROVENANCE,
                ex_officio=True,
                addressee_number=person,
                nhi_household_number=household,
                insured_number="10000001",
                acquisition_date=date(2026, 4, 1),
                acquisition_reason="moved_in",
                loss_date=date(2026, 4, 1),
                loss_reason="moved_out",
                correction_reason_code="moved_out_earlier",
            ),
        )
    await running.publish_eligibility(
        household,
        QualificationCorrected(
            change_id=uuid.uuid4(),
            **PROVENANCE,
            ex_officio=True,
            addressee_number=baby,
            nhi_household_number=household,
            insured_number="10000003",
            acquisition_date=date(2026, 12, 5),
            acquisition_reason="birth",
            loss_date=date(2026, 12, 5),
            loss_reason="moved_out",
            correction_reason_code="moved_out_earlier",
        ),
    )
    last = await revision(running, household, 4)

    async def corrected_to_nothing() -> dict[str, Any] | None:
        latest = await revision(running, household, last["revision"])
        return latest if latest["annual_amount"] == 0 else None

    last = await eventually(corrected_to_nothing, 30, interval=0.1, what="a premium of nothing")
    assert last["annual_amount"] == 0
    assert sum(i["amount"] for i in last["instalments"]) == 0


async def test_specified_same_household_member_makes_a_specified_household(
    running: Running,
) -> None:
    household, member = numbers()
    elder = member[:-1] + ("7" if member[-1] != "7" else "8")
    await running.publish_eligibility(
        household,
        HouseholdCompositionChanged(
            change_id=uuid.uuid4(),
            **PROVENANCE,
            nhi_household_number=household,
            effective_date=date(2026, 4, 1),
            householder_addressee_number=member,
            deemed_householder=False,
            members=[
                HouseholdMember(
                    addressee_number=member,
                    insured_number="10000001",
                    birth_date=date(1955, 1, 10),
                    relationship="householder",
                    acquisition_date=date(2020, 4, 1),
                )
            ],
        ),
    )
    await wait_for(running, "SELECT 1 FROM households WHERE nhi_household_number = $1", household)
    r = await running.client.post(
        "/api/v1/income-imports",
        json={"file_name": "t.csv", "content": f"{HEADER}\n{income_line(member, 3_000_000)}\n"},
        headers=running.headers("batch.operator"),
    )
    assert r.status_code == 201
    r = await running.client.post(
        "/api/v1/assessments",
        json={"nhi_household_number": household, "fiscal_year": 2026},
        headers=running.headers("assessment.clerk"),
    )
    assert r.status_code == 201
    await running.publish_eligibility(
        household,
        SpecifiedSameHouseholdMemberChanged(
            change_id=uuid.uuid4(),
            **PROVENANCE,
            addressee_number=elder,
            nhi_household_number=household,
            since=date(2026, 3, 15),
        ),
    )
    corrected = await revision(running, household, 2)
    medical = next(c for c in corrected["components"] if c["component"] == "medical")
    # 特定世帯: the 医療分 平等割 is 15,202 instead of 30,403 (derived, standard-and-rates.md B.3)
    assert medical["per_household_levy"] == 15_202


async def test_no_income_e_application_from_linkage_gateway(running: Running) -> None:
    from datetime import UTC, datetime

    from kokuho.events.contracts.linkage_gateway import EApplicationAccepted

    _, person = numbers()
    await running.publish(
        running.linkage_topic,
        person,
        "/kokuho/linkage-gateway",
        EApplicationAccepted(
            receipt_number="R-0001",
            procedure_code="NHI-NO-INCOME-DECLARATION",
            affair="assessment",
            addressee_number=person,
            applied_at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
            answers={"fiscal_year": 2026, "no_income": True, "circumstances": "無職"},
        ),
    )
    rows = await eventually(
        lambda: running.fetch(
            "SELECT * FROM incomes WHERE addressee_number = $1 AND income_year = 2025", person
        ),
        30,
        interval=0.1,
        what="the declaration recorded",
    )
    assert rows, "the declaration was not recorded"
    (row,) = rows
    assert row["source"] == "no_income_declaration"
    assert row["declaration_channel"] == "e_application"
    assert row["declared"] is True
    assert row["salary_income"] == row["other_income"] == 0


async def test_a_corrected_birth_date_re_assesses(running: Running) -> None:
    from kokuho.events.contracts.eligibility import PersonalDetailsChanged

    from .test_assessment_api import known_household

    household, person = numbers()
    await known_household(running, household, person)  # born 1980-05-05: 介護分 all year
    r = await running.client.post(
        "/api/v1/income-imports",
        json={"file_name": "t.csv", "content": f"{HEADER}\n{income_line(person, 2_000_000)}\n"},
        headers=running.headers("batch.operator"),
    )
    assert r.status_code == 201
    r = await running.client.post(
        "/api/v1/assessments",
        json={"nhi_household_number": household, "fiscal_year": 2026},
        headers=running.headers("assessment.clerk"),
    )
    assert {c["component"] for c in r.json()["components"]} >= {"long_term_care"}
    # the birth date was wrong: born 1990, so 36 and no 介護分
    await running.publish_eligibility(
        household,
        PersonalDetailsChanged(
            change_id=uuid.uuid4(),
            **PROVENANCE,
            ex_officio=True,
            addressee_number=person,
            nhi_household_number=household,
            changed_fields=["birth_date"],
            effective_date=date(2026, 7, 1),
            notification_date=date(2026, 7, 1),
            late_notification=False,
            birth_date=date(1990, 5, 5),
        ),
    )
    corrected = await revision(running, household, 2)
    assert "long_term_care" not in {c["component"] for c in corrected["components"]}
    # 316,000 − 57,800 (the 介護分 of the e2e household)
    assert corrected["annual_amount"] == 258_200


async def test_after_the_annual_run_a_joining_household_is_assessed(running: Running) -> None:
    """年度途中の賦課: before 本算定 a new household waits for the run; once the year's run has
    finished, a household that joins is assessed from the joining month without anyone asking."""
    import asyncpg

    from kokuho.assessment.adapters.annual_run import run_annual
    from kokuho.assessment.bootstrap import CityRulebook
    from kokuho.assessment.synthetic import load

    from .test_assessment_api import known_household

    early, early_person = numbers()
    await known_household(running, early, early_person)
    assert (
        await running.fetch("SELECT 1 FROM assessments WHERE nhi_household_number = $1", early)
        == []
    )

    pool = await asyncpg.create_pool(running.dsn, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await load(conn, 3, 2026)
        summary = await run_annual(
            pool,
            CityRulebook("hiroshima", None),
            2026,
            actor="U-BATCH",
            today=date(2026, 6, 1),
            chunk_size=10,
            topic=running.settings.events_topic,
        )
    finally:
        await pool.close()
    assert summary.assessed == 4  # the early household is in the run

    late, late_person = numbers()
    await known_household(running, late, late_person)  # joins 2026-04-01, known after the run
    assessed = await revision(running, late, 1)
    assert assessed["revision"] == 1
    assert assessed["cause"] == "eligibility_change"
    assert assessed["annual_amount"] > 0
    events = await running.fetch(
        "SELECT envelope::text AS e FROM events WHERE event_type = $1 AND stream_id LIKE $2",
        "jp.kokuho.assessment.premium_assessed.v1",
        f"%{late}%",
    )
    assert len(events) == 1
    # the early household was assessed once, by the run, and not again by the late one's events
    (early_row,) = await running.fetch(
        "SELECT revision, cause FROM assessments WHERE nhi_household_number = $1", early
    )
    assert tuple(early_row) == (1, "annual_run")
