"""The premium engine (保険料算定): what one NHI household owes for one fiscal year, and why.

One module per rule family (rules.md 2, 5b; ADR 0030):

- :mod:`.engine`: :func:`assess`, the household as a whole, segment by segment;
- :mod:`.months`: premium months, the state of each month, monthly proration (月割);
- :mod:`.statutory`: the reference date (賦課期日) and the 7/5/2割 reduction test (軽減判定);
- :mod:`.income_levy`: 所得割 and 資産割;
- :mod:`.fixed_levies`: 均等割 and 平等割 and their reductions (未就学児, 旧被扶養者,
  特定世帯, 産前産後, 子ども分 under 18);
- :mod:`.rounding`: cutting to the city's units, and the caps (賦課限度額);
- :mod:`.explanation`: the result and its levy lines.

All money is integer yen or :class:`~decimal.Decimal`; no binary float is ever involved.
"""

from kokuho.assessment.domain.premium.engine import assess, assess_each, validate
from kokuho.assessment.domain.premium.explanation import (
    STATUTORY_RATIOS,
    Assessment,
    ComponentResult,
    LevyLine,
    Reduction,
    ReductionJudgement,
    Segment,
)
from kokuho.assessment.domain.premium.rounding import ONE, ZERO, floor_to
from kokuho.assessment.domain.premium.statutory import judge_statutory_reduction, reference_date

__all__ = [
    "ONE",
    "STATUTORY_RATIOS",
    "ZERO",
    "Assessment",
    "ComponentResult",
    "LevyLine",
    "Reduction",
    "ReductionJudgement",
    "Segment",
    "assess",
    "assess_each",
    "floor_to",
    "judge_statutory_reduction",
    "reference_date",
    "validate",
]
