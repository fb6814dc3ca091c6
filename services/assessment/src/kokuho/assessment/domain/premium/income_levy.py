"""所得割 and 資産割 (rules.md 2.1, 5b).

所得割 = (総所得金額等 − 基礎控除) × 所得割率, on 旧ただし書き所得; a 非自発的失業者 counts
給与所得 × 30/100 (parameter ``involuntary_unemployment.salary_income_factor``).
A 旧被扶養者 pays no 所得割; the 産前産後 months exempt 所得割 and 資産割. 資産割 = 固定資産税額
× 資産割率 where the city uses it. Each is summed over the members and cut to the yen.
"""

from __future__ import annotations

from decimal import Decimal

from kokuho.assessment.domain.household import Person
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.assessment.domain.premium.city_reductions import apply_city_reductions
from kokuho.assessment.domain.premium.explanation import LevyLine, Reduction
from kokuho.assessment.domain.premium.levying import Levying
from kokuho.assessment.domain.premium.rounding import ONE, ZERO, floor_to


def salary_income(person: Person, unemployed: bool, params: PremiumParameters) -> int:
    if unemployed:
        return floor_to(person.income.salary_income * params.unemployment_salary_factor)
    return person.income.salary_income


def levy_income(person: Person, unemployed: bool, params: PremiumParameters) -> int:
    """総所得金額等 as the 所得割 base sees it (before the basic deduction)."""
    inc = person.income
    return salary_income(person, unemployed, params) + inc.pension_income + inc.other_income


def _notes(lv: Levying, p: Person, unemployed: bool, income: int) -> tuple[str, ...]:
    if not lv.explain:
        return ()
    params = lv.params
    notes: list[str] = []
    if unemployed:
        notes.append(
            f"involuntary_unemployment: salary_income {p.income.salary_income} × "
            f"{params.unemployment_salary_factor} = {salary_income(p, True, params)}"
        )
    notes.append(f"total_income {income} − basic_deduction {params.basic_deduction}")
    return tuple(notes)


def _income_levy(lv: Levying, a: str) -> Decimal:
    """One member's 所得割 before rounding, with its line."""
    p = lv.people[a]
    unemployed = a in lv.state.unemployed
    income = levy_income(p, unemployed, lv.params)
    base = max(0, income - lv.params.basic_deduction)
    gross = base * lv.rates.income_rate
    net = gross
    reductions: list[Reduction] = []
    if a in lv.state.former_dependant and net:
        reductions.append(Reduction("former_dependant", ONE, net))
        net = ZERO
    net = apply_city_reductions(
        lv.params.city_reductions,
        lv.rates.component,
        "income",
        p,
        lv.params.fiscal_year,
        net,
        reductions,
    )
    if lv.exempt_for_childbirth(a) and net:
        reductions.append(Reduction("childbirth", ONE, net))
        net = ZERO
    if lv.explain:  # the batch keeps no explanation: build none
        lv.lines.append(
            LevyLine(
                "income_levy",
                a,
                base,
                lv.rates.income_rate,
                gross,
                tuple(reductions),
                net,
                _notes(lv, p, unemployed, income),
            )
        )
    return net


def _asset_levy(lv: Levying, a: str) -> Decimal:
    """One member's 資産割 before rounding, with its line."""
    tax = lv.people[a].income.fixed_asset_tax
    gross = tax * lv.rates.asset_rate
    net = gross
    reductions: list[Reduction] = []
    if lv.exempt_for_childbirth(a) and net:
        reductions.append(Reduction("childbirth", ONE, net))
        net = ZERO
    if lv.explain:  # the batch keeps no explanation: build none
        lv.lines.append(
            LevyLine("asset_levy", a, tax, lv.rates.asset_rate, gross, tuple(reductions), net)
        )
    return net


def _figures(lv: Levying) -> tuple[int, int]:
    """:func:`income_and_asset_levies` without its lines (the batch, ADR 0108): the same
    figures (test_premium_fast_path.py), each member's 所得割 as its base × rate in one
    Decimal product (exact, as in :func:`_income_levy`) only where a city reduction takes a
    share of it; the others' bases summed in integers and multiplied once. 産前産後 and 旧被扶養者
    members pay none. 資産割 likewise on 固定資産税額."""
    params, rates, state = lv.params, lv.rates, lv.state
    basic, factor = params.basic_deduction, params.unemployment_salary_factor
    childbirth = state.childbirth_exempt if rates.childbirth_exemption_applies else ()
    former, unemployed = state.former_dependant, state.unemployed
    city = [r for r in params.city_reductions if r.levy == "income"]
    income_rate, asset_rate = rates.income_rate, rates.asset_rate
    bases = taxes = 0
    reduced = ZERO
    for a in lv.liable:
        if a in childbirth:
            continue
        p = lv.people[a]
        inc = p.income
        taxes += inc.fixed_asset_tax
        if a in former:
            continue
        salary = inc.salary_income
        if a in unemployed:
            salary = floor_to(salary * factor)
        base = salary + inc.pension_income + inc.other_income - basic
        if base <= 0:
            continue
        if city:
            net = apply_city_reductions(
                params.city_reductions,
                rates.component,
                "income",
                p,
                params.fiscal_year,
                base * income_rate,
                [],
            )
            reduced += net
        else:
            bases += base
    income = floor_to(bases * income_rate + reduced) if bases or reduced else 0
    asset = floor_to(taxes * asset_rate) if asset_rate and taxes else 0
    return income, asset


def income_and_asset_levies(lv: Levying) -> tuple[int, int]:
    """所得割 and 資産割 of the liable members, each summed and cut to the yen; the lines
    alternate per member (所得割, then 資産割 where the city uses it)."""
    if not lv.explain:
        return _figures(lv)
    income_nets: list[Decimal] = []
    asset_nets: list[Decimal] = []
    for a in lv.liable:
        income_nets.append(_income_levy(lv, a))
        if lv.rates.asset_rate:
            asset_nets.append(_asset_levy(lv, a))
    return floor_to(sum(income_nets, ZERO)), floor_to(sum(asset_nets, ZERO))
