"""The stored collection method: 特別徴収 when rules.md 2.6 holds (with 仮徴収/本徴収 in the
assessment and in PremiumAssessed), 普通徴収 otherwise and on the householder's request."""

from __future__ import annotations

from datetime import date

from kokuho.assessment.adapters.memory import InMemoryAssessmentStore, InMemoryAssessmentUnit
from kokuho.assessment.app.assessing import AssessOutcome, assess_household, stream_id
from kokuho.assessment.app.ports import HouseholdRow, MemberRow, PensionRecord
from kokuho.assessment.bootstrap import CityRulebook
from kokuho.assessment.domain.household import Income
from kokuho.assessment.domain.income_file import IncomeRecord
from kokuho.assessment.domain.special_collection import Pension
from kokuho.events.testing.fakes import InMemoryEventStore

RULES = CityRulebook("hiroshima", None)
TODAY = date(2026, 6, 1)
HOUSEHOLD = "9000000002"
HEAD = "1000000002"
BORN = date(1958, 6, 1)  # 67 on 2026-04-01, attains 75 in 2033


def store_with_pensioner(
    pension: Pension | None, previous_february: int = 0
) -> InMemoryAssessmentStore:
    store = InMemoryAssessmentStore()
    store.households[HOUSEHOLD] = HouseholdRow(HOUSEHOLD, HEAD, members=(MemberRow(HEAD, BORN),))
    record = IncomeRecord(
        HEAD,
        2025,
        BORN,
        Income(declared=True, pension_revenue=2_400_000, pension_income=1_300_000),
        "taxable",
    )
    store.income[(HEAD, 2025)] = (record, "import")
    if pension is not None:
        store.pensions[(HEAD, 2026)] = PensionRecord(pension, previous_february)
    return store


async def assess(store: InMemoryAssessmentStore, events: InMemoryEventStore) -> AssessOutcome:
    return await assess_household(
        InMemoryAssessmentUnit(store, events),
        RULES,
        nhi_household_number=HOUSEHOLD,
        fiscal_year=2026,
        cause="request",
        actor="U1",
        today=TODAY,
    )


async def test_special_collection_is_stored_with_its_deductions_and_published() -> None:
    store = store_with_pensioner(Pension(2_400_000, True, 90_000), previous_february=20_000)
    events = InMemoryEventStore(source="/kokuho/assessment")
    outcome = await assess(store, events)
    a = outcome.assessment
    assert a.collection["method"] == "special", a.collection
    deductions = a.collection["deductions"]
    assert [d["kind"] for d in deductions] == ["provisional"] * 3 + ["definitive"] * 3
    assert [d["amount"] for d in deductions[:3]] == [20_000, 20_000, 20_000]
    assert sum(d["amount"] for d in deductions) == a.annual_amount
    # the pension collects the whole premium: every 普通徴収 instalment is 0
    assert all(i["amount"] == 0 for i in a.instalments)
    [event] = [r.envelope.data for r in await events.load(stream_id(HOUSEHOLD, 2026))]
    assert event["collection_method"] == "special"
    assert event["special_collection_deductions"] == deductions


async def test_ordinary_collection_names_the_failing_condition() -> None:
    store = store_with_pensioner(Pension(170_000, True, 10_000))  # below 18万
    events = InMemoryEventStore(source="/kokuho/assessment")
    a = (await assess(store, events)).assessment
    assert a.collection == {
        "method": "ordinary",
        "reasons": ["pension-below-minimum"],
        "deductions": [],
    }
    assert sum(i["amount"] for i in a.instalments) == a.annual_amount > 0


async def test_a_request_for_ordinary_collection_is_a_correction_and_idempotent() -> None:
    store = store_with_pensioner(Pension(2_400_000, True, 90_000))
    events = InMemoryEventStore(source="/kokuho/assessment")
    first = (await assess(store, events)).assessment
    assert first.collection["method"] == "special"
    store.method_requests[(HOUSEHOLD, 2026)] = "ordinary"
    corrected = await assess(store, events)
    assert corrected.changed
    assert corrected.assessment.revision == 2
    assert corrected.assessment.annual_amount == first.annual_amount
    assert corrected.assessment.collection["method"] == "ordinary"
    assert corrected.assessment.collection["reasons"] == [
        "householder-requested-ordinary-collection"
    ]
    assert not (await assess(store, events)).changed  # the same request again: nothing new
    recorded = [r.envelope.data for r in await events.load(stream_id(HOUSEHOLD, 2026))]
    assert [e["kind"] for e in recorded] == ["assessment", "correction"]
    assert recorded[1]["collection_method"] == "ordinary"
    assert recorded[1]["difference"] == 0
    assert sum(i["amount"] for i in recorded[1]["instalments"]) == first.annual_amount
