-- collection's read models (the event store, outbox, inbox, audit log and idempotency keys are
-- installed by the platform). Numbered files, each applied once, in order; never edit an
-- applied one (its checksum is kept): add the next number.

CREATE TABLE cases (
    case_id          uuid PRIMARY KEY,
    addressee_number text NOT NULL CHECK (addressee_number ~ '^[0-9]{10}$'),
    opened_on        date NOT NULL,
    opened_by        text NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX cases_by_addressee ON cases (addressee_number);
