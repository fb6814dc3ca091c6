"""料率改定試算 (ADR 0039): the tallies per parameter set (levy per component, caps, 7/5/2割
levels, deciles, difference against the current rates), candidates built from city figures
and refused by name, and the use case on the in-memory unit."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from datetime import date

import pytest

from kokuho.assessment.adapters import simulation_workers
from kokuho.assessment.adapters.memory import InMemoryAssessmentUnit
from kokuho.assessment.adapters.simulation_workers import worker_processes
from kokuho.assessment.app.ports import HouseholdRow, MemberRow
from kokuho.assessment.app.rate_simulation import (
    CandidateNamesRepeated,
    RateSimulationIn,
    candidates_of,
    in_this_process,
    simulate_year,
)
from kokuho.assessment.bootstrap import CityRulebook
from kokuho.assessment.domain.errors import ParametersIncomplete
from kokuho.assessment.domain.household import Household, Income, Person
from kokuho.assessment.domain.income_file import IncomeRecord
from kokuho.assessment.domain.premium import assess
from kokuho.assessment.domain.rate_simulation import RateSimulation, assess_part, deciles

RULES = CityRulebook("hiroshima", None)


def one_person(number: str, salary: int, birth: date = date(1980, 5, 5)) -> Household:
    income = Income(salary_revenue=salary + 1_000_000 if salary else 0, salary_income=salary)
    return Household(number, f"P{number}", (Person(f"P{number}", birth, income),))


def test_deciles_nearest_rank() -> None:
    assert deciles([]) == {}
    values = list(range(1, 11))  # 1..10
    d = deciles(values)
    assert (d["min"], d["p10"], d["p50"], d["p90"], d["max"]) == (1, 1, 5, 9, 10)
    assert deciles([7])["p10"] == deciles([7])["p90"] == 7
    d = deciles(list(range(1, 101)))
    assert (d["p10"], d["p20"], d["p90"]) == (10, 20, 90)


def test_tallies_and_difference() -> None:
    current = RULES(2025)
    higher = RULES.candidate(2025, "higher", {"components.medical.income_rate": "0.0900"})
    lower_cap = RULES.candidate(2025, "low-cap", {"components.medical.cap": 500_000})
    households = [
        one_person("0000000001", 0),  # no income: 7割
        one_person("0000000002", 1_000_000),
        one_person("0000000003", 20_000_000),  # well above every cap
        Household("0000000004", "X", (Person("X", date(1980, 1, 1), loss_date=date(2025, 4, 1)),)),
    ]
    sim = RateSimulation.of(current, [("higher", higher), ("low-cap", lower_cap)])
    for h in households:
        sim.feed(h)
    out = sim.summary()
    assert out["households"] == 3
    assert out["not_in_year"] == 1  # lost on April 1: no insured month
    expected = [assess(h, current, explain=False).total for h in households[:3]]
    assert out["current"]["total"] == sum(expected)
    assert out["current"]["households_per_reduction"] == {"7割": 1, "5割": 0, "2割": 0, "none": 2}
    assert out["current"]["households_at_cap"]["medical"] == 1
    assert out["current"]["deciles"]["max"] == max(expected)
    higher_out, low_cap_out = out["candidates"]
    # a higher 所得割率 raises the one with income below the cap; the 7割 one pays no 所得割
    assert higher_out["difference"]["households_up"] == 1
    assert higher_out["difference"]["households_unchanged"] == 2
    assert higher_out["difference"]["per_component"]["elderly_support"] == 0
    assert higher_out["difference"]["total"] == higher_out["total"] - out["current"]["total"]
    assert low_cap_out["difference"]["largest_decrease"] == 500_000 - 660_000
    assert low_cap_out["difference"]["households_down"] == 1


def test_a_candidate_is_refused_by_name() -> None:
    with pytest.raises(ParametersIncomplete, match=r"components\.medical\.colour: not a figure"):
        RULES.candidate(2025, "bad", {"components.medical.colour": 1})
    with pytest.raises(ParametersIncomplete, match="must be a decimal string"):
        RULES.candidate(2025, "bad", {"components.medical.income_rate": 0.09})
    with pytest.raises(ParametersIncomplete, match="above the statutory cap"):
        RULES.candidate(2025, "bad", {"components.medical.cap": 700_000})
    # a value of the wrong shape is refused, never an error of the service
    for figures in (
        {"conventions.rounding_level": [{"a": 1}]},
        {"conventions.reduced_levy_rounding": True},
        {
            "city_reductions": [
                {
                    "name": "x",
                    "components": ["medical"],
                    "levy": "income",
                    "ratio": "NaN",
                    "attribute": "age",
                    "age_to": 18,
                }
            ]
        },
        {"city_reductions": "none"},
        {"instalments.closed_days": [{"a": 1}]},
        {"components.medical.per_capita": [{"a": 1}]},
    ):
        with pytest.raises(ParametersIncomplete):
            RULES.candidate(2025, "bad", figures)


def test_a_candidate_derives_the_specified_amounts_again() -> None:
    c = RULES.candidate(2025, "x", {"components.medical.per_household": 30_001})
    medical = c.components[0]
    assert (medical.specified_per_household, medical.specified_continuing_per_household) == (
        15_001,
        22_501,
    )


def test_candidate_names() -> None:
    body = RateSimulationIn.model_validate(
        {
            "fiscal_year": 2025,
            "candidates": [
                {"name": "a", "figures": {"components.medical.per_capita": 1}},
                {"name": "a", "figures": {"components.medical.per_capita": 2}},
            ],
        }
    )
    with pytest.raises(CandidateNamesRepeated):
        candidates_of(RULES, body)


async def city_of(households: int) -> InMemoryAssessmentUnit:
    """``households`` one-person households with FY2024 salaries of 0, 1, 2, ... million yen."""
    uow = InMemoryAssessmentUnit()
    for i in range(households):
        number = f"{i:010d}"
        person = f"P{number}"
        uow.store.households[number] = HouseholdRow(
            number, person, members=(MemberRow(person, date(1980, 5, 5)),)
        )
        await uow.store.write_incomes(
            [
                IncomeRecord(
                    person,
                    2024,
                    date(1980, 5, 5),
                    Income(salary_revenue=1_000_000 * i + 1, salary_income=1_000_000 * i),
                    "taxable",
                )
            ],
            source="tax_file",
            import_id=None,
            channel=None,
            actor="test",
        )
    return uow


async def test_the_use_case_reads_every_household_and_audits_once() -> None:
    uow = await city_of(5)
    body = RateSimulationIn.model_validate(
        {
            "fiscal_year": 2025,
            "candidates": [{"name": "up", "figures": {"components.medical.per_capita": 40_000}}],
        }
    )
    current, candidates = candidates_of(RULES, body)
    out = await simulate_year(uow, 2025, current, candidates, chunk=2)  # three chunks
    assert out.households == 5
    assert out.candidates[0]["difference"]["households_up"] == 5
    # 均等割 +9,867 per member, less the 7/5/2割 of the low incomes, cut to 100円
    assert out.candidates[0]["difference"]["per_component"]["medical"] > 0
    assert len(uow.audit.records) == 1  # type: ignore[attr-defined]
    assert uow.audit.records[0]["detail"]["households"] == 5  # type: ignore[attr-defined]


def test_assess_each_is_assess_per_set() -> None:
    """The shared month states and judgement change nothing: every synthetic household under
    three sets (two of one year, sharing them) gives what assess gives set by set."""
    from kokuho.assessment.domain.premium import assess_each
    from kokuho.assessment.synthetic import population

    heads, members, incomes = population(300, 2025, seed=13)
    income_of = {
        r[0]: Income(
            salary_revenue=r[4],
            salary_income=r[5],
            pension_revenue=r[6],
            pension_income=r[7],
            other_income=r[8],
        )
        for r in incomes
    }
    people: dict[str, list[Person]] = {}
    for number, addressee, birth, joins in members:
        people.setdefault(number, []).append(
            Person(addressee, birth, income_of[addressee], acquisition_date=joins)
        )
    sets = [
        RULES(2025),
        RULES.candidate(2025, "x", {"components.medical.per_household": 40_000}),
        RULES(2026),
    ]
    for number, head, _ in heads:
        household = Household(number, head, tuple(people[number]))
        each = assess_each(household, sets)
        assert each == [assess(household, p, explain=False) for p in sets]


def test_the_summary_is_exact() -> None:
    """Every figure of the summary against assess() household by household (mutation testing
    found the keys, the sums and the defaults untested)."""
    current = RULES(2025)
    candidate = RULES.candidate(2025, "c", {"components.medical.cap": 500_000})
    households = [
        one_person("0000000001", 0),
        one_person("0000000002", 2_000_000),
        one_person("0000000003", 20_000_000),
        one_person("0000000004", 30_000_000, birth=date(1970, 1, 1)),
    ]
    sim = RateSimulation.of(current, [("c", candidate)])
    for h in households:
        sim.feed(h)
    out = sim.summary()
    before = [assess(h, current, explain=False) for h in households]
    after = [assess(h, candidate, explain=False) for h in households]

    def levy(results: list) -> dict[str, int]:  # type: ignore[type-arg]
        total: dict[str, int] = {}
        for r in results:
            for c in r.components:
                total[c.component.value] = total.get(c.component.value, 0) + c.amount
        return total

    totals = [r.total for r in before]
    assert out["current"] == {
        "name": "current",
        "parameter_documents": list(current.documents),
        "total": sum(totals),
        "levy_per_component": levy(before),
        "households_at_cap": {"medical": 2, "elderly_support": 2, "long_term_care": 2},
        "households_per_reduction": {"7割": 1, "5割": 0, "2割": 0, "none": 3},
        "deciles": deciles(totals),
        "mean": sum(totals) // 4,
    }
    changes = [b.total - a.total for a, b in zip(before, after, strict=True)]
    assert changes == [0, 0, -160_000, -160_000]
    assert out["candidates"][0]["difference"] == {
        "total": -320_000,
        "per_component": {k: levy(after)[k] - levy(before)[k] for k in sorted(levy(before))},
        "households_up": 0,
        "households_down": 2,
        "households_unchanged": 2,
        "largest_increase": 0,
        "largest_decrease": -160_000,
        "change_deciles": deciles(changes),
    }
    assert out["candidates"][0]["name"] == "c"


def test_an_empty_simulation() -> None:
    out = RateSimulation.of(RULES(2025), [("c", RULES(2025))]).summary()
    assert out["current"]["mean"] == 0
    assert out["current"]["deciles"] == {}
    difference = out["candidates"][0]["difference"]
    assert (difference["largest_increase"], difference["largest_decrease"]) == (0, 0)


def test_deciles_of_a_thousand() -> None:
    d = deciles(list(range(1, 1001)))
    assert [d[f"p{p}"] for p in range(10, 100, 10)] == list(range(100, 1000, 100))


def test_households_left_out_are_counted() -> None:
    sim = RateSimulation.of(RULES(2025), [("c", RULES(2025))])
    gone = Person("X", date(1980, 1, 1), loss_date=date(2025, 4, 1))
    for number in ("0000000001", "0000000002"):
        sim.feed(Household(number, "X", (gone,)))  # no insured month in the year
        sim.feed(Household(number, "NOBODY", (Person("X", date(1980, 1, 1)),)))  # invalid
    for number, salary in (("0000000003", 0), ("0000000004", 1_000_000), ("0000000005", 0)):
        sim.feed(one_person(number, salary))
    out = sim.summary()
    assert (out["households"], out["not_in_year"]) == (3, 2)
    assert out["refused"] == {"HouseholdInvalid": 2}
    totals = [
        assess(one_person("1", s), RULES(2025), explain=False).total for s in (0, 1_000_000, 0)
    ]
    assert sum(totals) % 3  # the mean is cut to the yen
    assert out["current"]["mean"] == sum(totals) // 3
    assert isinstance(out["current"]["mean"], int)


def test_parts_absorbed_in_order_are_the_households_fed_one_by_one() -> None:
    """What workers return (a part per chunk) adds up to feeding every household in order:
    the premiums keep their order (the differences pair households), the counts add."""
    current, candidate = RULES(2025), RULES.candidate(2025, "c", {"components.medical.cap": 1})
    gone = Household(
        "0000000099", "X", (Person("X", date(1980, 1, 1), loss_date=date(2025, 4, 1)),)
    )
    invalid = Household("0000000098", "NOBODY", (Person("X", date(1980, 1, 1)),))
    households = [one_person(f"{i:010d}", 700_000 * i) for i in range(7)]
    households[2:2] = [gone, invalid]
    one_by_one = RateSimulation.of(current, [("c", candidate)])
    for h in households:
        one_by_one.feed(h)
    in_parts = RateSimulation.of(current, [("c", candidate)])
    for start in (0, 3, 6):
        in_parts.absorb(assess_part([current, candidate], households[start : start + 3]))
    assert in_parts.summary() == one_by_one.summary()
    assert (in_parts.households, in_parts.not_in_year, dict(in_parts.refused)) == (
        7,
        1,
        {"HouseholdInvalid": 1},
    )
    assert in_parts.sets[0].tally.premiums == [
        assess(h, current, explain=False).total for h in households if h not in (gone, invalid)
    ]


async def test_worker_processes_answer_what_this_process_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Chunks assessed in two spawned workers (ADR 0051) give the same answer, figure by
    figure, as the request's own process; chunks finish in any order but are tallied as read."""
    pools: list[ProcessPoolExecutor] = []

    class Pool(ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            pools.append(self)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(simulation_workers, "ProcessPoolExecutor", Pool)
    current = RULES(2025)
    body = RateSimulationIn.model_validate(
        {
            "fiscal_year": 2025,
            "candidates": [{"name": "cap", "figures": {"components.medical.cap": 300_000}}],
        }
    )
    current, candidates = candidates_of(RULES, body)
    here = await simulate_year(await city_of(23), 2025, current, candidates, chunk=4)
    workers = await simulate_year(
        await city_of(23), 2025, current, candidates, chunk=4, assessors=worker_processes(2)
    )
    assert len(pools) == 6  # every chunk went to the workers
    assert workers.model_dump() == here.model_dump()
    assert here.households == 23
    assert here.candidates[0]["difference"]["households_down"] > 0


def test_worker_counts() -> None:
    assert worker_processes(1) is in_this_process
    with pytest.raises(ValueError, match="at least one worker"):
        worker_processes(0)
