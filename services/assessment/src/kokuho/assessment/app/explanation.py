"""The assessment and its explanation as plain JSON-ready data (for the read model, the API
and the notice): per component and month segment, each member's levies with base, rate, every
reduction and the cap."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kokuho.assessment.domain.premium import (
    Assessment,
    ComponentResult,
    LevyLine,
    ReductionJudgement,
    Segment,
)


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def judgement_json(j: ReductionJudgement) -> dict[str, Any]:
    return {
        "level": j.level,
        "reference_date": j.reference_date.isoformat(),
        "judged_income": j.judged_income,
        "heads": j.heads,
        "earners": j.earners,
        "thresholds": {
            "seventy_percent": j.seventy_threshold,
            "fifty_percent": j.fifty_threshold,
            "twenty_percent": j.twenty_threshold,
        },
        "reason": j.reason,
    }


def line_json(line: LevyLine) -> dict[str, Any]:
    return {
        "levy": line.levy,
        "addressee_number": line.addressee_number,
        "base": line.base,
        "rate": _dec(line.rate),
        "gross": _dec(line.gross),
        "reductions": [
            {"name": r.name, "rate": _dec(r.rate), "amount": _dec(r.amount)}
            for r in line.reductions
        ],
        "net": _dec(line.net),
        "notes": list(line.notes),
    }


def segment_json(s: Segment) -> dict[str, Any]:
    return {
        "months": [f"{m.year:04d}-{m.month:02d}" for m in s.months],
        "statutory_reduction": judgement_json(s.judgement),
        "income_levy": s.income_levy,
        "asset_levy": s.asset_levy,
        "per_capita_levy": s.per_capita_levy,
        "per_household_levy": s.per_household_levy,
        "per_capita_reduction": s.per_capita_reduction,
        "per_household_reduction": s.per_household_reduction,
        "subtotal": s.subtotal,
        "rounded": s.rounded,
        "cap": s.cap,
        "capped": s.capped,
        "annual": s.annual,
        "lines": [line_json(x) for x in s.lines],
    }


def component_json(c: ComponentResult) -> dict[str, Any]:
    last = c.segments[-1]
    return {
        "component": c.component.value,
        "amount": c.amount,
        "months": c.months,
        "income_levy": last.income_levy,
        "asset_levy": last.asset_levy,
        "per_capita_levy": last.per_capita_levy,
        "per_household_levy": last.per_household_levy,
        "capped": any(s.capped for s in c.segments),
        "per_capita_reduction": c.per_capita_reduction,
        "per_household_reduction": c.per_household_reduction,
    }


def explanation_json(a: Assessment, documents: tuple[str, ...]) -> dict[str, Any]:
    return {
        "fiscal_year": a.fiscal_year,
        "city": a.city,
        "total_before_reduction_exemption": a.total,
        "insured_months": a.insured_months,
        "parameter_documents": list(documents),
        "components": [
            {**component_json(c), "segments": [segment_json(s) for s in c.segments]}
            for c in a.components
        ],
    }


def statutory_level(a: Assessment) -> int:
    """The 7/5/2割 level at the levy date (the first segment's judgement)."""
    if not a.components:
        return 0
    return a.components[0].segments[0].judgement.level
