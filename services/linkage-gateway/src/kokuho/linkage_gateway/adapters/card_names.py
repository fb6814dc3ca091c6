"""Inbox handler of eligibility's compacted personal-details topic: keeps only the names on
the card (for NHI-O in the federation file); a tombstone erases them."""

from __future__ import annotations

import asyncpg

from kokuho.events.contracts.eligibility import PersonalDetailsRecorded
from kokuho.events.runtime.consumer import Delivery


async def handle_personal_details(conn: asyncpg.Connection, delivery: Delivery) -> None:
    if delivery.event is None:
        if delivery.key:
            await conn.execute("DELETE FROM card_names WHERE addressee_number = $1", delivery.key)
        return
    event = delivery.event
    if not isinstance(event, PersonalDetailsRecorded):
        return
    await conn.execute(
        "INSERT INTO card_names (addressee_number, name, name_kana, as_of)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (addressee_number) DO UPDATE SET"
        " name = EXCLUDED.name, name_kana = EXCLUDED.name_kana, as_of = EXCLUDED.as_of,"
        " updated_at = now() WHERE card_names.as_of <= EXCLUDED.as_of",
        event.addressee_number,
        event.name,
        event.name_kana,
        event.as_of,
    )
