-- Certificates decided by マイナ保険証 state and issued in bulk (SF-Q06, SF-Q08; ADR 0017).

-- What decides a member's document: the online-qualification side's state (linkage-gateway's
-- MynaInsuranceCardStatusChanged) and what a clerk recorded (住基 DV support, 要配慮者 application).
CREATE TABLE IF NOT EXISTS certificate_bases (
    addressee_number text PRIMARY KEY,
    card_status text,
    card_status_as_of date,
    e_certificate_expires_on date,
    dv_support boolean NOT NULL DEFAULT false,
    on_application boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One bulk run (resumable: a member with a covering document is no longer a candidate).
CREATE TABLE IF NOT EXISTS certificate_runs (
    run_id uuid PRIMARY KEY,
    renewal text NOT NULL,
    issue_date date NOT NULL,
    valid_until date NOT NULL,
    requested_by text NOT NULL,
    status text NOT NULL,
    candidates integer NOT NULL DEFAULT 0,
    issued integer NOT NULL DEFAULT 0,
    kept integer NOT NULL DEFAULT 0,
    refused integer NOT NULL DEFAULT 0,
    print_files integer NOT NULL DEFAULT 0,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);

-- What a run issued, in print order (the print files are cut from it).
CREATE TABLE IF NOT EXISTS certificate_run_items (
    run_id uuid NOT NULL REFERENCES certificate_runs,
    seq bigserial,
    certificate_id uuid NOT NULL,
    addressee_number text NOT NULL,
    kind text NOT NULL,
    reason text NOT NULL,
    PRIMARY KEY (run_id, certificate_id)
);
CREATE INDEX IF NOT EXISTS certificate_run_items_order ON certificate_run_items (run_id, seq);
