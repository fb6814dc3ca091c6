"""What the premium engine is told about a household for one fiscal year.

Everything is plain facts: eligibility's dates, the tax system's previous-year income and the
decisions on applications (非自発的失業者, 産前産後, 旧被扶養者). The engine decides the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Income:
    """Previous calendar year's income of one person (NHI-A income items), in yen.

    ``other_income`` is the rest of 総所得金額等 (business, real estate, separately taxed gains
    after their special deductions, ...). The two deductions are added back for the 7/5/2割
    test only (専従者控除 and 譲渡所得特別控除 are not applied there, rules.md 2.3).
    ``declared`` is False when the person's income is unknown (no tax return and no 無所得申立):
    such a household gets no statutory reduction.
    """

    declared: bool = True
    salary_revenue: int = 0  # 給与収入
    salary_income: int = 0  # 給与所得
    pension_revenue: int = 0  # 公的年金等収入
    pension_income: int = 0  # 公的年金等に係る雑所得
    other_income: int = 0
    family_employee_deduction: int = 0  # 専従者控除
    transfer_special_deduction: int = 0  # 譲渡所得の特別控除
    fixed_asset_tax: int = 0  # 固定資産税額, the 資産割 base where a city uses it

    def __post_init__(self) -> None:
        amounts = (
            self.salary_revenue,
            self.salary_income,
            self.pension_revenue,
            self.pension_income,
            self.family_employee_deduction,
            self.transfer_special_deduction,
            self.fixed_asset_tax,
        )
        # the usual case in one pass (the annual run builds two or three a household); any
        # doubt falls through to the check by name, with its message
        if type(self.other_income) is int and all(type(v) is int and v >= 0 for v in amounts):
            return
        for name in (
            "salary_revenue",
            "salary_income",
            "pension_revenue",
            "pension_income",
            "other_income",
            "family_employee_deduction",
            "transfer_special_deduction",
            "fixed_asset_tax",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"{name} must be integer yen")
            if value < 0 and name not in {"other_income"}:
                raise ValueError(f"{name} must not be negative")


NO_INCOME = Income()


@dataclass(frozen=True)
class Childbirth:
    """出産 (85 days of pregnancy or more) notified for the 産前産後 exemption."""

    date: date  # the expected date, or the actual date once known
    multiple: bool = False  # 多胎


@dataclass(frozen=True)
class Person:
    """One person whose facts count: an insured member, the deemed householder (擬制世帯主,
    ``insured=False``) or a 特定同一世帯所属者 (``insured=False, specified_same_household=True``).

    ``acquisition_date``/``loss_date`` bound the premium months: from the month containing the
    acquisition to the month before the month containing the loss. None means "before the
    fiscal year" / "not lost".
    """

    addressee_number: str
    birth_date: date
    income: Income = NO_INCOME
    insured: bool = True
    acquisition_date: date | None = None
    loss_date: date | None = None
    specified_same_household: bool = False
    former_dependant_since: date | None = None  # 旧被扶養者: the date of acquisition as such
    childbirth: Childbirth | None = None
    involuntary_separation_date: date | None = None  # 離職日 of an approved 非自発的失業者
    #: 介護保険適用除外 (a facility excluded from long-term-care insurance): (start, end or
    #: None); no 介護分 from the month containing start to the month before the month
    #: containing end (the day of leaving), as premium months run (rules.md 5.1)
    care_exclusions: tuple[tuple[date, date | None], ...] = ()
    #: named facts a city reduction may ask for (e.g. ``disability``); see CityReduction
    attributes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Household:
    """The NHI household (国保世帯) as known for the fiscal year.

    ``specified_household_since`` is the date a member moved to 後期高齢者医療 leaving one
    insured member (特定世帯, then 特定継続世帯); the city clears it when the householder changes.
    """

    nhi_household_number: str
    householder: str  # addressee number of the 世帯主 (insured or deemed)
    people: tuple[Person, ...] = field(default_factory=tuple)
    specified_household_since: date | None = None

    def person(self, addressee_number: str) -> Person | None:
        for p in self.people:
            if p.addressee_number == addressee_number:
                return p
        return None
