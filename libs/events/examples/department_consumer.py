"""A department's consumer of its Kokuho feed: reads it from the beginning and records each
entry once, however often it is delivered (docs/consumers.md). Only aiokafka and asyncpg: a
department needs none of Kokuho's code. For the LTC Insurance Division's feed (transfer 5):

    KOKUHO_FEED_PASSWORD=... python libs/events/examples/department_consumer.py \\
        --bootstrap 127.0.0.1:59092 --user ltc-insurance-division \\
        --topic kokuho.feeds.ltc-insurance.eligibility \\
        --group ltc-insurance-division.eligibility --dsn postgresql://user:pw@host/db

The broker authenticates every client (SASL/SCRAM-SHA-512) and lets a department's user read
its own feeds only, in consumer groups named ``<user>.*`` (ADR 0086); the NHI division gives the
user name and password (locally: ``.local/endpoints.json``, ``kafka.users``).

It keeps ``received_events`` (one row per event id) in the department's own database; replace
``apply`` with what the department does with an event, in the same transaction.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer

SCHEMA = """
CREATE TABLE IF NOT EXISTS received_events (
    event_id uuid PRIMARY KEY,          -- the envelope's id: a redelivery has the same one
    type text NOT NULL,                 -- jp.kokuho.<service>.<event>.v<N>
    subject text NOT NULL,
    data jsonb NOT NULL,
    topic text NOT NULL, kafka_partition int NOT NULL, kafka_offset bigint NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
)
"""


async def apply(conn: asyncpg.Connection, envelope: dict[str, Any]) -> None:
    """The department's own work for one event (here: nothing beyond the record)."""


async def handle(
    conn: asyncpg.Connection, envelope: dict[str, Any], where: tuple[str, int, int]
) -> bool:
    """Record and apply one event in one transaction; False when it was already handled."""
    async with conn.transaction():
        first = await conn.fetchval(
            "INSERT INTO received_events (event_id, type, subject, data, topic, kafka_partition,"
            " kafka_offset) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)"
            " ON CONFLICT (event_id) DO NOTHING RETURNING true",
            envelope["id"],
            envelope["type"],
            envelope["subject"],
            json.dumps(envelope.get("data", {}), ensure_ascii=False),
            *where,
        )
        if not first:
            return False  # a redelivery: already applied
        await apply(conn, envelope)
        return True


async def consume(
    bootstrap: str,
    topic: str,
    group_id: str,
    dsn: str,
    *,
    idle_seconds: float | None = None,
    **kafka: Any,
) -> tuple[int, int]:
    """Read ``topic`` from the beginning (for a new group) and handle every record; commit the
    offset only after the database transaction. Returns (applied, skipped as redelivered) when
    nothing arrived for ``idle_seconds`` (None: run until stopped). ``kafka`` passes the
    authentication settings the NHI division gives (e.g. ``security_protocol``)."""
    conn = await asyncpg.connect(dsn)
    await conn.execute(SCHEMA)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group_id,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **kafka,
    )
    await consumer.start()
    applied = skipped = 0
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=int((idle_seconds or 5) * 1000))
            if not batches and idle_seconds is not None:
                return applied, skipped
            for records in batches.values():
                for record in records:
                    if record.value is None:
                        continue  # a tombstone on a compacted topic: delete your copy here
                    envelope = json.loads(record.value)
                    where = (record.topic, record.partition, record.offset)
                    if await handle(conn, envelope, where):
                        applied += 1
                    else:
                        skipped += 1
            await consumer.commit()
    finally:
        await consumer.stop()
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--user", required=True, help="the department's broker user")
    parser.add_argument("--security-protocol", default="SASL_PLAINTEXT")
    parser.add_argument("--sasl-mechanism", default="SCRAM-SHA-512")
    args = parser.parse_args()
    password = os.environ.get("KOKUHO_FEED_PASSWORD")
    if not password:
        parser.error("KOKUHO_FEED_PASSWORD (the user's password) is not set")
    auth = {
        "security_protocol": args.security_protocol,
        "sasl_mechanism": args.sasl_mechanism,
        "sasl_plain_username": args.user,
        "sasl_plain_password": password,
    }
    asyncio.run(consume(args.bootstrap, args.topic, args.group, args.dsn, **auth))


if __name__ == "__main__":
    main()
