-- The integrated addressee table (統合宛名管理テーブル, AT-1..3): the only place an individual
-- number is stored, and only sealed (AES-256-GCM envelope, ADR 0020). C-03: mapping only.
CREATE TABLE integrated_addressee (
    addressee_number            text PRIMARY KEY,
    integrated_addressee_number text NOT NULL UNIQUE,          -- C-75: 1:1
    number_index                text NOT NULL UNIQUE,          -- keyed HMAC; C-75: one person per number
    kek_id                      text NOT NULL,
    wrapped_key                 bytea NOT NULL,
    nonce                       bytea NOT NULL,
    ciphertext                  bytea NOT NULL,
    bound_at                    timestamptz NOT NULL,
    deceased_at                 timestamptz,                   -- C-93: kept the same way
    version                     integer NOT NULL DEFAULT 1,
    rewrapped_at                timestamptz
);
CREATE INDEX integrated_addressee_kek_idx ON integrated_addressee (kek_id);

CREATE SEQUENCE integrated_addressee_number_seq START 1;

-- Which affairs a person is a subject of (C-02: resolution only for an affair's own subjects).
CREATE TABLE affair_subjects (
    addressee_number text NOT NULL,
    affair           text NOT NULL,
    since            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (addressee_number, affair)
);

-- C-17: refused bindings, for staff to confirm (no number, no index: only who and why).
CREATE TABLE binding_confirmations (
    id               bigserial PRIMARY KEY,
    addressee_number text NOT NULL,
    rule             text NOT NULL,
    reported_at      timestamptz NOT NULL DEFAULT now(),
    reported_by      text NOT NULL,
    resolved_at      timestamptz
);
