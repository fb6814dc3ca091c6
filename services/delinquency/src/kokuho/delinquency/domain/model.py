"""The state of a delinquency case (滞納整理の案件): one per NHI household, i.e. per householder
who owes the household's premium (国保法76条: the householder pays).

Pure data. The case holds every arrear (滞納, by fiscal year and instalment: DLQ-11, 18, 53-64),
its prescription renewals (DLQ-58), the stage and the officer in charge (DLQ-1-5, 271-283), the
negotiation records and promises (DLQ-97-110, 349-368), instalment plans (DLQ-135-173),
deferrals and relief (DLQ-43-52, 74-77, 111-134), investigations and seizures (DLQ-202-270),
tasks, and the 特別療養費 state (NHI-Q-5-9, DLQ-325).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

T = TypeVar("T")

#: the stages of enforcement, in order (催告 -> 折衝 -> 分納 -> 財産調査 -> 差押 -> 執行停止)
STAGES = ("reminder", "negotiation", "plan", "investigation", "seizure", "suspended")
RELIEF_KINDS = ("collection_deferral", "realization_deferral", "enforcement_suspension")
SPECIAL_REASONS = ("disaster", "theft", "illness", "business_closure", "business_loss")


@dataclass(frozen=True)
class Part:
    """Yen of one instalment (a payment's principal or 延滞金 applied to it)."""

    fiscal_year: int
    period: int
    amount: int


@dataclass(frozen=True)
class Payment:
    """A payment collection matched to this household (principal parts; total with 延滞金)."""

    payment_id: str
    applied: tuple[Part, ...]
    total: int
    on: date


@dataclass(frozen=True)
class Arrear:
    """One unpaid instalment (期別) after its dunning notice."""

    fiscal_year: int
    period: int
    due_date: date
    principal: int  # outstanding when dunned, corrected by later charge changes
    designated_deadline: date  # 督促状の指定期限
    paid: int = 0
    late_charge: int = 0  # 延滞金 fixed by collection and not yet paid
    written_off: int = 0
    write_off_ground: str | None = None
    renewals: tuple[date, ...] = ()  # acts renewing prescription (時効の更新)

    @property
    def key(self) -> tuple[int, int]:
        return (self.fiscal_year, self.period)

    @property
    def outstanding(self) -> int:
        return max(self.principal - self.paid - self.written_off, 0)


@dataclass(frozen=True)
class Promise:
    promise_id: str
    kind: str  # payment | home_visit | office_visit | callback (DLQ-288-299)
    promised_on: date
    amount: int
    obtained_on: date
    officer: str
    status: str = "pending"  # pending | kept | broken


@dataclass(frozen=True)
class Instalment:
    due_on: date
    amount: int


@dataclass(frozen=True)
class Plan:
    plan_id: str
    agreed_on: date
    instalments: tuple[Instalment, ...]
    officer: str
    pledge_received: bool
    previous_stage: str
    status: str = "active"  # active | broken | completed

    @property
    def total(self) -> int:
        return sum(i.amount for i in self.instalments)

    def due_by(self, day: date) -> int:
        return sum(i.amount for i in self.instalments if i.due_on <= day)


@dataclass(frozen=True)
class Relief:
    """徴収猶予, 換価猶予 or 執行停止, requested by one officer and decided by another."""

    relief_id: str
    kind: str
    ground: str
    starts_on: date
    ends_on: date | None
    amount: int
    security_amount: int
    requested_by: str
    status: str = "pending"  # pending | approved | rejected | ended
    decided_by: str | None = None
    decided_on: date | None = None
    ended_on: date | None = None

    def in_force(self, day: date) -> bool:
        if self.status != "approved" or day < self.starts_on:
            return False
        end = self.ended_on or self.ends_on
        return end is None or day <= end


@dataclass(frozen=True)
class Seizure:
    seizure_id: str
    kind: str  # deposit | wage | real_estate | other
    seized_on: date
    amount: int  # what the seizure reaches (a deposit, the seizable wage a month, a valuation)
    status: str = "in_force"  # in_force | released
    released_on: date | None = None
    proceeds: int = 0


@dataclass(frozen=True)
class Task:
    task_id: str
    kind: str  # promise_broken | plan_broken | lapse_discrepancy
    due_on: date
    reason: str
    done: bool = False


@dataclass(frozen=True)
class Letter:
    """A reminder letter (催告書) issued, with what it billed and its designated payment date."""

    letter_id: str
    billed_unpaid: int
    billed_late_charge: int
    pay_by: date
    issued_on: date


@dataclass(frozen=True)
class SpecialCare:
    """特別療養費 (rules.md §4.6): advance notice, special reasons, the flag and withholding."""

    advance_notice_on: date | None = None
    special_reason: str | None = None
    flagged_on: date | None = None
    withheld_on: date | None = None


@dataclass(frozen=True)
class Case:
    household: str  # 国保世帯番号: the householder's account at collection
    status: str = "untracked"  # untracked | watching | open | closed
    stage: str | None = None
    opened_on: date | None = None
    closed_on: date | None = None
    officer: str | None = None
    officer_group: str | None = None
    officer_division: str | None = None
    ward: str | None = None
    arrears: tuple[Arrear, ...] = ()
    payments: tuple[Payment, ...] = ()
    promises: tuple[Promise, ...] = ()
    plans: tuple[Plan, ...] = ()
    reliefs: tuple[Relief, ...] = ()
    seizures: tuple[Seizure, ...] = ()
    investigations: tuple[str, ...] = ()
    tasks: tuple[Task, ...] = ()
    special_care: SpecialCare = field(default_factory=SpecialCare)
    negotiations: int = 0
    reminders_stopped_on: date | None = None
    reminder_stop_reason: str | None = None
    letters: tuple[Letter, ...] = ()

    def arrear(self, fiscal_year: int, period: int) -> Arrear | None:
        return next((a for a in self.arrears if a.key == (fiscal_year, period)), None)

    @property
    def outstanding(self) -> int:
        return sum(a.outstanding for a in self.arrears)

    @property
    def active_plan(self) -> Plan | None:
        return next((p for p in self.plans if p.status == "active"), None)

    def paid_between(self, first: date, last: date) -> int:
        return sum(p.total for p in self.payments if first <= p.on <= last)

    def relief(self, relief_id: str) -> Relief | None:
        return next((r for r in self.reliefs if r.relief_id == relief_id), None)

    def seizure(self, seizure_id: str) -> Seizure | None:
        return next((s for s in self.seizures if s.seizure_id == seizure_id), None)

    def reliefs_in_force(self, day: date) -> list[Relief]:
        return [r for r in self.reliefs if r.in_force(day)]


def replace(obj: T, **changes: Any) -> T:
    return dataclasses.replace(obj, **changes)  # type: ignore[type-var]


def put(items: tuple[Any, ...], key: str, value: Any, attr: str) -> tuple[Any, ...]:
    """``items`` with the one whose ``attr`` is ``key`` replaced by ``value`` (or added)."""
    kept = [value if getattr(i, attr) == key else i for i in items]
    return tuple(kept) if any(getattr(i, attr) == key for i in items) else (*items, value)
