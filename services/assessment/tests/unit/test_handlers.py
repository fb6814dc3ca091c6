"""The use cases with the in-memory unit of work (store, projection, event store, audit):
load → decide → append → audit, without HTTP."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

import pytest

from kokuho.assessment.adapters.memory import InMemoryAssessmentStore, InMemoryAssessmentUnit
from kokuho.assessment.app import income, reductions
from kokuho.assessment.app.assessing import HouseholdUnknown, assess_household, stream_id
from kokuho.assessment.app.ports import HouseholdRow, MemberRow
from kokuho.assessment.bootstrap import CityRulebook
from kokuho.assessment.domain.income_file import COLUMNS
from kokuho.assessment.domain.notices import notice_number
from kokuho.assessment.domain.reduction_exemption import FourEyesRequired
from kokuho.events.testing.fakes import InMemoryEventStore
from kokuho.platform.unit_of_work import RecordingAudit

RULES = CityRulebook("hiroshima", None)
HEADER = ",".join(COLUMNS)
TODAY = date(2026, 6, 1)
HOUSEHOLD = "9000000001"
PERSON = "1000000001"


def store_with_household() -> InMemoryAssessmentStore:
    store = InMemoryAssessmentStore()
    store.households[HOUSEHOLD] = HouseholdRow(
        HOUSEHOLD, PERSON, members=(MemberRow(PERSON, date(1980, 5, 5)),)
    )
    return store


def unit(store: InMemoryAssessmentStore, events: InMemoryEventStore) -> InMemoryAssessmentUnit:
    return InMemoryAssessmentUnit(store, events)


def import_command(text: str, today: date = TODAY) -> income.ImportIncome:
    return income.ImportIncome(
        file_name="f.csv", text=text, apply_valid_part=False, actor="U1", today=today
    )


async def import_salary(
    store: InMemoryAssessmentStore, events: InMemoryEventStore, salary: int
) -> None:
    line = f"{PERSON},2025,1980-05-05,1,{salary + 1_000_000},{salary},0,0,0,0,0,0,taxable"
    await income.import_income(unit(store, events), RULES, import_command(f"{HEADER}\n{line}\n"))


async def assess(store: InMemoryAssessmentStore, events: InMemoryEventStore) -> object:
    return await assess_household(
        unit(store, events),
        RULES,
        nhi_household_number=HOUSEHOLD,
        fiscal_year=2026,
        cause="request",
        actor="U1",
        today=TODAY,
    )


async def recorded(events: InMemoryEventStore) -> list[dict]:  # type: ignore[type-arg]
    out = []
    for r in await events.load(stream_id(HOUSEHOLD, 2026)):
        out.append(r.envelope.data)
    return out


async def test_assess_then_unchanged_then_correction() -> None:
    store, events = store_with_household(), InMemoryEventStore(source="/kokuho/assessment")
    await import_salary(store, events, 2_000_000)
    first = await assess(store, events)
    assert first.changed  # type: ignore[attr-defined]
    assert first.assessment.annual_amount == 316_000  # type: ignore[attr-defined]
    again = await assess(store, events)
    assert not again.changed  # type: ignore[attr-defined]
    assert len(await recorded(events)) == 1
    assert [m.topic for m in events.outbox].count("kokuho.assessment.events") == 2  # import+assess
    # an income correction re-assesses the assessed household by itself (更正)
    await import_salary(store, events, 1_000_000)
    data = await recorded(events)
    assert [d["kind"] for d in data] == ["assessment", "correction"]
    assert data[1]["cause"] == "income_change"
    assert data[1]["difference"] == data[1]["annual_amount"] - 316_000 < 0
    # each notice its own 通知書番号 and issue date (ADR 0037), stored with the revision
    assert [d["notice_number"] for d in data] == [
        notice_number(2026, HOUSEHOLD, 1),
        notice_number(2026, HOUSEHOLD, 2),
    ]
    assert [d["notice_kind"] for d in data] == ["payment_notice", "change_notice"]
    assert {d["notice_issued_on"] for d in data} == {TODAY.isoformat()}
    stored = await unit(store, events).assessments.load_assessment(HOUSEHOLD, 2026)
    assert stored is not None
    assert stored.notice_issued_on == TODAY


async def test_unknown_household() -> None:
    store, events = InMemoryAssessmentStore(), InMemoryEventStore(source="/kokuho/assessment")
    with pytest.raises(HouseholdUnknown):
        await assess(store, events)


async def test_a_refused_file_writes_nothing() -> None:
    store, events = store_with_household(), InMemoryEventStore(source="/kokuho/assessment")
    uow = unit(store, events)
    with pytest.raises(income.IncomeFileRefused) as refused:
        await income.import_income(uow, RULES, import_command(f"{HEADER}\nbroken\n"))
    assert refused.value.parsed.refused[0].line == 2
    assert store.income == {}
    assert store.imports == []
    assert not any(events.streams.values())
    assert events.outbox == []
    assert uow.commits == 0
    assert isinstance(uow.audit, RecordingAudit)
    assert uow.audit.records == []


async def test_no_income_declaration_cannot_replace_taxed_income() -> None:
    store, events = store_with_household(), InMemoryEventStore(source="/kokuho/assessment")
    await import_salary(store, events, 2_000_000)
    with pytest.raises(income.IncomeAlreadyDeclared):
        await income.declare_no_income(
            unit(store, events),
            RULES,
            income.DeclareNoIncome(
                addressee_number=PERSON,
                income_year=2025,
                birth_date=date(1980, 5, 5),
                channel="counter",
                actor="U1",
                today=TODAY,
            ),
        )


async def test_loss_of_every_month_corrects_to_zero() -> None:
    store, events = store_with_household(), InMemoryEventStore(source="/kokuho/assessment")
    await import_salary(store, events, 2_000_000)
    await assess(store, events)
    row = store.households[HOUSEHOLD]
    store.households[HOUSEHOLD] = dataclasses.replace(
        row, members=(dataclasses.replace(row.members[0], loss_date=date(2026, 4, 1)),)
    )
    outcome = await assess(store, events)
    assert outcome.assessment.annual_amount == 0  # type: ignore[attr-defined]
    assert (await recorded(events))[-1]["difference"] == -316_000


async def test_reduction_exemption_four_eyes_and_reassessment() -> None:
    store, events = store_with_household(), InMemoryEventStore(source="/kokuho/assessment")
    await import_salary(store, events, 2_000_000)
    await assess(store, events)
    application = await reductions.enter_application(
        unit(store, events),
        reductions.EnterApplication(
            nhi_household_number=HOUSEHOLD,
            fiscal_year=2026,
            reason_code="disaster",
            reason="flood",
            ratio_percent=30,
            actor="U-A",
        ),
    )

    def decision(actor: str, reason: str) -> reductions.DecideApplication:
        return reductions.DecideApplication(
            application_id=application.application_id,
            approve=True,
            reason=reason,
            actor=actor,
            today=TODAY,
        )

    # the same person, whatever case or width their id comes in (C-11 by person, issue 9)
    for same in ("U-A", "u-a", "Ｕ－Ａ"):
        with pytest.raises(FourEyesRequired):
            await reductions.decide_application(unit(store, events), RULES, decision(same, "ok"))
    uow = unit(store, events)
    decided, outcome = await reductions.decide_application(
        uow, RULES, decision("U-B", "certificate seen")
    )
    assert decided.status == "approved"
    assert outcome is not None
    # 30% of 316,000 = 94,800 forgiven
    assert outcome.assessment.reduction_exemption_amount == 94_800
    assert outcome.assessment.annual_amount == 221_200
    # the decision is audited with the household's people, in the same unit of work
    assert isinstance(uow.audit, RecordingAudit)
    assert [r["subjects"] for r in uow.audit.records] == [[PERSON]]
    assert uow.commits == 1


async def test_a_refused_reassessment_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from kokuho.assessment.app.assessing import reassess_all

    store, events = store_with_household(), InMemoryEventStore(source="/kokuho/assessment")
    await import_salary(store, events, 2_000_000)
    await assess(store, events)
    row = store.households[HOUSEHOLD]
    # an inconsistent fact: 非自発的失業者 at 70 (the rule is for under 65)
    store.households[HOUSEHOLD] = dataclasses.replace(
        row,
        members=(
            dataclasses.replace(
                row.members[0],
                birth_date=date(1950, 1, 1),
                involuntary_separation_date=date(2026, 3, 31),
            ),
        ),
    )
    with caplog.at_level("WARNING"):
        outcomes = await reassess_all(
            unit(store, events),
            RULES,
            [(HOUSEHOLD, 2026)],
            cause="eligibility_change",
            actor="system",
            today=TODAY,
        )
    assert outcomes == []
    assert store.assessments[(HOUSEHOLD, 2026)].revision == 1  # kept as it was
    assert any(r.__dict__.get("rule") == "HouseholdInvalid" for r in caplog.records)


def test_first_correctable_year_comes_from_the_parameters() -> None:
    from kokuho.assessment.app.assessing import first_correctable_year

    assert first_correctable_year(RULES, date(2026, 11, 26)) == 2024
    # FY2027 has no files yet: the FY2026 period applies
    assert first_correctable_year(RULES, date(2027, 4, 2)) == 2025


async def test_income_of_a_year_beyond_the_correction_period_reassesses_nothing() -> None:
    from kokuho.assessment.app.ports import StoredAssessment

    store, events = store_with_household(), InMemoryEventStore(source="/kokuho/assessment")
    # an (old) FY2023 assessment exists; income for 2022 arrives in FY2026 (period: FY2024–)
    store.assessments[(HOUSEHOLD, 2023)] = StoredAssessment(
        HOUSEHOLD, 2023, 1, uuid.uuid4(), 100, 0, 0, [], None, "request", "U"
    )
    line = f"{PERSON},2022,1980-05-05,1,2000000,1000000,0,0,0,0,0,0,taxable"
    outcome = await income.import_income(
        unit(store, events), RULES, import_command(f"{HEADER}\n{line}\n", date(2026, 11, 26))
    )
    assert outcome.reassessed == []


async def test_the_assess_use_case_audits_with_the_status_it_answers() -> None:
    from kokuho.assessment.app.assessing import Assess
    from kokuho.assessment.app.assessing import assess as assess_use_case

    store, events = store_with_household(), InMemoryEventStore(source="/kokuho/assessment")
    await import_salary(store, events, 2_000_000)
    command = Assess(HOUSEHOLD, 2026, actor="U1", today=TODAY)
    first, again = unit(store, events), unit(store, events)
    assert (await assess_use_case(first, RULES, command)).changed
    assert not (await assess_use_case(again, RULES, command)).changed
    for uow, status in ((first, 201), (again, 200)):
        assert isinstance(uow.audit, RecordingAudit)
        [record] = uow.audit.records
        assert (record["subjects"], record["status_code"]) == ([PERSON], status)


async def test_a_use_case_publishes_on_the_units_topic() -> None:
    store, events = store_with_household(), InMemoryEventStore(source="/kokuho/assessment")
    line = f"{PERSON},2025,1980-05-05,1,3000000,2000000,0,0,0,0,0,0,taxable"
    uow = InMemoryAssessmentUnit(store, events, topic="test.assessment.own")
    await income.import_income(uow, RULES, import_command(f"{HEADER}\n{line}\n"))
    await assess_household(
        uow,
        RULES,
        nhi_household_number=HOUSEHOLD,
        fiscal_year=2026,
        cause="request",
        actor="U1",
        today=TODAY,
    )
    assert [m.topic for m in events.outbox] == ["test.assessment.own"] * 2


async def test_eligibility_events_project_and_assess_after_the_annual_run() -> None:
    from kokuho.assessment.app.eligibility_policy import apply_eligibility_event
    from kokuho.events.contracts.eligibility import HouseholdRegistered, QualificationAcquired

    uow = InMemoryAssessmentUnit()
    uow.store.annual_runs.add(2026)  # 本算定 done: a household known later is assessed now
    provenance = {"change_id": uuid.uuid4(), "entered_by": "U-E"}
    registered = HouseholdRegistered.model_construct(
        **provenance,
        nhi_household_number=HOUSEHOLD,
        householder_addressee_number=PERSON,
        deemed_householder=False,
        effective_date=date(2026, 5, 1),
    )
    assert await apply_eligibility_event(uow, RULES, registered, today=TODAY) == []
    acquired = QualificationAcquired.model_construct(
        **provenance,
        nhi_household_number=HOUSEHOLD,
        householder_addressee_number=PERSON,
        addressee_number=PERSON,
        birth_date=date(1980, 5, 5),
        acquisition_date=date(2026, 5, 1),
        former_dependant=False,
    )
    outcomes = await apply_eligibility_event(uow, RULES, acquired, today=TODAY)
    assert [(o.assessment.revision, o.assessment.cause) for o in outcomes] == [
        (1, "eligibility_change")
    ]
    row = uow.store.households[HOUSEHOLD]
    assert [(m.addressee_number, m.acquisition_date) for m in row.members] == [
        (PERSON, date(2026, 5, 1))
    ]


async def test_a_no_income_e_application_is_declared_for_the_year_before() -> None:
    from kokuho.assessment.app.income import EApplicationInvalid, declare_from_e_application
    from kokuho.events.contracts.linkage_gateway import EApplicationAccepted

    store, events = store_with_household(), InMemoryEventStore(source="/kokuho/assessment")

    def application(answers: dict[str, object]) -> EApplicationAccepted:
        return EApplicationAccepted.model_construct(
            receipt_number="R-1",
            affair="assessment",
            procedure_code="NHI-NO-INCOME-DECLARATION",
            addressee_number=PERSON,
            answers=answers,
        )

    await declare_from_e_application(
        unit(store, events),
        RULES,
        application({"fiscal_year": 2026, "no_income": True}),
        today=TODAY,
    )
    record, source = store.income[(PERSON, 2025)]
    assert (source, record.birth_date, record.income.declared) == (
        "no_income_declaration",
        date(1980, 5, 5),
        True,
    )
    with pytest.raises(EApplicationInvalid):
        await declare_from_e_application(
            unit(store, events), RULES, application({"no_income": True}), today=TODAY
        )


async def test_a_care_insurance_exclusion_corrects_the_long_term_care_levy() -> None:
    """CareInsuranceExclusionRecorded/Ended (介護保険適用除外, ADR 0038): projected and the
    assessed year corrected; the member (born 1980, 45) pays 介護分 for the months outside."""
    from kokuho.assessment.app.eligibility_policy import apply_eligibility_event
    from kokuho.events.contracts.eligibility import (
        CareInsuranceExclusionEnded,
        CareInsuranceExclusionRecorded,
    )

    store, events = store_with_household(), InMemoryEventStore(source="/kokuho/assessment")
    await import_salary(store, events, 2_000_000)
    await assess(store, events)

    def care(data: dict) -> int:  # type: ignore[type-arg]
        return next(c["amount"] for c in data["components"] if c["component"] == "long_term_care")

    full = care((await recorded(events))[-1])
    facility = {
        "change_id": uuid.uuid4(),
        "entered_by": "U-E",
        "nhi_household_number": HOUSEHOLD,
        "addressee_number": PERSON,
        "facility_kind": "designated_disability_support_facility",
        "facility_name": "施設",
        "start_date": date(2026, 10, 1),
    }
    recorded_event = CareInsuranceExclusionRecorded.model_construct(**facility, end_date=None)
    await apply_eligibility_event(unit(store, events), RULES, recorded_event, today=TODAY)
    data = await recorded(events)
    assert data[-1]["kind"] == "correction"
    half = care(data[-1])
    assert half == full * 6 // 12 // 100 * 100  # April–September
    row = store.households[HOUSEHOLD]
    assert row.members[0].care_exclusions == ((date(2026, 10, 1), None),)
    ended = CareInsuranceExclusionEnded.model_construct(**facility, end_date=date(2027, 1, 10))
    await apply_eligibility_event(unit(store, events), RULES, ended, today=TODAY)
    data = await recorded(events)
    assert care(data[-1]) == full * 9 // 12 // 100 * 100  # October–December excluded
    assert store.households[HOUSEHOLD].members[0].care_exclusions == (
        (date(2026, 10, 1), date(2027, 1, 10)),
    )
