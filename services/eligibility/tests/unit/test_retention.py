"""The retention job (C-95, C-96; ADR 0096) on the in-memory unit: the boundary of 5 years
after the loss (the day before, the day itself, the day after), the persons it must keep, the
erasure records, a dry run, and a re-run that erases nothing new."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.eligibility.adapters.memory import InMemoryEligibilityUnit
from kokuho.eligibility.app import views
from kokuho.eligibility.app.ports import EligibilityUnitPort
from kokuho.eligibility.app.retention import SYSTEM_RETENTION, apply_retention
from kokuho.eligibility.domain import retention
from kokuho.eligibility.domain.erasure import Standing
from kokuho.events.contracts.eligibility import PERSONAL_DETAILS_TOPIC

from .test_erasure import at, lose, with_deemed_householder
from .test_service_with_fakes import CHILD, HEAD, RULES, Service, registered

#: The loss in ``lose`` is recorded on 2026-11-11, so the details may go from 2031-11-11.
FIRST_ERASABLE = date(2031, 11, 11)


@pytest.fixture
def unit() -> InMemoryEligibilityUnit:
    return InMemoryEligibilityUnit()


@pytest.fixture
def service() -> Service:
    return Service(at(date(2026, 11, 26)))


def units_of(unit: InMemoryEligibilityUnit):  # type: ignore[no-untyped-def]
    def units() -> EligibilityUnitPort:
        return unit

    return units


@pytest.mark.parametrize(
    ("day", "erased"),
    [(date(2031, 11, 10), False), (FIRST_ERASABLE, True), (date(2031, 11, 12), True)],
    ids=["day-before", "day-itself", "day-after"],
)
async def test_details_go_on_the_fifth_anniversary_of_the_loss_and_not_a_day_before(
    service: Service, unit: InMemoryEligibilityUnit, day: date, erased: bool
) -> None:
    household = await registered(service, unit)
    await lose(service, unit, household, HEAD)
    report = await apply_retention(units_of(unit), at(day), dry_run=False)
    assert (HEAD not in unit.persons.held) is erased
    if erased:
        assert report.erased == {retention.PERSONAL_DETAILS: [HEAD]}
        assert report.kept == {}
    else:
        assert report.erased == {}
        assert report.kept == {retention.WITHIN_RETENTION: [HEAD]}
        assert unit.erasures.erased == []


async def test_the_erased_subject_reads_as_nothing_and_each_store_is_recorded(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    """C-96's test: the details are gone from the store, the forgettable payloads and the
    compacted topic (a tombstone); an erasure record names each store, the day and the job."""
    household = await registered(service, unit)
    await lose(service, unit, household, HEAD)
    own = [p for p, s in unit.payloads.subjects.items() if s == HEAD]
    assert own  # the entered changes' forgettable payloads
    report = await apply_retention(units_of(unit), at(FIRST_ERASABLE), dry_run=False)
    assert report.records == len(retention.STORES)
    person = await views.person(unit, HEAD)
    assert person["details"] is None
    assert all(unit.payloads.data[p] is None for p in own)
    tombstone = unit.events.outbox[-1]
    assert (tombstone.topic, tombstone.key, tombstone.value) == (PERSONAL_DETAILS_TOPIC, HEAD, None)
    assert {(r.data_class, r.subject, r.store) for r in unit.erasures.erased} == {
        (retention.PERSONAL_DETAILS, HEAD, store) for store in retention.STORES
    }
    assert {(r.erased_on, r.erased_by) for r in unit.erasures.erased} == {
        (FIRST_ERASABLE, SYSTEM_RETENTION)
    }


async def test_a_re_run_erases_nothing_new(service: Service, unit: InMemoryEligibilityUnit) -> None:
    household = await registered(service, unit)
    await lose(service, unit, household, HEAD)
    first = await apply_retention(units_of(unit), at(FIRST_ERASABLE), dry_run=False)
    outbox = len(unit.events.outbox)
    second = await apply_retention(units_of(unit), at(date(2031, 11, 12)), dry_run=False)
    assert first.erased == {retention.PERSONAL_DETAILS: [HEAD]}
    assert (second.erased, second.records) == ({}, 0)
    assert len(unit.erasures.erased) == len(retention.STORES)
    assert len(unit.events.outbox) == outbox  # no second tombstone


async def test_a_dry_run_reports_and_erases_nothing(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    household = await registered(service, unit)
    await lose(service, unit, household, HEAD)
    report = await apply_retention(units_of(unit), at(FIRST_ERASABLE), dry_run=True)
    assert report.erased == {retention.PERSONAL_DETAILS: [HEAD]}
    assert report.records == 0
    assert HEAD in unit.persons.held
    assert unit.erasures.erased == []
    assert report.as_dict()["erased"] == {retention.PERSONAL_DETAILS: 1}


async def test_never_erased_while_insured_or_heading_an_insured_household(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    """Years later, the insured member and the deemed householder (擬制世帯主) of the same
    household are both kept, each with its reason; once the member is lost the householder,
    never insured, is left to a supervisor's request (no period to measure)."""
    household = await with_deemed_householder(service, unit)
    far = at(date(2045, 1, 1))
    report = await apply_retention(units_of(unit), far, dry_run=False)
    assert report.erased == {}
    assert report.kept == {
        retention.HEADS_A_HOUSEHOLD: [HEAD],
        retention.STILL_INSURED: [CHILD],
    }
    await lose(service, unit, household, CHILD)
    later = await apply_retention(units_of(unit), far, dry_run=False)
    assert later.erased == {retention.PERSONAL_DETAILS: [CHILD]}
    assert later.kept == {retention.NO_LOSS_RECORDED: [HEAD]}
    assert HEAD in unit.persons.held


def test_keep_reason_at_the_boundary_of_a_leap_day_loss() -> None:
    """A loss on 29 February: the anniversary five years on is taken as the rules' add_years
    takes it; the day before it is kept, the day itself is not."""
    loss = date(2024, 2, 29)
    standing = Standing(insured=False, last_loss=loss, heads_household=None)
    from kokuho.eligibility.domain.rules import erasable_from

    first = erasable_from(loss, RULES)
    assert first.year == 2029
    before = date.fromordinal(first.toordinal() - 1)
    assert retention.keep_reason(standing, before, RULES) == retention.WITHIN_RETENTION
    assert retention.keep_reason(standing, first, RULES) is None


async def test_the_daily_schedule_runs_the_job_at_start_and_stops(
    service: Service, unit: InMemoryEligibilityUnit
) -> None:
    import asyncio

    from kokuho.eligibility.app.retention import run_daily

    household = await registered(service, unit)
    await lose(service, unit, household, HEAD)
    stop = asyncio.Event()
    task = asyncio.create_task(run_daily(units_of(unit), at(FIRST_ERASABLE), 1, stop))
    for _ in range(200):
        if HEAD not in unit.persons.held:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert HEAD not in unit.persons.held
    assert len(unit.erasures.erased) == len(retention.STORES)
