"""Statistics of the delinquency file on a fixed data set (DLQ-307-313): arrears by fiscal
year, current/past, stage, ward and officer, with the collection rate; watching and untracked
cases are not counted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kokuho.delinquency.domain.model import Arrear, Case
from kokuho.delinquency.domain.statistics import Line, fiscal_year_of, statistics

TODAY = date(2026, 12, 1)  # in FY2026


def arrear(fy: int, principal: int, paid: int = 0, written_off: int = 0) -> Arrear:
    return Arrear(
        fiscal_year=fy,
        period=1,
        due_date=date(fy, 6, 30),
        principal=principal,
        designated_deadline=date(fy, 7, 31),
        paid=paid,
        written_off=written_off,
    )


CASES = [
    Case(
        "9900000001", "open", "negotiation", officer="A", ward="中区",
        arrears=(arrear(2025, 30_000, paid=10_000), arrear(2026, 20_000)),
    ),
    Case(
        "9900000002", "closed", "seizure", officer="B", ward="南区",
        arrears=(arrear(2025, 40_000, paid=30_000, written_off=10_000),),
    ),
    Case("9900000003", "open", "reminder", officer=None, ward=None, arrears=(arrear(2026, 5_000),)),
    # not counted: only watched (the deadline has not passed) or never tracked
    Case("9900000004", "watching", None, arrears=(arrear(2026, 99_999),)),
    Case("9900000005", "untracked"),
]  # fmt: skip


def lines(dimension: str) -> dict[str, Line]:
    return {x.key: x for x in statistics(CASES, TODAY) if x.dimension == dimension}


def test_by_fiscal_year_with_the_collection_rate() -> None:
    by_year = lines("fiscal_year")
    assert by_year["2025"] == Line("fiscal_year", "2025", 2, 70_000, 40_000, 10_000, 20_000)
    assert by_year["2026"] == Line("fiscal_year", "2026", 2, 25_000, 0, 0, 25_000)
    assert by_year["2025"].rate_percent == Decimal("57.1")  # 40,000 / 70,000, half up
    assert by_year["2026"].rate_percent == Decimal("0.0")


def test_current_and_past_years_stages_wards_and_officers() -> None:
    assert {k: (x.cases, x.outstanding) for k, x in lines("period_class").items()} == {
        "current": (2, 25_000),
        "past": (2, 20_000),
    }
    assert {k: x.cases for k, x in lines("stage").items()} == {
        "negotiation": 1,
        "reminder": 1,
        "seizure": 1,
    }
    assert set(lines("ward")) == {"中区", "南区", "unknown"}
    assert {k: x.principal for k, x in lines("officer").items()} == {
        "A": 50_000,
        "B": 40_000,
        "unassigned": 5_000,
    }


def test_the_fiscal_year_turns_on_the_first_of_april() -> None:
    assert fiscal_year_of(date(2026, 3, 31)) == 2025
    assert fiscal_year_of(date(2026, 4, 1)) == 2026


def test_money_adds_up_in_every_dimension() -> None:
    for dimension in ("fiscal_year", "period_class", "stage", "ward", "officer"):
        rows = lines(dimension).values()
        assert sum(x.principal for x in rows) == 95_000
        assert sum(x.paid + x.written_off + x.outstanding for x in rows) == 95_000
