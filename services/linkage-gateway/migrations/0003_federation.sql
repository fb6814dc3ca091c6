-- Prefectural federation (国保連合会) exchange: outbound insured changes with a transmission
-- ledger (C-58), inbound continuation files and their differences for staff (C-20, C-21).

CREATE TABLE insured_changes (
    id                   bigserial PRIMARY KEY,
    source_event_id      uuid UNIQUE,
    change               text NOT NULL CHECK (change IN ('acquired', 'lost', 'corrected')),
    addressee_number     text NOT NULL,
    nhi_household_number text NOT NULL,
    insured_number       text NOT NULL,
    card_symbol          text NOT NULL,
    card_number          text NOT NULL,
    branch_number        text NOT NULL,
    acquisition_date     date,
    loss_date            date,
    recorded_at          timestamptz NOT NULL DEFAULT now(),
    transmission_id      bigint
);
CREATE INDEX insured_changes_pending_idx ON insured_changes (id) WHERE transmission_id IS NULL;
CREATE INDEX insured_changes_person_idx ON insured_changes (addressee_number, id);

-- C-58: every transmission to the federation.
CREATE TABLE federation_transmissions (
    id             bigserial PRIMARY KEY,
    file_name      text NOT NULL UNIQUE,
    file_format    text NOT NULL,
    format_version text NOT NULL,
    sequence       integer NOT NULL UNIQUE,
    record_count   integer NOT NULL,
    sha256         text NOT NULL,
    sent_by        text NOT NULL,
    receipt        text NOT NULL,
    sent_at        timestamptz NOT NULL
);

CREATE TABLE continuation_files (
    id             bigserial PRIMARY KEY,
    file_name      text NOT NULL,
    file_date      date NOT NULL,
    sha256         text NOT NULL UNIQUE,   -- the same file is not taken twice
    record_count   integer NOT NULL,
    received_by    text NOT NULL,
    received_at    timestamptz NOT NULL
);

CREATE TABLE continuation_differences (
    id                          bigserial PRIMARY KEY,
    file_id                     bigint NOT NULL REFERENCES continuation_files (id),
    addressee_number            text NOT NULL,
    insured_number              text NOT NULL,
    kind                        text NOT NULL,
    federation_acquisition_date date NOT NULL,
    federation_loss_date        date,
    our_acquisition_date        date,
    our_loss_date               date,
    status                      text NOT NULL DEFAULT 'open'
                                CHECK (status IN ('open', 'confirmed', 'dismissed')),
    decided_by                  text,
    decided_at                  timestamptz
);
CREATE INDEX continuation_differences_open_idx ON continuation_differences (id)
    WHERE status = 'open';
