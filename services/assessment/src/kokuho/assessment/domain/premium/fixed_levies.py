"""均等割 (per member) and 平等割 (per household), and the reductions taken off them, in order
(rules.md 2.2–2.5):

- 均等割: 子ども分 under 18 exempt (10割); the statutory 7/5/2割 reduction, or the 旧被扶養者
  halving where that is larger; then the 未就学児 reduction on what is left; 産前産後 months
  exempt; the city's reductions by member attribute after the statutory ones
  (:mod:`.city_reductions`). Reduced amounts are cut to the yen per member or on the
  household's sum.
- 平等割: the 特定世帯/特定継続世帯 amount; then the statutory reduction, or the 旧被扶養者
  halving where every liable member is one and that is larger.

Each levy also gives the yen the statutory 7/5/2割 reduction took off it (軽減額, the basis of
the 保険基盤安定負担金; ADR 0080): the members' cuts summed and cut to the yen on the household's
sum; the other reductions (未就学児, 旧被扶養者, 産前産後, the city's) are not part of it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from kokuho.assessment.domain.premium.city_reductions import apply_city_reductions
from kokuho.assessment.domain.premium.explanation import LevyLine, Reduction
from kokuho.assessment.domain.premium.levying import Levying
from kokuho.assessment.domain.premium.rounding import ONE, ZERO, floor_to, round_reduced


class Levied(NamedTuple):
    """A levy in whole yen and the yen its statutory 7/5/2割 reduction took off (軽減額)."""

    amount: int
    statutory_reduction: int


def _statutory(lv: Levying) -> tuple[Decimal, str]:
    ratio = lv.judgement.ratio if lv.rates.statutory_reductions_apply else ZERO
    return ratio, f"statutory_{lv.judgement.level}0_percent"


def _cut(net: Decimal, ratio: Decimal, name: str, reductions: list[Reduction]) -> Decimal:
    """Take ``ratio`` of ``net`` off, recording the reduction; nothing to take from nothing."""
    if ratio and net:
        cut = net * ratio
        reductions.append(Reduction(name, ratio, cut))
        net -= cut
    return net


def _statutory_cut(reductions: list[Reduction]) -> Decimal:
    return sum((r.amount for r in reductions if r.name.startswith("statutory_")), ZERO)


def _per_capita(lv: Levying, a: str) -> tuple[Decimal, Decimal]:
    """One member's 均等割 after its reductions and the statutory cut, with its line."""
    params, rates = lv.params, lv.rates
    timeline = lv.timelines[a]
    minor = timeline.minor
    amount = rates.per_capita + (rates.adult_per_capita if not minor else 0)
    gross = Decimal(amount)
    net = gross
    reductions: list[Reduction] = []
    if rates.under_18_per_capita_exempt and minor:
        reductions.append(Reduction("under_18", ONE, net))
        net = ZERO
    ratio, name = _statutory(lv)
    if (
        a in lv.state.former_dependant_halved
        and params.former_dependant_per_capita_reduction > ratio
    ):
        # 旧被扶養者 halving applies only where the statutory reduction is smaller
        ratio, name = params.former_dependant_per_capita_reduction, "former_dependant"
    net = _cut(net, ratio, name, reductions)
    if timeline.preschool and net:
        cut = net * params.preschool_reduction
        reductions.append(Reduction("preschool", params.preschool_reduction, cut))
        net -= cut
    net = apply_city_reductions(
        params.city_reductions,
        rates.component,
        "per_capita",
        lv.people[a],
        params.fiscal_year,
        net,
        reductions,
    )
    if lv.exempt_for_childbirth(a) and net:
        reductions.append(Reduction("childbirth", ONE, net))
        net = ZERO
    if lv.explain:  # the batch keeps no explanation: build none
        lv.lines.append(LevyLine("per_capita_levy", a, amount, None, gross, tuple(reductions), net))
    return net, _statutory_cut(reductions)


def _per_capita_figures(lv: Levying) -> Levied:
    """:func:`per_capita_levy` without its lines (the batch, ADR 0108): the same reductions in
    the same order on the same Decimals (test_premium_fast_path.py), without a Reduction
    per step; the statutory cut is the one reduction named ``statutory_*``, if any."""
    params, rates, state = lv.params, lv.rates, lv.state
    statutory = lv.judgement.ratio if rates.statutory_reductions_apply else ZERO
    halving = params.former_dependant_per_capita_reduction
    halved, city = state.former_dependant_halved, params.city_reductions
    childbirth = state.childbirth_exempt if rates.childbirth_exemption_applies else ()
    exempt_minors = rates.under_18_per_capita_exempt
    nets: list[Decimal] = []
    cuts = ZERO
    for a in lv.liable:
        timeline = lv.timelines[a]
        minor = timeline.minor
        if exempt_minors and minor:
            nets.append(ZERO)  # nothing left for a reduction to take
            continue
        net = Decimal(rates.per_capita + (0 if minor else rates.adult_per_capita))
        ratio, by_law = statutory, True
        if a in halved and halving > ratio:
            ratio, by_law = halving, False
        if ratio:
            cut = net * ratio
            if by_law:
                cuts += cut
            net -= cut
        if timeline.preschool and net:
            net -= net * params.preschool_reduction
        if city:
            net = apply_city_reductions(
                city, rates.component, "per_capita", lv.people[a], params.fiscal_year, net, []
            )
        # 産前産後 exempts what is left; the statutory cut before it still counts (軽減額)
        nets.append(ZERO if a in childbirth else net)
    return Levied(round_reduced(nets, params.conventions.reduced_levy_rounding), floor_to(cuts))


def per_capita_levy(lv: Levying) -> Levied:
    """均等割 of the liable members, cut to the yen by the city's method, and its 軽減額."""
    if not lv.explain:
        return _per_capita_figures(lv)
    levied = [_per_capita(lv, a) for a in lv.liable]
    return Levied(
        round_reduced([net for net, _ in levied], lv.params.conventions.reduced_levy_rounding),
        floor_to(sum((cut for _, cut in levied), ZERO)),
    )


def _specified_amount(lv: Levying) -> int | None:
    """平等割 of a 特定世帯 or 特定継続世帯, None for any other household."""
    return {
        "specified_household": lv.rates.specified_per_household,
        "specified_continuing_household": lv.rates.specified_continuing_per_household,
    }.get(lv.state.specified or "")


def _per_household_figures(lv: Levying) -> Levied:
    """:func:`per_household_levy` without its line (the batch, ADR 0108)."""
    rates, state = lv.rates, lv.state
    amount = rates.per_household
    special = _specified_amount(lv) if state.specified else None
    if special is not None and special < amount:
        amount = special
    ratio = lv.judgement.ratio if rates.statutory_reductions_apply else ZERO
    halving = lv.params.former_dependant_per_household_reduction
    halved = state.former_dependant_halved
    if halving > ratio and all(a in halved for a in lv.liable):
        return Levied(floor_to(amount - amount * halving), 0)
    if ratio and amount:
        cut = amount * ratio
        return Levied(floor_to(amount - cut), floor_to(cut))
    return Levied(amount, 0)


def per_household_levy(lv: Levying) -> Levied:
    """平等割 of the household after its reductions, cut to the yen, and its 軽減額."""
    if not lv.explain:
        return _per_household_figures(lv)
    params = lv.params
    household_amount = lv.rates.per_household
    reductions: list[Reduction] = []
    gross = Decimal(household_amount)
    net = gross
    special = _specified_amount(lv)
    if special is not None and special < household_amount:
        reductions.append(
            Reduction(str(lv.state.specified), None, Decimal(household_amount - special))
        )
        net = Decimal(special)
    ratio, name = _statutory(lv)
    if (
        set(lv.liable) <= set(lv.state.former_dependant_halved)
        and params.former_dependant_per_household_reduction > ratio
    ):
        ratio, name = params.former_dependant_per_household_reduction, "former_dependant"
    net = _cut(net, ratio, name, reductions)
    if lv.explain:  # the batch keeps no explanation: build none
        lv.lines.append(
            LevyLine(
                "per_household_levy", None, household_amount, None, gross, tuple(reductions), net
            )
        )
    return Levied(floor_to(net), floor_to(_statutory_cut(reductions)))
