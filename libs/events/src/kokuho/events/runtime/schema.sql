-- kokuho.events runtime schema: event store, outbox, inbox, forgettable personal payloads.
-- Idempotent: services apply it from their first migration (kokuho.events.runtime.schema.install).

CREATE TABLE IF NOT EXISTS events (
    global_position bigint GENERATED ALWAYS AS IDENTITY,
    stream_id       text        NOT NULL,
    version         integer     NOT NULL CHECK (version > 0),
    event_id        uuid        NOT NULL UNIQUE,
    event_type      text        NOT NULL,
    occurred_at     timestamptz NOT NULL,
    -- json, not jsonb: kept byte for byte as published, and cheaper to write in batches.
    envelope        json        NOT NULL,
    -- The primary key is the optimistic-concurrency check: two writers of the same version
    -- cannot both commit.
    PRIMARY KEY (stream_id, version)
);
CREATE INDEX IF NOT EXISTS events_global_position ON events (global_position);

CREATE TABLE IF NOT EXISTS outbox (
    position     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id     uuid,   -- the stored event to publish; null for a state message or tombstone
    topic        text        NOT NULL,
    key          text        NOT NULL,
    -- A state message for a compacted topic carries its own value; a stored event's value is
    -- its envelope in the events table (not copied here); both null is a tombstone.
    value        bytea,
    traceparent  text,
    tracestate   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    -- A group (ADR 0111): the public events of one part of a large batch, in order, in one
    -- row, each keyed by keys[i]; event_id and value are then null and key is ''.
    event_ids    uuid[],
    keys         text[]
);
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS event_ids uuid[];
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS keys text[];
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (position) WHERE published_at IS NULL;

CREATE OR REPLACE FUNCTION kokuho_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('kokuho_outbox', '');
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS outbox_notify ON outbox;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION kokuho_outbox_notify();

CREATE TABLE IF NOT EXISTS inbox (
    consumer     text        NOT NULL,
    event_id     uuid        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

-- Personal details referenced by events ("forgettable payload"): erasure clears the data here
-- and leaves the event history untouched.
CREATE TABLE IF NOT EXISTS personal_payloads (
    payload_id uuid        PRIMARY KEY,
    subject    text        NOT NULL,
    kind       text        NOT NULL,
    data       jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    erased_at  timestamptz,
    erasure_reason text,
    CHECK ((data IS NULL) = (erased_at IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS personal_payloads_subject ON personal_payloads (subject);

-- Department feeds (kokuho.events.runtime.feeds, ADR 0089): each person's last entry per feed
-- (only the registry's items), and every entry put on a feed (C-66: what, to whom, when, on
-- which basis, from which event), append-only. Empty in a service that owns no feed.
CREATE TABLE IF NOT EXISTS feed_states (
    flow_id          text        NOT NULL,
    addressee_number text        NOT NULL,
    facts            jsonb       NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (flow_id, addressee_number)
);

CREATE TABLE IF NOT EXISTS feed_deliveries (
    delivery_id       uuid        PRIMARY KEY,  -- the CloudEvents id of the entry
    flow_id           text        NOT NULL,
    seed_number       integer     NOT NULL,
    recipient         text        NOT NULL,
    legal_basis       text        NOT NULL,
    topics            text[]      NOT NULL,
    items             text[]      NOT NULL,
    addressee_number  text        NOT NULL,
    source_event_id   uuid        NOT NULL,
    source_event_type text        NOT NULL,
    recorded_at       timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS feed_deliveries_recorded ON feed_deliveries (recorded_at DESC);
CREATE INDEX IF NOT EXISTS feed_deliveries_subject ON feed_deliveries (addressee_number);

CREATE OR REPLACE FUNCTION kokuho_feed_deliveries_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'feed_deliveries is append-only (C-66)';
END $$;
DROP TRIGGER IF EXISTS feed_deliveries_unchanged ON feed_deliveries;
CREATE TRIGGER feed_deliveries_unchanged BEFORE UPDATE ON feed_deliveries
    FOR EACH ROW EXECUTE FUNCTION kokuho_feed_deliveries_unchanged();
