"""Changes from the resident register (住民記録システム, SF-Q03): what eligibility does with each.

A change the rules can apply alone (死亡, 転出, 氏名変更, 転居) becomes a pending ex officio
change (職権, C-24) for one clerk to confirm; a change that needs the person (転入: are they
joining NHI? 出生, 世帯変更) becomes a work-list item due within the notification period; a
person unknown here, or a change our record contradicts, goes to a review list with its reason.
Pure: ``route`` decides from the change and what eligibility knows of the person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

RegisterKind = Literal[
    "moved_in",  # 転入 (from another municipality)
    "moved_out",  # 転出 (out of the city)
    "death",  # 死亡
    "birth",  # 出生
    "household_changed",  # 世帯変更 (世帯主変更, 世帯分離・合併 in the register)
    "name_changed",  # 氏名変更
    "address_changed",  # 転居 (within the city)
]

#: 基本4情報 (name with its kana, sex, birth date, address) and the postal code.
DetailField = Literal["name", "name_kana", "sex", "birth_date", "address", "postal_code"]
DETAIL_FIELDS: tuple[DetailField, ...] = (
    "name",
    "name_kana",
    "sex",
    "birth_date",
    "address",
    "postal_code",
)
#: Fields a name change or a move within the city may carry; a different birth date or sex
#: is a contradiction for review, never applied from the feed.
CHANGEABLE: dict[str, frozenset[str]] = {
    "name_changed": frozenset({"name", "name_kana"}),
    "address_changed": frozenset({"address", "postal_code"}),
}


@dataclass(frozen=True)
class RegisterChange:
    """One change of the feed, as validated at the edge (addressee numbers only)."""

    change_id: str
    kind: RegisterKind
    addressee_number: str
    fact_date: date
    notified_date: date
    resident_household_number: str | None = None
    householder_addressee_number: str | None = None
    details: dict[str, str | date | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Known:
    """What eligibility knows of the person: the open qualification (household, acquisition
    date), the latest loss date, and the personal details held (None: none)."""

    household: str | None = None
    acquisition_date: date | None = None
    last_loss_date: date | None = None
    details: dict[str, str | date | None] | None = None
    #: active special cases (住所地特例, 修学): a move out does not end NHI under them
    special_cases: frozenset[str] = frozenset()

    @property
    def insured(self) -> bool:
        return self.household is not None

    @property
    def known(self) -> bool:
        return self.insured or self.last_loss_date is not None or self.details is not None


@dataclass(frozen=True)
class PendingLoss:
    """資格喪失 by death or moving out, pending for one clerk's confirmation."""

    household: str
    reason: Literal["death", "moved_out"]


@dataclass(frozen=True)
class PendingDetails:
    """氏名・住所の変更, pending for one clerk; ``details`` is the whole new record."""

    household: str | None
    changed: tuple[str, ...]
    details: dict[str, str | date | None]


@dataclass(frozen=True)
class WorkItem:
    """The person must be asked (a 転入: joining NHI?) by ``due_date``."""

    due_date: date
    household: str | None


@dataclass(frozen=True)
class Review:
    """For a clerk to look at: ``reason_code`` names the rule, ``reason`` says it in words."""

    reason_code: str
    reason: str


@dataclass(frozen=True)
class AlreadySo:
    """Our record already says what the change says: nothing to do."""

    reason: str


Routing = PendingLoss | PendingDetails | WorkItem | Review | AlreadySo


def due_date(change: RegisterChange, due_days: int) -> date:
    """The notification period counts from the day after the fact (初日不算入): a person who
    moved in on day D must notify by D + ``due_days``."""
    return change.fact_date + timedelta(days=due_days)


def route(change: RegisterChange, known: Known, due_days: int) -> Routing:
    if change.notified_date < change.fact_date:
        return Review("notified-before-fact", "届出日が異動日より前です")
    if change.kind in ("moved_in", "birth"):
        if known.insured:
            return Review(
                "already-insured",
                f"既に国保世帯 {known.household} の被保険者です ({change.kind} と矛盾)",
            )
        return WorkItem(due_date(change, due_days), None)
    if not known.known:
        return Review("unknown-person", "宛名番号の者が国保の記録にありません")
    if change.kind in ("death", "moved_out"):
        return _loss(change, known)
    if change.kind == "household_changed":
        return WorkItem(due_date(change, due_days), known.household)
    return _details(change, known)


def _loss(change: RegisterChange, known: Known) -> Routing:
    if known.household is None or known.acquisition_date is None:
        return Review(
            "not-insured",
            f"国保の資格がありません (最終喪失日 {known.last_loss_date})",
        )
    if change.fact_date < known.acquisition_date:
        return Review(
            "fact-before-acquisition",
            f"異動日 {change.fact_date} が資格取得日 {known.acquisition_date} より前です",
        )
    if change.kind == "moved_out" and known.special_cases:
        return Review(
            "special-case-active",
            f"特例 ({', '.join(sorted(known.special_cases))}) の被保険者の転出: 資格は続きます",
        )
    reason: Literal["death", "moved_out"] = "death" if change.kind == "death" else "moved_out"
    return PendingLoss(known.household, reason)


def _details(change: RegisterChange, known: Known) -> Routing:
    if known.details is None:
        return Review("no-details-held", "氏名・住所の記録がありません")
    allowed = CHANGEABLE[change.kind]
    given: dict[str, str | date | None] = {
        k: v for k, v in change.details.items() if k in DETAIL_FIELDS
    }
    contradicting = sorted(
        k for k, v in given.items() if k not in allowed and v != known.details.get(k)
    )
    if contradicting:
        return Review(
            "contradicts-record",
            f"{', '.join(contradicting)} が記録と異なります ({change.kind} では変わりません)",
        )
    changed = tuple(k for k in DETAIL_FIELDS if k in given and given[k] != known.details.get(k))
    if not changed:
        return AlreadySo("記録と同じです")
    return PendingDetails(known.household, changed, {**known.details, **given})
