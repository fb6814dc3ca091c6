"""The what-if (and the counter's 試算) from gross amounts: 所得 left out is worked out from
収入 and the conversion is in the explanation; the premium is the one the 所得 gives."""

from __future__ import annotations

from typing import Any

import pytest

from kokuho.assessment.app.what_if import WhatIfIn, premium_calculation
from kokuho.assessment.domain.parameters import PremiumParameters


def _body(income: dict[str, Any], birth: str = "1980-05-05") -> WhatIfIn:
    return WhatIfIn.model_validate(
        {
            "fiscal_year": 2025,
            "householder": "A",
            "people": [{"label": "A", "birth_date": birth, "income": income}],
        }
    )


def test_gross_salary_gives_the_premium_of_its_income(fy2025: PremiumParameters) -> None:
    gross = premium_calculation(_body({"salary_revenue": 3_600_000}), fy2025)
    net = premium_calculation(
        _body({"salary_revenue": 3_600_000, "salary_income": 2_440_000, "pension_income": 0}),
        fy2025,
    )
    assert gross.annual_amount == net.annual_amount
    steps = gross.explanation["income_conversion"]
    assert steps[0]["kind"] == "salary"
    assert steps[0]["income"] == 2_440_000
    assert steps[0]["deduction"] == 1_160_000
    assert "給与所得 2440000" in steps[0]["note"]
    assert net.explanation["income_conversion"] == []


def test_gross_pension_uses_the_age_at_the_end_of_the_income_year(
    fy2025: PremiumParameters,
) -> None:
    # born 1960-01-01: 65 on 2024-12-31, so the income year 2024 takes the 110万 deduction
    senior = premium_calculation(_body({"pension_revenue": 1_680_000}, "1960-01-01"), fy2025)
    younger = premium_calculation(_body({"pension_revenue": 1_680_000}, "1960-01-02"), fy2025)
    senior_step = senior.explanation["income_conversion"][-1]
    younger_step = younger.explanation["income_conversion"][-1]
    assert senior_step["income"] == 580_000
    assert younger_step["income"] == 1_680_000 * 3 // 4 - 275_000  # 985,000
    assert senior.annual_amount < younger.annual_amount


def test_salary_and_pension_take_the_adjustment(fy2025: PremiumParameters) -> None:
    out = premium_calculation(
        _body({"salary_revenue": 700_000, "pension_revenue": 1_300_000}), fy2025
    )
    kinds = [s["kind"] for s in out.explanation["income_conversion"]]
    assert kinds == ["salary", "pension", "salary_pension_adjustment"]
    adjustment = out.explanation["income_conversion"][-1]
    # 給与所得 150,000, 年金所得 700,000: min(150,000, 10万) + min(700,000, 10万) − 10万
    assert adjustment["deduction"] == 100_000
    assert adjustment["income"] == 50_000


@pytest.mark.parametrize("given", [{"salary_income": 1_000_000}, {"pension_income": 0}])
def test_a_given_income_is_used_as_given(fy2025: PremiumParameters, given: dict[str, int]) -> None:
    out = premium_calculation(_body({"salary_revenue": 3_600_000, **given}), fy2025)
    kinds = [s["kind"] for s in out.explanation["income_conversion"]]
    assert ("salary" in kinds) == ("salary_income" not in given)
