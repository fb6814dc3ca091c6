"""Use cases of 高額介護合算療養費 (rules.md §3.5, §3.8): the LTC insurer's file (``KKH-KGS``,
all or nothing, taken once), the household's application (the calculation on benefits' own
claims and 高額療養費 decisions and the LTC insurer's self-pays, kept with it), the second
person's review (C-11) which pays benefits' medical share and states the LTC share for the LTC
insurer, and reading it. Every touch of a person's data is audited."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from kokuho.benefits.app import private_events as private
from kokuho.benefits.app.ports import Benefits, BenefitsUnitPort, PayeeAccount
from kokuho.benefits.domain import combined_care as cc
from kokuho.benefits.domain.high_cost.household_month import AgeBand
from kokuho.benefits.domain.income_category import income_year_for
from kokuho.benefits.domain.ltc_file import LtcFileAlreadyReceived, read_ltc_file
from kokuho.events.contracts import benefits as contracts
from kokuho.events.contracts.registry import EventContract
from kokuho.events.ports import StreamAppend


@dataclass(frozen=True)
class LtcReceipt:
    import_id: UUID
    base_date: date
    rows: int
    households: int


async def import_ltc_file(
    uow: BenefitsUnitPort, file_name: str, text: str, received_by: str
) -> LtcReceipt:
    file = read_ltc_file(text)  # LtcFileRefused: nothing applied
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    async with uow:
        if await uow.combined_care.ltc_file_seen(sha256):
            raise LtcFileAlreadyReceived("content: this LTC file was already received")
        import_id = uuid4()
        await uow.combined_care.save_ltc_file(import_id, file_name, sha256, file, received_by)
        await uow.audit.record(
            subjects=sorted({r.addressee_number for r in file.rows}),
            detail={"ltc_import": str(import_id), "base_date": file.base_date.isoformat()},
        )
        return LtcReceipt(
            import_id,
            file.base_date,
            len(file.rows),
            len({r.nhi_household_number for r in file.rows}),
        )


def _months(year: int) -> list[date]:
    start, _ = cc.period_of(year)
    return [
        date(start.year + (start.month + i - 1) // 12, (start.month + i - 1) % 12 + 1, 1)
        for i in range(12)
    ]


async def members_of_year(
    uow: BenefitsUnitPort, ports: Benefits, household: str, year: int
) -> tuple[cc.MemberYear, ...]:
    """Each member's medical self-pay of the period (claims; under 70 only units of 21,000 yen
    or more, per claim) less their share of the 高額療養費 decided, and the LTC self-pay of the
    LTC insurer's file. The age band is the latest claim's (the base date's, July)."""
    _, base_date = cc.period_of(year)
    unit = ports.combined_limits.under_70_unit_from
    medical: dict[str, int] = {}
    bands: dict[str, AgeBand] = {}
    for month in _months(year):
        for claim in await uow.claims.of_household(household, month):
            bands[claim.addressee_number] = claim.age_band
            counts = claim.age_band is AgeBand.AGED_70_74 or claim.self_pay >= unit
            medical[claim.addressee_number] = medical.get(claim.addressee_number, 0) + (
                claim.self_pay if counts else 0
            )
        decision = await uow.high_cost.get(household, month)
        if decision is not None:
            for person, _, benefit in decision.outcome.persons:
                medical[person] = medical.get(person, 0) - benefit
    ltc = {
        r.addressee_number: r.amount
        for r in await uow.combined_care.ltc_self_pays(household, base_date)
    }
    people = sorted(set(medical) | set(ltc))
    return tuple(
        cc.MemberYear(p, bands.get(p, AgeBand.UNDER_70), max(0, medical.get(p, 0)), ltc.get(p, 0))
        for p in people
    )


def _contracts(state: cc.CombinedCare, events: list[cc.Event]) -> list[EventContract]:
    a = state.application
    c = a.calculation
    _, base_date = cc.period_of(a.year)
    out: list[EventContract] = []
    for e in events:
        if isinstance(e, cc.Decided):
            out.append(
                contracts.CombinedCareBenefitDecided(
                    application_id=a.application_id,
                    nhi_household_number=a.nhi_household_number,
                    base_date=base_date,
                    approved=e.approved,
                    excess=c.excess if e.approved else 0,
                    medical_share=c.medical_share if e.approved else 0,
                    ltc_share=c.ltc_share if e.approved else 0,
                    reason=e.reason,
                    entered_by=a.entered_by,
                    reviewed_by=e.reviewed_by,
                    decided_on=e.decided_on,
                )
            )
        elif isinstance(e, cc.PaymentOrdered):
            out.append(
                contracts.BenefitPaymentOrdered(
                    payment_id=e.payment_id,
                    decision_id=a.application_id,
                    benefit_kind="combined_care",
                    nhi_household_number=a.nhi_household_number,
                    payee_addressee_number=a.payee_addressee_number,
                    treatment_month=None,
                    amount=e.amount,
                    payment_date=e.payment_date,
                    ordered_by=e.ordered_by,
                    ordered_on=e.ordered_on,
                )
            )
    return out


async def _append_applied(uow: BenefitsUnitPort, a: cc.Apply) -> None:
    """The application's first event, private (the members' self-pays stay in the database)."""
    applied = private.CombinedCareApplied(
        application_id=a.application_id,
        nhi_household_number=a.nhi_household_number,
        base_date=cc.period_of(a.year)[1],
        entered_by=a.entered_by,
        applied_on=a.today,
    )
    await uow.events.append_batch(
        [StreamAppend(cc.stream_id(a.application_id), 0, [applied], topic=None)]
    )


async def apply_combined_care(
    uow: BenefitsUnitPort,
    ports: Benefits,
    household: str,
    year: int,
    account: PayeeAccount,
    entered_by: str,
    today: date,
) -> cc.CombinedCare:
    """The application with its calculation (pending the second person's review)."""
    async with uow:
        if await uow.combined_care.applied(household, year):
            raise cc.CombinedCareInvalid(f"/body/year: applied already for {year}")
        members = await members_of_year(uow, ports, household, year)
        if not any(m.ltc for m in members) and not await uow.combined_care.ltc_self_pays(
            household, cc.period_of(year)[1]
        ):
            raise cc.CombinedCareInvalid(
                "/body/year: no LTC insurer's self-pay for the household on that base date"
            )
        rate = await uow.copayment_rates.get(household, income_year_for(date(year, 7, 1)))
        if rate is None:
            raise cc.CombinedCareInvalid(
                "/body/nhi_household_number: no 所得区分 decided for the base date's income year"
            )
        calculation = cc.calculate(
            members, rate.under_70_category, rate.elderly_category, ports.combined_limits
        )
        command = cc.Apply(
            uuid4(),
            household,
            year,
            account.payee_addressee_number,
            rate.under_70_category,
            rate.elderly_category,
            members,
            calculation,
            entered_by,
            today,
        )
        state = cc.replay(cc.decide_apply(None, command))
        assert state is not None
        await _append_applied(uow, command)
        await uow.combined_care.add(state, account)
        await uow.audit.record(
            subjects=sorted({m.person for m in members} | {account.payee_addressee_number}),
            detail={"combined_care": str(command.application_id), "year": year},
        )
        return state


async def review_combined_care(
    uow: BenefitsUnitPort, application_id: UUID, command: cc.Review
) -> cc.CombinedCare:
    async with uow:
        state = await uow.combined_care.get(application_id)
        events = cc.decide_review(state, command)
        assert state is not None
        after = cc.replay(events, state)
        assert after is not None
        await uow.events.append_batch(
            [
                StreamAppend(
                    cc.stream_id(application_id),
                    state.version,
                    _contracts(state, events),
                    topic=uow.topic,
                    partition_key=state.application.nhi_household_number,
                )
            ]
        )
        await uow.combined_care.update(after)
        await uow.audit.record(
            subjects=sorted({m.person for m in state.application.members}),
            detail={"combined_care": str(application_id), "approved": command.approve},
        )
        return after


async def read_combined_care(uow: BenefitsUnitPort, application_id: UUID) -> cc.CombinedCare:
    async with uow:
        state = await uow.combined_care.get(application_id)
        if state is None:
            raise cc.CombinedCareNotFound("application_id: no such application")
        await uow.audit.record(
            subjects=sorted({m.person for m in state.application.members}),
            detail={"combined_care": str(application_id)},
        )
        return state
