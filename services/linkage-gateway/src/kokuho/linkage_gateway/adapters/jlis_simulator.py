"""Stand-in for the J-LIS authenticity check (真正性確認) of individual numbers.

The real check asks the national identity service whether the number was issued. The
simulator confirms every well-formed number except those it was told are not issued, which
is how tests exercise a refusal.
"""

from __future__ import annotations

from kokuho.linkage_gateway.app.ports import Authenticity
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber


class JlisSimulator:
    def __init__(self) -> None:
        self._not_issued: set[str] = set()
        self.calls = 0

    def mark_not_issued(self, number: IndividualNumber) -> None:
        self._not_issued.add(number.value)

    async def confirm(self, number: IndividualNumber) -> Authenticity:
        self.calls += 1
        if number.value in self._not_issued:
            return Authenticity(False, "J-LIS reports the number as not issued")
        return Authenticity(True)
