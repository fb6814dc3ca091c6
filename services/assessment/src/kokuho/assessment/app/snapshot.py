"""The inputs of an assessment as JSON, and back: the explanation can always be regenerated
from what was assessed (the annual run stores only these)."""

from __future__ import annotations

from datetime import date
from typing import Any

from kokuho.assessment.domain.household import Childbirth, Household, Income, Person

INCOME_FIELDS = (
    "salary_revenue",
    "salary_income",
    "pension_revenue",
    "pension_income",
    "other_income",
    "family_employee_deduction",
    "transfer_special_deduction",
    "fixed_asset_tax",
)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(value)


def household_json(h: Household, ratios: list[int]) -> dict[str, Any]:
    return {
        "nhi_household_number": h.nhi_household_number,
        "householder": h.householder,
        "specified_household_since": _day(h.specified_household_since),
        "reduction_exemption_ratios": list(ratios),
        "people": [
            {
                "addressee_number": p.addressee_number,
                "birth_date": p.birth_date.isoformat(),
                "insured": p.insured,
                "specified_same_household": p.specified_same_household,
                "acquisition_date": _day(p.acquisition_date),
                "loss_date": _day(p.loss_date),
                "former_dependant_since": _day(p.former_dependant_since),
                "childbirth_date": _day(p.childbirth.date if p.childbirth else None),
                "childbirth_multiple": bool(p.childbirth and p.childbirth.multiple),
                "involuntary_separation_date": _day(p.involuntary_separation_date),
                "care_exclusions": [[_day(s), _day(e)] for s, e in p.care_exclusions],
                "declared": p.income.declared,
                **{name: getattr(p.income, name) for name in INCOME_FIELDS},
            }
            for p in h.people
        ],
    }


def household_from_json(d: dict[str, Any]) -> tuple[Household, list[int]]:
    people = []
    for p in d["people"]:
        birth = _parse(p["childbirth_date"])
        people.append(
            Person(
                addressee_number=p["addressee_number"],
                birth_date=date.fromisoformat(p["birth_date"]),
                income=Income(declared=p["declared"], **{n: p[n] for n in INCOME_FIELDS}),
                insured=p["insured"],
                acquisition_date=_parse(p["acquisition_date"]),
                loss_date=_parse(p["loss_date"]),
                specified_same_household=p["specified_same_household"],
                former_dependant_since=_parse(p["former_dependant_since"]),
                childbirth=Childbirth(birth, p["childbirth_multiple"]) if birth else None,
                involuntary_separation_date=_parse(p["involuntary_separation_date"]),
                care_exclusions=tuple(
                    (date.fromisoformat(s), _parse(e)) for s, e in p.get("care_exclusions", [])
                ),
            )
        )
    household = Household(
        d["nhi_household_number"],
        d["householder"],
        tuple(people),
        _parse(d["specified_household_since"]),
    )
    return household, list(d.get("reduction_exemption_ratios", []))
