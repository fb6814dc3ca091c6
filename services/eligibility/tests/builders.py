"""Synthetic request bodies for the eligibility tests (made-up people)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

_numbers = itertools.count(1_500_000_001)
ID = {"method": "mn_card"}


def addressee() -> str:
    return f"{next(_numbers):010d}"


def details(birth: date, name: str = "試験　太郎", kana: str = "シケン　タロウ") -> dict[str, Any]:
    return {
        "name": name,
        "name_kana": kana,
        "sex": "male",
        "birth_date": birth.isoformat(),
        "postal_code": "730-0011",
        "address": "広島市中区基町1丁目1-1",
        "phone": "082-000-0000",
    }


def member(
    number: str,
    *,
    relationship: str = "householder",
    reason: str = "moved_in",
    fact: date,
    birth: date = date(1985, 6, 1),
    notified: date | None = None,
) -> dict[str, Any]:
    return {
        "addressee_number": number,
        "reason": reason,
        "fact_date": fact.isoformat(),
        "notification_date": (notified or fact).isoformat(),
        "relationship": relationship,
        "details": details(birth),
    }


def move_in(head: str, *others: str, fact: date | None = None) -> dict[str, Any]:
    day = fact or date.today() - timedelta(days=3)
    members = [member(head, fact=day)]
    members += [member(o, relationship="child", fact=day, birth=date(2015, 3, 3)) for o in others]
    return {
        "householder_addressee_number": head,
        "members": members,
        "identity_verification": ID,
    }
