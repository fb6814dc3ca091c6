"""Deferrals and relief, each requested by one officer and decided by another (four eyes,
``kokuho.platform.staff.same_person``): 徴収猶予 (地方税法15条の例), 換価猶予 (15条の5, 15条の6の例)
and 執行停止 (15条の7の例) with its legal ground; a suspension lasting its period leads to
不納欠損 (``review``). DLQ-43-52, 74-77, 111-134 (担保: the security amount)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kokuho.delinquency.domain import events as ev
from kokuho.delinquency.domain.errors import (
    DateInTheFuture,
    ReliefAlreadyDecided,
    ReliefInvalid,
    ReliefNotFound,
    SamePersonDecides,
)
from kokuho.delinquency.domain.model import Case
from kokuho.delinquency.domain.negotiation import advance, require_open
from kokuho.delinquency.domain.parameters import Rules
from kokuho.delinquency.domain.prescription import add_months
from kokuho.platform.staff import same_person

#: the legal grounds each kind may cite
GROUNDS: dict[str, tuple[str, ...]] = {
    # 地方税法15条1項1-5号: 災害・盗難, 病気・負傷, 事業の廃止・休止, 事業の著しい損失,
    # これらに類する
    "collection_deferral": (
        "disaster_theft",
        "illness",
        "business_closure",
        "business_loss",
        "similar",
    ),
    # 15条の5 (職権: 生活の維持困難 / 徴収上有利), 15条の6 (申請)
    "realization_deferral": ("livelihood", "better_collection", "application"),
    # 15条の7第1項1-3号: 財産なし, 生活を著しく窮迫させる, 所在・財産とも不明
    "enforcement_suspension": ("no_property", "livelihood", "whereabouts_unknown"),
}


@dataclass(frozen=True)
class RequestRelief:
    relief_id: str
    kind: str
    ground: str
    starts_on: date
    ends_on: date | None
    amount: int
    security_amount: int
    requested_by: str
    reason: str
    today: date
    rules: Rules


@dataclass(frozen=True)
class DecideRelief:
    relief_id: str
    approve: bool
    decided_by: str
    note: str
    today: date


@dataclass(frozen=True)
class EndRelief:
    relief_id: str
    reason: str
    by: str
    on: date
    today: date


def _check(c: RequestRelief) -> None:
    if c.kind not in GROUNDS:
        raise ReliefInvalid(f"{c.kind!r} is not one of {', '.join(GROUNDS)}")
    if c.ground not in GROUNDS[c.kind]:
        raise ReliefInvalid(f"{c.kind} takes the grounds {', '.join(GROUNDS[c.kind])}")
    if c.kind == "enforcement_suspension":
        if c.ends_on is not None:
            raise ReliefInvalid("a suspension of enforcement has no end date (it ends by law)")
        return
    if c.ends_on is None or c.ends_on < c.starts_on:
        raise ReliefInvalid("a deferral ends on or after the day it starts")
    if c.ends_on >= add_months(c.starts_on, c.rules.deferral_max_months):
        raise ReliefInvalid(f"a deferral lasts less than {c.rules.deferral_max_months} months")


def _request(case: Case, c: RequestRelief) -> list[ev.Event]:
    require_open(case, "a relief")
    _check(c)
    return [
        ev.ReliefRequested(
            c.relief_id,
            c.kind,
            c.ground,
            c.starts_on,
            c.ends_on,
            c.amount,
            c.security_amount,
            c.requested_by,
            c.reason,
            c.today,
        )
    ]


def _decide(case: Case, c: DecideRelief) -> list[ev.Event]:
    relief = case.relief(c.relief_id)
    if relief is None:
        raise ReliefNotFound(f"no relief {c.relief_id}")
    if relief.status != "pending":
        raise ReliefAlreadyDecided(f"relief {c.relief_id} is {relief.status}")
    if same_person(relief.requested_by, c.decided_by):
        raise SamePersonDecides(f"{c.decided_by} requested relief {c.relief_id}")
    out: list[ev.Event] = [ev.ReliefDecided(c.relief_id, c.approve, c.decided_by, c.note, c.today)]
    if c.approve and relief.kind == "enforcement_suspension":
        out += advance(case, "suspended", c.today)
    return out


def _end(case: Case, c: EndRelief) -> list[ev.Event]:
    relief = case.relief(c.relief_id)
    if relief is None:
        raise ReliefNotFound(f"no relief {c.relief_id}")
    if relief.status != "approved":
        raise ReliefAlreadyDecided(f"relief {c.relief_id} is {relief.status}")
    if c.on > c.today or c.on < relief.starts_on:
        raise DateInTheFuture(f"ended on {c.on}: between {relief.starts_on} and today")
    return [ev.ReliefEnded(c.relief_id, c.reason, c.by, c.on)]


DECIDERS: dict[type[Any], Any] = {RequestRelief: _request, DecideRelief: _decide, EndRelief: _end}
