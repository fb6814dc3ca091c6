"""差押禁止額 of wages (国税徴収法76条1項, applied by 地方税法の例 to 国保料 after 督促; rules.md
§4.1 ✅ for the 滞納処分の例): from the month's pay are exempt the income tax, the resident tax and
the social insurance withheld, a living amount (本人 and each 生計を一にする親族, 施行令34条),
and 20% of what is left, at most twice the living amount. The figures are a parameter file's."""

from __future__ import annotations

from kokuho.delinquency.domain.parameters import WageExemption


def seizable_wage(
    gross: int,
    income_tax: int,
    resident_tax: int,
    social_insurance: int,
    dependants: int,
    rule: WageExemption,
) -> int:
    """The yen of one month's wage that may be seized."""
    living = rule.base + rule.per_dependant * dependants
    left = gross - income_tax - resident_tax - social_insurance - living
    if left <= 0:
        return 0
    share = min(left * rule.rate_percent // 100, living * rule.rate_cap_multiple)
    return left - share
