-- Changes from the resident register (住民記録システム, SF-Q03; ADR 0015). Each change of the
-- feed is taken in once (its id is the key): what became of it, and the pending ex officio
-- change, work-list item or review it produced. Individual numbers never come this way.
CREATE TABLE IF NOT EXISTS resident_register_changes (
    register_change_id text PRIMARY KEY,
    digest text NOT NULL,
    source text NOT NULL,
    kind text NOT NULL,
    addressee_number text NOT NULL,
    fact_date date NOT NULL,
    notified_date date NOT NULL,
    outcome text NOT NULL,
    change_id uuid,
    item_id uuid,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS resident_register_changes_person
    ON resident_register_changes (addressee_number);

-- The work list (a person to ask, by a due date) and the review list (an unknown person or a
-- change our record contradicts, with its reason), for clerks to take up and close.
CREATE TABLE IF NOT EXISTS resident_register_items (
    item_id uuid PRIMARY KEY,
    list text NOT NULL CHECK (list IN ('work', 'review')),
    register_change_id text NOT NULL REFERENCES resident_register_changes,
    kind text NOT NULL,
    addressee_number text NOT NULL,
    nhi_household_number text,
    fact_date date NOT NULL,
    due_date date,
    reason_code text,
    reason text,
    payload_id uuid,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    resolution text,
    closed_by text,
    closed_at timestamptz,
    position bigserial NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS resident_register_items_open
    ON resident_register_items (list, position) WHERE status = 'open';

-- How far the feed has been read (the simulator's or the register's sequence).
CREATE TABLE IF NOT EXISTS resident_register_feeds (
    feed text PRIMARY KEY,
    last_sequence bigint NOT NULL
);
