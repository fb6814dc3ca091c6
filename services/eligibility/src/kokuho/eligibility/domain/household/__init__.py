"""The household aggregate (国保世帯): ``decide(state, command, rules) -> events`` and
``evolve(state, event) -> state``. One stream per NHI household number.

One module per rule family: ``state`` (the aggregate), ``qualification`` (registration,
acquisition, loss), ``details`` (householder, relationship, personal details, correction),
``statuses`` (special cases, unemployment, retiree, former dependant), ``certificates`` (and
the 70-74 co-payment rate), ``moves`` (split and merge across two households),
``composition``, and the two dispatch tables in ``decide`` and ``evolve``."""

from kokuho.eligibility.domain.household.certificates import (
    LIMIT_KINDS,
    RECORD_KINDS,
    certificate_validity,
    issue_certificate,
)
from kokuho.eligibility.domain.household.composition import composition
from kokuho.eligibility.domain.household.decide import decide
from kokuho.eligibility.domain.household.evolve import evolve
from kokuho.eligibility.domain.household.moves import decide_merge, decide_split
from kokuho.eligibility.domain.household.qualification import (
    ACQUISITION_REASONS,
    ADVANCE_NOTICE,
    LOSS_REASONS,
    NO_NOTIFICATION,
    STAYS_IN_HOUSEHOLD,
    TO_LATE_ELDERLY,
)
from kokuho.eligibility.domain.household.state import Certificate, Household, Member, initial
from kokuho.eligibility.domain.household.statuses import RETIREE_KINDS

__all__ = [
    "ACQUISITION_REASONS",
    "ADVANCE_NOTICE",
    "LIMIT_KINDS",
    "LOSS_REASONS",
    "NO_NOTIFICATION",
    "RECORD_KINDS",
    "RETIREE_KINDS",
    "STAYS_IN_HOUSEHOLD",
    "TO_LATE_ELDERLY",
    "Certificate",
    "Household",
    "Member",
    "certificate_validity",
    "composition",
    "decide",
    "decide_merge",
    "decide_split",
    "evolve",
    "initial",
    "issue_certificate",
]
