-- Intermediate-server records (C-66, C-72, C-77, C-79..C-81, C-84).

-- The originals of the replicas we keep at the intermediate server, one per person and item,
-- derived from the business services' events only (C-79: there is no manual write path).
CREATE TABLE replicas (
    addressee_number            text NOT NULL,
    item                        text NOT NULL,
    content                     jsonb NOT NULL,
    version                     integer NOT NULL,
    integrated_addressee_number text,                 -- NULL: waiting for the number's binding
    registered_version          integer NOT NULL DEFAULT 0,
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (addressee_number, item)
);

-- Every replica registration sent (C-66, C-72): when, under which row, which items, receipt.
CREATE TABLE replica_registrations (
    id                          bigserial PRIMARY KEY,
    addressee_number            text NOT NULL,
    integrated_addressee_number text NOT NULL,
    item                        text NOT NULL,
    version                     integer NOT NULL,
    legal_basis_row             text NOT NULL,
    source_event_id             uuid,
    receipt                     text NOT NULL,
    registered_at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX replica_registrations_person_idx ON replica_registrations (addressee_number);

-- Information inquiries (情報照会, C-72) and their results, deleted after the period (C-77).
CREATE TABLE ipn_inquiries (
    inquiry_id                  uuid PRIMARY KEY,
    requested_by                text NOT NULL,
    terminal_id                 text,
    requested_at                timestamptz NOT NULL,
    affair                      text NOT NULL,
    provider                    text NOT NULL,
    item                        text NOT NULL,
    legal_basis_row             text NOT NULL,
    addressee_number            text NOT NULL,
    integrated_addressee_number text NOT NULL,
    status                      text NOT NULL,
    result                      jsonb,
    completed_at                timestamptz,
    result_deleted_at           timestamptz
);
CREATE INDEX ipn_inquiries_retention_idx ON ipn_inquiries (completed_at)
    WHERE result_deleted_at IS NULL;

-- Provisions to other bodies (提供の記録, C-66): requester, row, items, and the hold of
-- no-automatic-response items until a person approves (C-81).
CREATE TABLE provisions (
    provision_id                uuid PRIMARY KEY,
    requester                   text NOT NULL,
    item                        text NOT NULL,
    legal_basis_row             text NOT NULL,
    addressee_number            text NOT NULL,
    integrated_addressee_number text NOT NULL,
    requested_at                timestamptz NOT NULL,
    status                      text NOT NULL CHECK (status IN ('provided', 'held', 'approved')),
    provided_at                 timestamptz,
    approved_by                 text
);
CREATE INDEX provisions_held_idx ON provisions (requested_at) WHERE status = 'held';
