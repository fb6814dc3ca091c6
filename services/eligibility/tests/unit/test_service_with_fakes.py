"""Use cases on the in-memory unit of work: four eyes, cross-household checks, what goes to
which topic, and that no personal detail reaches the general topic."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from kokuho.eligibility.adapters.memory import InMemoryEligibilityUnit
from kokuho.eligibility.app import requests as rq
from kokuho.eligibility.app import views
from kokuho.eligibility.app.certificates import IssueCertificate, issue_certificate
from kokuho.eligibility.app.changes import (
    ConfirmChange,
    EnterChange,
    Outcome,
    confirm_change,
    enter_change,
)
from kokuho.eligibility.app.errors import ChangeNotFound, HouseholdNotFound, PersonNotFound
from kokuho.eligibility.app.jobs import copayment_rates, lose_at_75, turning_75
from kokuho.eligibility.app.policies import on_federation_difference
from kokuho.eligibility.app.ports import Eligibility
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.parameters import load_rules
from kokuho.events.contracts.eligibility import EVENTS_TOPIC, PERSONAL_DETAILS_TOPIC
from kokuho.events.contracts.linkage_gateway import FederationDifferenceConfirmed
from kokuho.platform.unit_of_work import RecordingAudit

RULES = load_rules()
NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 10:00 in Japan
ID = rq.IdentityVerification(method="mn_card")
HEAD, CHILD = "1000000001", "1000000002"


def details(birth: date, name: str = "架空　一郎") -> rq.PersonalDetails:
    return rq.PersonalDetails(
        name=name,
        name_kana="カクウ　イチロウ",
        sex="male",
        birth_date=birth,
        address="広島市中区架空町1-1",
        phone="082-111-2222",
    )


def member(number: str, relationship: str, birth: date) -> rq.MemberIn:
    return rq.MemberIn(
        addressee_number=number,
        reason="moved_in",
        fact_date=date(2026, 11, 1),
        notification_date=date(2026, 11, 20),
        relationship=relationship,  # type: ignore[arg-type]
        details=details(birth),
    )


def move_in(*members: rq.MemberIn) -> rq.RegisterHouseholdIn:
    return rq.RegisterHouseholdIn(
        householder_addressee_number=HEAD, members=list(members), identity_verification=ID
    )


class Service:
    """The use cases with their ports, called as the routes call them."""

    def __init__(self, ports: Eligibility) -> None:
        self.ports = ports

    async def enter(
        self,
        unit: InMemoryEligibilityUnit,
        kind: str,
        body: rq.RequestModel,
        *,
        user_id: str,
        household_number: str | None = None,
        addressee_number: str | None = None,
    ) -> Outcome:
        command = EnterChange(kind, body, user_id, household_number, addressee_number)
        return await enter_change(unit, self.ports, command)

    async def confirm(
        self, unit: InMemoryEligibilityUnit, change_id: UUID, *, user_id: str
    ) -> Outcome:
        return await confirm_change(unit, self.ports, ConfirmChange(change_id, user_id))


@pytest.fixture
def service() -> Service:
    return Service(Eligibility(RULES, clock=lambda: NOW))


@pytest.fixture
def unit() -> InMemoryEligibilityUnit:
    return InMemoryEligibilityUnit()


async def registered(service: Service, unit: InMemoryEligibilityUnit) -> str:
    body = move_in(member(HEAD, "householder", date(1980, 1, 1)))
    change = await service.enter(unit, "register_household", body, user_id="clerk-a")
    await service.confirm(unit, change.change_id, user_id="clerk-b")
    return change.nhi_household_number


async def test_nothing_is_published_until_a_second_clerk_confirms(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    body = move_in(
        member(HEAD, "householder", date(1980, 1, 1)), member(CHILD, "child", date(2012, 2, 29))
    )
    change = await service.enter(unit, "register_household", body, user_id="clerk-a")
    assert change.status == "pending"
    assert unit.events.outbox == []
    assert unit.persons.held == {}
    with pytest.raises(e.SelfConfirmationRefused):
        await service.confirm(unit, change.change_id, user_id="clerk-a")
    done = await service.confirm(unit, change.change_id, user_id="clerk-b")
    assert done.status == "confirmed"
    acquired = [x for x in done.events if x.event_type.endswith("qualification_acquired.v1")]
    assert len(acquired) == 2
    assert {x.confirmed_by for x in done.events} == {"clerk-b"}
    assert {x.entered_by for x in done.events} == {"clerk-a"}
    assert all(getattr(x, "late_notification", False) for x in acquired)  # 19 days
    topics = {m.topic for m in unit.events.outbox}
    assert topics == {EVENTS_TOPIC, PERSONAL_DETAILS_TOPIC}
    keys = {m.key for m in unit.events.outbox if m.topic == EVENTS_TOPIC}
    assert keys == {done.nhi_household_number}
    with pytest.raises(e.ChangeNotPending):
        await service.confirm(unit, change.change_id, user_id="clerk-c")


async def test_no_name_address_or_phone_on_the_general_topic(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    await registered(service, unit)
    general = [m for m in unit.events.outbox if m.topic == EVENTS_TOPIC]
    assert general
    for message in general:
        raw = message.value
        assert raw is not None
        text = json.dumps(json.loads(raw), ensure_ascii=False)  # \u escapes decoded
        for secret in ("架空", "カクウ", "広島市中区", "082-111-2222"):
            assert secret not in text
        data = json.loads(text)["data"]
        assert not {"name", "name_kana", "address", "phone"} & set(data)
    personal = [m for m in unit.events.outbox if m.topic == PERSONAL_DETAILS_TOPIC]
    assert [m.key for m in personal] == [HEAD]
    assert personal[0].value is not None
    assert "架空" in personal[0].value.decode()


async def test_acquiring_in_a_second_household_is_refused(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    await registered(service, unit)
    again = move_in(member(HEAD, "householder", date(1980, 1, 1)))
    with pytest.raises(e.QualificationAlreadyHeld) as refused:
        await service.enter(unit, "register_household", again, user_id="clerk-a")
    assert refused.value.addressee_number == HEAD


async def test_rule_failures_show_at_entry_and_store_nothing(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    household = await registered(service, unit)
    before = len(unit.events.outbox)
    loss = rq.LossIn(
        addressee_number=CHILD,
        reason="death",
        fact_date=date(2026, 11, 10),
        notification_date=date(2026, 11, 11),
        identity_verification=ID,
    )
    with pytest.raises(e.QualificationNotHeld):
        await service.enter(unit, "lose", loss, user_id="clerk-a", household_number=household)
    assert len(unit.events.outbox) == before
    with pytest.raises(ChangeNotFound):
        await service.confirm(unit, uuid4(), user_id="clerk-b")


async def test_personal_details_change_names_only_the_changed_fields(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    household = await registered(service, unit)
    moved = details(date(1980, 1, 1)).model_copy(update={"address": "広島市南区架空町2-2"})
    body = rq.PersonalDetailsIn(
        details=moved,
        fact_date=date(2026, 11, 20),
        notification_date=date(2026, 11, 25),
        identity_verification=ID,
    )
    change = await service.enter(
        unit,
        "change_personal_details",
        body,
        user_id="clerk-a",
        household_number=household,
        addressee_number=HEAD,
    )
    done = await service.confirm(unit, change.change_id, user_id="clerk-b")
    (changed,) = [x for x in done.events if x.event_type.endswith("personal_details_changed.v1")]
    assert changed.model_dump()["changed_fields"] == ["address"]
    assert unit.persons.held[HEAD].address == "広島市南区架空町2-2"


async def test_turning_75_candidates_and_loss(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    body = move_in(member(HEAD, "householder", date(1951, 11, 25)))
    change = await service.enter(unit, "register_household", body, user_id="clerk-a")
    await service.confirm(unit, change.change_id, user_id="clerk-b")
    assert await unit.qualifications.turning_75(date(2026, 11, 24)) == []
    ((addressee, household, birth),) = await unit.qualifications.turning_75(date(2026, 11, 26))
    outcome = await lose_at_75(unit, service.ports, household, addressee, birth)
    (lost,) = [x for x in outcome.events if x.event_type.endswith("qualification_lost.v1")]
    assert lost.model_dump()["loss_date"] == date(2026, 11, 25)
    assert lost.entered_by == "system:turning-75"
    assert lost.confirmed_by is None
    assert await unit.qualifications.turning_75(date(2026, 11, 26)) == []


async def test_decided_changes_keep_no_copy_of_the_request(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    await registered(service, unit)
    assert unit.payloads.data
    assert all(data is None for data in unit.payloads.data.values())


async def test_certificate_records_keep_health_data_out_of_events(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    household = await registered(service, unit)
    body = rq.CertificateIn(
        kind="specified_disease_certificate",
        addressee_number=HEAD,
        issue_date=date(2026, 11, 20),
        disease_name="架空疾病",
        copayment_limit_yen=10000,
    )
    entered = await issue_certificate(
        unit, service.ports, IssueCertificate(household, body, "clerk-a")
    )
    # keyed from an application form: pending until a second clerk confirms it (C-11)
    assert entered.status == "pending"
    assert all(c["disease_name"] is None for c in unit.tables.certificates.values())
    with pytest.raises(e.SelfConfirmationRefused):
        await service.confirm(unit, entered.change_id, user_id="clerk-a")
    outcome = await service.confirm(unit, entered.change_id, user_id="clerk-b")
    (issued,) = [x for x in outcome.events if x.event_type.endswith("certificate_issued.v1")]
    assert "架空疾病" not in issued.model_dump_json()
    (stored,) = [c for c in unit.tables.certificates.values() if c["disease_name"]]
    assert stored["disease_name"] == "架空疾病"
    published = [json.loads(m.value) for m in unit.events.outbox if m.value is not None]
    assert published
    assert "架空疾病" not in json.dumps(published, ensure_ascii=False)


def test_certificate_record_fields_must_match_the_kind() -> None:
    with pytest.raises(ValueError, match="disease_name"):
        rq.CertificateIn(
            kind="specified_disease_certificate", addressee_number=HEAD, issue_date=date(2026, 1, 1)
        )
    with pytest.raises(ValueError, match="computed"):
        rq.CertificateIn(
            kind="eligibility_confirmation_document",
            addressee_number=HEAD,
            issue_date=date(2026, 1, 1),
            valid_until=date(2027, 1, 1),
        )


def difference(
    kind: str, acquired: date, lost: date | None = None
) -> FederationDifferenceConfirmed:
    return FederationDifferenceConfirmed(
        addressee_number=HEAD,
        insured_number="30000001",
        kind=kind,
        federation_acquisition_date=acquired,
        federation_loss_date=lost,
        file_date=date(2026, 11, 25),
        confirmed_by="lg-staff",
    )


async def test_a_federation_difference_becomes_a_pending_correction(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    await registered(service, unit)
    outcome = await on_federation_difference(
        unit, service.ports, difference("acquisition-date", date(2026, 10, 30)), uuid4()
    )
    assert outcome.action == "pending-correction"
    assert outcome.change_id is not None
    done = await service.confirm(unit, outcome.change_id, user_id="clerk-b")
    (corrected,) = [x for x in done.events if x.event_type.endswith("qualification_corrected.v1")]
    assert corrected.model_dump()["acquisition_date"] == date(2026, 10, 30)
    assert corrected.ex_officio
    assert corrected.entered_by == "linkage-gateway:lg-staff"
    again = await on_federation_difference(
        unit, service.ports, difference("acquisition-date", date(2026, 10, 30)), uuid4()
    )
    assert again.action == "already-equal"


async def test_an_unknown_person_is_kept_for_review(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    event_id = uuid4()
    outcome = await on_federation_difference(
        unit, service.ports, difference("unknown-to-us", date(2026, 4, 1)), event_id
    )
    assert outcome.action == "review"
    assert unit.tables.reviews[event_id]["change_id"] is None


async def test_the_jobs_take_each_candidate_in_a_unit_of_its_own(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    body = move_in(
        member(HEAD, "householder", date(1951, 11, 25)), member(CHILD, "spouse", date(1954, 5, 5))
    )
    change = await service.enter(unit, "register_household", body, user_id="clerk-a")
    await service.confirm(unit, change.change_id, user_id="clerk-b")
    commits = unit.commits
    rates = await copayment_rates(lambda: unit, service.ports, date(2026, 11, 26))
    assert (rates.candidates, rates.processed, rates.failed) == (1, 1, [])
    assert rates.subjects == [CHILD]
    again = await copayment_rates(lambda: unit, service.ports, date(2026, 11, 26))
    assert again.candidates == 0
    done = await turning_75(lambda: unit, service.ports, date(2026, 11, 26))
    assert (done.candidates, done.processed, done.subjects) == (1, 1, [HEAD])
    # one for each candidate list, one for each person
    assert unit.commits - commits == 5
    assert (await turning_75(lambda: unit, service.ports, date(2026, 11, 26))).candidates == 0


async def test_reads_are_audited_with_whose_data_they_show(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    household = await registered(service, unit)
    audit = unit.audit
    assert isinstance(audit, RecordingAudit)
    before = len(audit.records)
    person = await views.person(unit, HEAD)
    assert person["details"]["name"] == "架空　一郎"
    found = await views.household(unit, household, None)
    assert [m["addressee_number"] for m in found["members"]] == [HEAD]
    listing = await views.search_persons(unit, "カクウ", 1, None)
    assert listing.last == HEAD  # a full page: the next one starts after it
    assert [r["subjects"] for r in audit.records[before:]] == [[HEAD], [HEAD], [HEAD]]
    with pytest.raises(PersonNotFound):
        await views.person(unit, CHILD)
    with pytest.raises(HouseholdNotFound):
        await views.household(unit, "2999999999", None)


@pytest.mark.parametrize(
    "confirmer", ["lg-staff", "LG-Staff", "ｌｇ－ｓｔａｆｆ", "linkage-gateway:lg-staff"]
)
async def test_who_confirmed_a_difference_in_the_gateway_cannot_confirm_it_here(
    service: Service, unit: InMemoryEligibilityUnit, confirmer: str
) -> None:
    """C-11 by person (issue 9): the correction entered on lg-staff's confirmation in
    linkage-gateway waits for someone else, whatever case, width or prefix the id comes in."""
    await registered(service, unit)
    outcome = await on_federation_difference(
        unit, service.ports, difference("acquisition-date", date(2026, 10, 30)), uuid4()
    )
    assert outcome.change_id is not None
    with pytest.raises(e.SelfConfirmationRefused):
        await service.confirm(unit, outcome.change_id, user_id=confirmer)
    done = await service.confirm(unit, outcome.change_id, user_id="lg-staffer")
    assert done.events


def test_staff_ids_name_one_person_across_case_width_and_services() -> None:
    from kokuho.platform.staff import staff_person

    assert staff_person("Clerk-A") == staff_person("clerk-a") == staff_person("ｃｌｅｒｋ－ａ")
    assert staff_person("collection:clerk-a") == staff_person("clerk-a")
    # only a Kokuho service's prefix is dropped; an id that merely has a colon is kept whole
    assert staff_person("urn:city:clerk-a") != staff_person("clerk-a")
    assert staff_person("clerk-a") != staff_person("clerk-b")
