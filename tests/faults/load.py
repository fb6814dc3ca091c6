"""The counter's load: households registered, a member joining, the member leaving, each entered
by one clerk and confirmed by another (C-11) through eligibility's REST API.

Every command carries its own ``Idempotency-Key``. A command is retried with the same key and
body until it is acknowledged (2xx): after a refused connection, a 5xx, a timeout or a 409 for a
key still in flight. Any other answer is a refusal the suite reports as a failure.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from kokuho.platform.token import PrivateKey, mint_token

RETRYABLE = {409, 429, 500, 502, 503, 504}
ID = {"method": "mn_card"}
COMMANDS_PER_HOUSEHOLD = 6


def person(number: str, birth: str, *, reason: str, day: date, relationship: str) -> dict[str, Any]:
    return {
        "addressee_number": number,
        "reason": reason,
        "fact_date": day.isoformat(),
        "notification_date": day.isoformat(),
        "relationship": relationship,
        "details": {
            "name": "試験　花子" if relationship == "householder" else "試験　太郎",
            "name_kana": "シケン　ハナコ" if relationship == "householder" else "シケン　タロウ",
            "sex": "female" if relationship == "householder" else "male",
            "birth_date": birth,
            "postal_code": "730-0011",
            "address": "広島市中区基町1丁目1-1",
        },
    }


@dataclass
class Acked:
    """One acknowledged command: which household and change it made."""

    kind: str  # register, acquire, lose (entries) or confirm-<kind>
    change_id: str
    household: str | None
    person: str | None


@dataclass
class Load:
    base_url: str
    key: PrivateKey
    today: date
    run: int = field(default_factory=lambda: uuid.uuid4().int % 1000)
    sent: int = 0  # distinct commands started
    attempts: int = 0  # HTTP requests, retries included
    acked: list[Acked] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    last_ack: float = 0.0
    _next: int = 0

    def __post_init__(self) -> None:
        self.moved_in = self.today - timedelta(days=5)
        self.clerk_a, self.clerk_b = (
            {
                "Authorization": "Bearer "
                + mint_token(
                    self.key,
                    user_id=user,
                    roles=["eligibility.clerk"],
                    terminal_id="t1",
                    amr=("iccard",),
                    audience="kokuho.eligibility",
                    ttl_seconds=6 * 3600,
                )
            }
            for user in ("clerk-a", "clerk-b")
        )

    async def command(
        self, client: httpx.AsyncClient, path: str, body: dict[str, Any] | None, clerk: str
    ) -> dict[str, Any]:
        headers = (self.clerk_a if clerk == "a" else self.clerk_b) | {
            "Idempotency-Key": str(uuid.uuid4())
        }
        self.sent += 1
        delay = 0.2
        while True:
            self.attempts += 1
            try:
                r = await client.post(path, json=body, headers=headers, timeout=15)
            except httpx.HTTPError:
                r = None
            if r is not None and 200 <= r.status_code < 300:
                self.last_ack = time.monotonic()
                return dict(r.json())
            if r is not None and r.status_code not in RETRYABLE:
                self.refused.append(f"POST {path}: {r.status_code} {r.text[:300]}")
                raise Refused(self.refused[-1])
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 2.0)

    def numbers(self) -> tuple[str, str]:
        self._next += 1
        n = self._next
        return f"4{self.run:03d}{n:06d}", f"5{self.run:03d}{n:06d}"

    async def register(self, client: httpx.AsyncClient) -> tuple[str, str]:
        """Two commands: a household moves in (entered), a second clerk confirms it."""
        head, child = self.numbers()
        body = {
            "householder_addressee_number": head,
            "members": [
                person(
                    head,
                    "1980-05-05",
                    reason="moved_in",
                    day=self.moved_in,
                    relationship="householder",
                )
            ],
            "identity_verification": ID,
        }
        entered = await self.command(client, "/api/v1/households", body, "a")
        self.acked.append(Acked("register", entered["change_id"], None, head))
        confirmed = await self.confirm(client, entered["change_id"], "register", head)
        return str(confirmed["nhi_household_number"]), child

    async def canary(self, client: httpx.AsyncClient) -> str:
        """A household of its own after a fault: its arrival at assessment ends the recovery."""
        household, _ = await self.register(client)
        return household

    async def household(self, client: httpx.AsyncClient) -> str:
        """Six commands: register, confirm; a member joins, confirm; the member leaves, confirm."""
        household, child = await self.register(client)
        moved_in = self.moved_in
        joined = {
            "member": person(
                child, "2010-07-07", reason="moved_in", day=moved_in, relationship="child"
            ),
            "identity_verification": ID,
        }
        entered = await self.command(
            client, f"/api/v1/households/{household}/acquisitions", joined, "a"
        )
        self.acked.append(Acked("acquire", entered["change_id"], household, child))
        await self.confirm(client, entered["change_id"], "acquire", child, household)
        left = {
            "addressee_number": child,
            "reason": "moved_out",
            "fact_date": (self.today - timedelta(days=1)).isoformat(),
            "notification_date": self.today.isoformat(),
            "identity_verification": ID,
        }
        entered = await self.command(client, f"/api/v1/households/{household}/losses", left, "a")
        self.acked.append(Acked("lose", entered["change_id"], household, child))
        await self.confirm(client, entered["change_id"], "lose", child, household)
        return str(household)

    async def confirm(
        self,
        client: httpx.AsyncClient,
        change_id: str,
        kind: str,
        who: str,
        household: str | None = None,
    ) -> dict[str, Any]:
        out = await self.command(client, f"/api/v1/changes/{change_id}/confirm", None, "b")
        self.acked.append(
            Acked(f"confirm-{kind}", change_id, household or out.get("nhi_household_number"), who)
        )
        return out


class Refused(Exception):
    """The API refused a command with a status that is not retried (a 4xx but 409/429)."""
