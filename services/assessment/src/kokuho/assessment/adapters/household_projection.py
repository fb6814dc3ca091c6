"""Households and members as eligibility publishes them, on PostgreSQL."""

from __future__ import annotations

from datetime import date

import asyncpg

from kokuho.assessment.adapters.rows import household_row, member_row
from kokuho.assessment.app.ports import HouseholdRow, MemberRow
from kokuho.events.contracts.eligibility import HouseholdCompositionChanged


class PostgresHouseholdProjection:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def load_household(self, nhi_household_number: str) -> HouseholdRow | None:
        head = await self.conn.fetchrow(
            "SELECT * FROM households WHERE nhi_household_number = $1", nhi_household_number
        )
        if head is None:
            return None
        rows = await self.conn.fetch(
            "SELECT * FROM household_members WHERE nhi_household_number = $1"
            " ORDER BY addressee_number",
            nhi_household_number,
        )
        return household_row(head, [member_row(r) for r in rows])

    async def households_after(self, after: str, size: int) -> list[HouseholdRow]:
        heads = await self.conn.fetch(
            "SELECT * FROM households WHERE nhi_household_number > $1"
            " ORDER BY nhi_household_number LIMIT $2",
            after,
            size,
        )
        numbers = [h["nhi_household_number"] for h in heads]
        members: dict[str, list[MemberRow]] = {n: [] for n in numbers}
        for r in await self.conn.fetch(
            "SELECT * FROM household_members WHERE nhi_household_number = ANY($1::text[])"
            " ORDER BY nhi_household_number, addressee_number",
            numbers,
        ):
            members[r["nhi_household_number"]].append(member_row(r))
        return [household_row(h, members[h["nhi_household_number"]]) for h in heads]

    async def birth_date_of(self, addressee_number: str) -> date | None:
        value = await self.conn.fetchval(
            "SELECT birth_date FROM household_members WHERE addressee_number = $1 LIMIT 1",
            addressee_number,
        )
        return value if isinstance(value, date) else None

    async def household(
        self, number: str, householder: str, deemed: bool, *, householder_changed: bool
    ) -> None:
        # 特定世帯 ends when the householder changes (rules.md 2.4)
        await self.conn.execute(
            "INSERT INTO households (nhi_household_number, householder_addressee_number,"
            " deemed_householder) VALUES ($1, $2, $3)"
            " ON CONFLICT (nhi_household_number) DO UPDATE SET"
            " householder_addressee_number = EXCLUDED.householder_addressee_number,"
            " deemed_householder = EXCLUDED.deemed_householder,"
            " specified_household_since = CASE WHEN $4 AND"
            "   households.householder_addressee_number <> EXCLUDED.householder_addressee_number"
            "   THEN NULL ELSE households.specified_household_since END,"
            " updated_at = now()",
            number,
            householder,
            deemed,
            householder_changed,
        )

    async def household_if_new(self, number: str, householder: str) -> None:
        await self.conn.execute(
            "INSERT INTO households (nhi_household_number, householder_addressee_number)"
            " VALUES ($1, $2) ON CONFLICT (nhi_household_number) DO NOTHING",
            number,
            householder,
        )

    async def member_acquired(
        self,
        number: str,
        addressee: str,
        birth_date: date,
        acquisition_date: date,
        former_dependant_since: date | None,
    ) -> None:
        await self.conn.execute(
            "INSERT INTO household_members (nhi_household_number, addressee_number, birth_date,"
            " acquisition_date, former_dependant_since) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (nhi_household_number, addressee_number) DO UPDATE SET"
            " birth_date = EXCLUDED.birth_date, acquisition_date = EXCLUDED.acquisition_date,"
            " loss_date = NULL, insured = true, specified_same_household = false,"
            " former_dependant_since = COALESCE(EXCLUDED.former_dependant_since,"
            "   household_members.former_dependant_since)",
            number,
            addressee,
            birth_date,
            acquisition_date,
            former_dependant_since,
        )

    async def member_lost(
        self, number: str, addressee: str, loss_date: date, remains_in_household: bool
    ) -> None:
        await self.conn.execute(
            "UPDATE household_members SET loss_date = $3 WHERE nhi_household_number = $1"
            " AND addressee_number = $2",
            number,
            addressee,
            loss_date,
        )

    async def qualification_corrected(
        self, number: str, addressee: str, acquisition_date: date, loss_date: date | None
    ) -> None:
        await self.conn.execute(
            "UPDATE household_members SET acquisition_date = $3, loss_date = $4"
            " WHERE nhi_household_number = $1 AND addressee_number = $2",
            number,
            addressee,
            acquisition_date,
            loss_date,
        )

    async def composition(self, event: HouseholdCompositionChanged) -> None:
        number = event.nhi_household_number
        await self.household(
            number,
            event.householder_addressee_number,
            event.deemed_householder,
            householder_changed=True,
        )
        if event.members:
            await self.conn.executemany(
                "INSERT INTO household_members (nhi_household_number, addressee_number,"
                " birth_date, acquisition_date, former_dependant_since)"
                " VALUES ($1, $2, $3, $4, $5)"
                " ON CONFLICT (nhi_household_number, addressee_number) DO UPDATE SET"
                " birth_date = EXCLUDED.birth_date, acquisition_date = EXCLUDED.acquisition_date,"
                " insured = true, specified_same_household = false,"
                " loss_date = NULL,"
                " former_dependant_since = COALESCE(household_members.former_dependant_since,"
                "   EXCLUDED.former_dependant_since)",
                [
                    (
                        number,
                        m.addressee_number,
                        m.birth_date,
                        m.acquisition_date,
                        m.acquisition_date if m.former_dependant else None,
                    )
                    for m in event.members
                ],
            )
        # insured members no longer listed left the household on the effective date, unless
        # a QualificationLost already gave their loss date
        await self.conn.execute(
            "UPDATE household_members SET loss_date = $3 WHERE nhi_household_number = $1"
            " AND insured AND loss_date IS NULL AND NOT (addressee_number = ANY($2::text[]))",
            number,
            [m.addressee_number for m in event.members],
            event.effective_date,
        )

    async def former_dependant(self, number: str, addressee: str, since: date | None) -> None:
        await self.conn.execute(
            "UPDATE household_members SET former_dependant_since = $3"
            " WHERE nhi_household_number = $1 AND addressee_number = $2",
            number,
            addressee,
            since,
        )

    async def care_exclusion(
        self, number: str, addressee: str, start: date, end: date | None, facility_kind: str
    ) -> None:
        # one period per start date: a later event about the same start replaces it
        await self.conn.execute(
            "UPDATE household_members SET care_exclusions = COALESCE("
            "  (SELECT jsonb_agg(p) FROM jsonb_array_elements(care_exclusions) p"
            "   WHERE p->>'start' <> $3::text), '[]'::jsonb)"
            " || jsonb_build_array(jsonb_build_object("
            "  'start', $3::text, 'end', $4::text, 'facility_kind', $5::text))"
            " WHERE nhi_household_number = $1 AND addressee_number = $2",
            number,
            addressee,
            start.isoformat(),
            None if end is None else end.isoformat(),
            facility_kind,
        )

    async def separation(self, number: str, addressee: str, separation_date: date) -> None:
        await self.conn.execute(
            "UPDATE household_members SET involuntary_separation_date = $3"
            " WHERE nhi_household_number = $1 AND addressee_number = $2",
            number,
            addressee,
            separation_date,
        )

    async def specified_member(
        self, number: str, addressee: str, since: date, until: date | None
    ) -> None:
        if until is None:
            # a 特定同一世帯所属者: counts as a head in the 7/5/2割 test, starts 特定世帯
            await self.conn.execute(
                "INSERT INTO household_members (nhi_household_number, addressee_number,"
                " birth_date, insured, specified_same_household)"
                " SELECT $1, $2, COALESCE((SELECT birth_date FROM household_members"
                "   WHERE nhi_household_number = $1 AND addressee_number = $2), DATE '1900-01-01'),"
                " false, true"
                " ON CONFLICT (nhi_household_number, addressee_number) DO UPDATE SET"
                " specified_same_household = true",
                number,
                addressee,
            )
            await self.conn.execute(
                "UPDATE households SET specified_household_since = COALESCE("
                " specified_household_since, $2) WHERE nhi_household_number = $1",
                number,
                since,
            )
        else:
            await self.conn.execute(
                "DELETE FROM household_members WHERE nhi_household_number = $1"
                " AND addressee_number = $2 AND specified_same_household AND NOT insured",
                number,
                addressee,
            )
            await self.conn.execute(
                "UPDATE household_members SET specified_same_household = false"
                " WHERE nhi_household_number = $1 AND addressee_number = $2",
                number,
                addressee,
            )

    async def birth_date_corrected(self, number: str, addressee: str, birth_date: date) -> None:
        await self.conn.execute(
            "UPDATE household_members SET birth_date = $3 WHERE nhi_household_number = $1"
            " AND addressee_number = $2",
            number,
            addressee,
            birth_date,
        )
