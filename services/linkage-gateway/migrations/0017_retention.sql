-- Retention (C-95..C-97, ADR 0097). Eligibility erases a person's details after its
-- retention and publishes a tombstone on its compacted personal-details topic: the gateway
-- notes the person here, and its retention job then erases the person's binding (the sealed
-- individual number with its wrapped data key), affairs and replicas, after asking the
-- intermediate server to delete the replicas there (C-97).
CREATE TABLE IF NOT EXISTS erased_persons (
    addressee_number text PRIMARY KEY,
    noted_at timestamptz NOT NULL DEFAULT now()
);

-- C-97: every replica deletion asked of the intermediate server, with its receipt.
CREATE TABLE IF NOT EXISTS replica_deletions (
    id bigserial PRIMARY KEY,
    addressee_number text NOT NULL,
    integrated_addressee_number text NOT NULL,
    receipt text NOT NULL,
    requested_by text NOT NULL,
    deleted_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS replica_deletions_person_idx ON replica_deletions (addressee_number);

-- C-96: what was erased, of whom, from which store, when, by whom, on what basis.
CREATE TABLE IF NOT EXISTS erasure_records (
    id bigserial PRIMARY KEY,
    data_class text NOT NULL,
    subject text NOT NULL,
    store text NOT NULL,
    erased_on date NOT NULL,
    erased_at timestamptz NOT NULL,
    erased_by text NOT NULL,
    basis text NOT NULL,
    UNIQUE (data_class, subject, store)
);
