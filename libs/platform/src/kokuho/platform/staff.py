"""Who a staff id names (C-11 is about persons, not strings). Pure: standard library only, so
domain modules may use it.

A staff id reaches a service as the token's ``sub``, or, when another Kokuho service entered a
change on its own staff's confirmation, as ``<service>:<sub>`` (a federation difference
confirmed in linkage-gateway becomes ``linkage-gateway:<sub>`` in eligibility). Ids are
compared NFKC-normalised and case-folded, so ``Sato``, ``ＳＡＴＯ`` and ``linkage-gateway:sato``
are one person and cannot be both the first and the second pair of eyes.
"""

from __future__ import annotations

import unicodedata

#: The services whose staff ids may arrive prefixed with the service's name.
SERVICE_PREFIXES = (
    "eligibility:",
    "assessment:",
    "linkage-gateway:",
    "benefits:",
    "collection:",
    "delinquency:",
)


def staff_person(user_id: str) -> str:
    """The person a staff id names: a Kokuho service's prefix dropped (only those: an id that
    merely has a colon is kept whole), NFKC-normalised, case-folded."""
    for prefix in SERVICE_PREFIXES:
        if user_id.startswith(prefix):
            user_id = user_id[len(prefix) :]
            break
    return unicodedata.normalize("NFKC", user_id).strip().casefold()


def same_person(first: str, second: str) -> bool:
    return staff_person(first) == staff_person(second)
