"""高額介護合算療養費 (高額医療・高額介護合算療養費, rules.md §3.5, §3.8): once a year, for the
period August 1 – July 31 (base date July 31), a household whose medical self-pay (after
高額療養費) and long-term-care self-pay (after 高額介護サービス費, from the LTC insurer's file)
together exceed the annual limit of its 所得区分 is paid the excess, split between the two
insurers in proportion to the self-pays (benefits pays the medical share, 自保険者分; the LTC
insurer pays its share, 他保険者分, NHI-B-54/55). Pure: the calculation and the application
aggregate (stream ``combined-care-<application id>``), four eyes on the decision (C-11).

The calculation (``calculate``), every step explained:

1. nothing when the household's medical or LTC self-pay of the period is 0 (§3.8 ✅);
2. the 70–74 members' combined self-pay against the 70–74 limit (their 所得区分);
3. with under-70 members, what the 70–74 members still bear plus the under-70 members' combined
   self-pay against the under-70 household limit (§3.8 ◐, the mixed-household order);
4. nothing when the total excess is 500 yen or less (§3.8 ✅);
5. each step's excess split medical / LTC in proportion to the self-pays it counted, the
   medical share rounded down to the yen (configuration).

Not modelled: 低所得Ⅰ with two or more LTC users (medical 19万 / LTC 31万, §3.8 ◐).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from kokuho.benefits.domain.errors import BenefitsError
from kokuho.benefits.domain.high_cost.household_month import AgeBand
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory, Figure, Under70Category
from kokuho.benefits.domain.lump_sum import SamePersonReview
from kokuho.platform.staff import same_person

NAMESPACE = uuid.UUID("5b7c2f1e-0d8a-4e3b-9c61-7a2d4f8e1b03")


class CombinedCareInvalid(BenefitsError):
    """The application contradicts itself or lacks data (the detail names the field)."""


class CombinedCareNotFound(BenefitsError):
    status = 404


class CombinedCareNotPending(BenefitsError):
    status = 409


@dataclass(frozen=True)
class CombinedLimits:
    """``parameters/combined-care-2018-08.toml``."""

    under_70: Mapping[Under70Category, int]
    elderly: Mapping[ElderlyCategory, int]
    floor: int
    under_70_unit_from: int
    figures: Mapping[str, Figure]


@dataclass(frozen=True)
class MemberYear:
    person: str  # addressee number
    age_band: AgeBand  # on the base date
    medical: int  # medical self-pay of the period, after 高額療養費
    ltc: int  # LTC self-pay of the period, after 高額介護サービス費 (the LTC insurer's file)


@dataclass(frozen=True)
class Calculation:
    excess: int  # the benefit in total (0: nothing)
    medical_share: int  # paid by benefits (自保険者分)
    ltc_share: int  # paid by the LTC insurer (他保険者分)
    medical_total: int
    ltc_total: int
    steps: tuple[str, ...]


def period_of(year: int) -> tuple[date, date]:
    """The period ending on the base date July 31 of ``year``."""
    return date(year - 1, 8, 1), date(year, 7, 31)


def _split(excess: int, medical: int, ltc: int) -> tuple[int, int]:
    if excess <= 0 or medical + ltc == 0:
        return 0, 0
    share = excess * medical // (medical + ltc)
    return share, excess - share


def calculate(
    members: tuple[MemberYear, ...],
    under_70: Under70Category | None,
    elderly: ElderlyCategory | None,
    limits: CombinedLimits,
) -> Calculation:
    medical = sum(m.medical for m in members)
    ltc = sum(m.ltc for m in members)
    steps = [f"medical self-pay {medical:,}, LTC self-pay {ltc:,}"]
    if medical == 0 or ltc == 0:
        steps.append("nothing: the medical or the LTC self-pay of the period is 0 (§3.8)")
        return Calculation(0, 0, 0, medical, ltc, tuple(steps))
    elders = [m for m in members if m.age_band is AgeBand.AGED_70_74]
    young = [m for m in members if m.age_band is AgeBand.UNDER_70]
    med_share = ltc_share = 0
    borne_med = sum(m.medical for m in elders)
    borne_ltc = sum(m.ltc for m in elders)
    if elders:
        if elderly is None:
            raise CombinedCareInvalid("elderly_category: required with a 70–74 member")
        limit = limits.elderly[elderly]
        excess = max(0, borne_med + borne_ltc - limit)
        m, c = _split(excess, borne_med, borne_ltc)
        steps.append(
            f"70–74 {elderly.value}: {borne_med + borne_ltc:,} − limit {limit:,}"
            f" = {excess:,} (medical {m:,}, LTC {c:,})"
        )
        med_share, ltc_share = m, c
        borne_med, borne_ltc = borne_med - m, borne_ltc - c
    if young:
        if under_70 is None:
            raise CombinedCareInvalid("under_70_category: required with an under-70 member")
        limit = limits.under_70[under_70]
        hh_med = borne_med + sum(m.medical for m in young)
        hh_ltc = borne_ltc + sum(m.ltc for m in young)
        excess = max(0, hh_med + hh_ltc - limit)
        m, c = _split(excess, hh_med, hh_ltc)
        steps.append(
            f"household {under_70.value}: {hh_med + hh_ltc:,} − limit {limit:,}"
            f" = {excess:,} (medical {m:,}, LTC {c:,})"
        )
        med_share, ltc_share = med_share + m, ltc_share + c
    total = med_share + ltc_share
    if total <= limits.floor:
        steps.append(f"nothing: the excess {total:,} is {limits.floor:,} yen or less (§3.8)")
        return Calculation(0, 0, 0, medical, ltc, tuple(steps))
    steps.append(f"benefit {total:,}: medical insurance {med_share:,}, LTC insurance {ltc_share:,}")
    return Calculation(total, med_share, ltc_share, medical, ltc, tuple(steps))


@dataclass(frozen=True)
class Apply:
    application_id: uuid.UUID
    nhi_household_number: str
    year: int  # the base date is July 31 of this year
    payee_addressee_number: str
    under_70_category: Under70Category | None
    elderly_category: ElderlyCategory | None
    members: tuple[MemberYear, ...]
    calculation: Calculation
    entered_by: str
    today: date


@dataclass(frozen=True)
class Review:
    approve: bool
    reason: str
    reviewed_by: str
    today: date
    payment_date: date


@dataclass(frozen=True)
class Applied:
    application: Apply


@dataclass(frozen=True)
class Decided:
    approved: bool
    amount: int  # the medical share benefits pays (0 when refused or nothing)
    reason: str
    reviewed_by: str
    decided_on: date


@dataclass(frozen=True)
class PaymentOrdered:
    payment_id: uuid.UUID
    amount: int
    payment_date: date
    ordered_by: str
    ordered_on: date


Event = Applied | Decided | PaymentOrdered


@dataclass(frozen=True)
class CombinedCare:
    application: Apply
    status: str = "pending"  # pending | approved | rejected
    amount: int = 0
    reason: str = ""
    reviewed_by: str | None = None
    decided_on: date | None = None
    paid: int = 0
    version: int = 0


def stream_id(application_id: uuid.UUID) -> str:
    return f"combined-care-{application_id}"


def decide_apply(state: CombinedCare | None, command: Apply) -> list[Event]:
    if state is not None:
        raise CombinedCareInvalid("application_id: applied already")
    if date(command.year, 7, 31) >= command.today:
        raise CombinedCareInvalid(f"/body/year: the base date {command.year}-07-31 has not passed")
    return [Applied(command)]


def decide_review(state: CombinedCare | None, command: Review) -> list[Event]:
    if state is None:
        raise CombinedCareNotFound("application_id: no such application")
    if state.status != "pending":
        raise CombinedCareNotPending(f"application_id: {state.status} already")
    a = state.application
    if same_person(a.entered_by, command.reviewed_by):
        raise SamePersonReview("reviewed_by: the application was entered by the same person")
    if not command.approve:
        if not command.reason.strip():
            raise CombinedCareInvalid("/body/reason: a refusal gives its reason")
        return [Decided(False, 0, command.reason.strip(), command.reviewed_by, command.today)]
    amount = a.calculation.medical_share
    decided = Decided(True, amount, command.reason.strip(), command.reviewed_by, command.today)
    if amount == 0:
        return [decided]
    payment = PaymentOrdered(
        uuid.uuid5(NAMESPACE, f"{a.application_id}/payment"),
        amount,
        command.payment_date,
        command.reviewed_by,
        command.today,
    )
    return [decided, payment]


def _applied(state: CombinedCare | None, e: Applied) -> CombinedCare:
    return CombinedCare(e.application, version=1)


def _decided(state: CombinedCare | None, e: Decided) -> CombinedCare:
    assert state is not None
    return replace(
        state,
        status="approved" if e.approved else "rejected",
        amount=e.amount,
        reason=e.reason,
        reviewed_by=e.reviewed_by,
        decided_on=e.decided_on,
        version=state.version + 1,
    )


def _paid(state: CombinedCare | None, e: PaymentOrdered) -> CombinedCare:
    assert state is not None
    return replace(state, paid=state.paid + e.amount, version=state.version + 1)


EVOLVE: dict[type, Callable[[CombinedCare | None, Event], CombinedCare]] = {
    Applied: _applied,  # type: ignore[dict-item]
    Decided: _decided,  # type: ignore[dict-item]
    PaymentOrdered: _paid,  # type: ignore[dict-item]
}


def replay(events: list[Event], state: CombinedCare | None = None) -> CombinedCare | None:
    for event in events:
        state = EVOLVE[type(event)](state, event)
    return state
