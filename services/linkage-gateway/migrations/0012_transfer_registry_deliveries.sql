-- The seed's transfers (flows.md section 6, ADR 0025): a delivery record says by which channel
-- it left (event feed, yearly file, manual hand-over), what it was made from (the owning
-- service's event: source and event id, one record per event), whose data in which key
-- (addressee numbers, or NHI household numbers for collection's yearly file) and what else
-- the auditor needs (the year, the part). Still append-only: the only change is
-- prepared -> delivered, and none of these columns may change with it.
ALTER TABLE transfers
    ADD COLUMN channel text,
    ADD COLUMN source text,
    ADD COLUMN source_event_id uuid UNIQUE,
    ADD COLUMN subject_kind text NOT NULL DEFAULT 'addressee_number'
        CHECK (subject_kind IN ('addressee_number', 'nhi_household_number')),
    ADD COLUMN detail jsonb NOT NULL DEFAULT '{}';
CREATE INDEX transfers_flow_idx ON transfers (flow_id, prepared_at);

CREATE OR REPLACE FUNCTION transfers_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = 'prepared' AND NEW.status = 'delivered'
       AND NEW.receipt IS NOT NULL AND NEW.delivered_at IS NOT NULL
       AND (NEW.transfer_id, NEW.flow_id, NEW.recipient, NEW.legal_basis, NEW.items, NEW.method,
            NEW.subjects, NEW.requested_by, NEW.prepared_at, NEW.channel, NEW.source,
            NEW.source_event_id, NEW.subject_kind, NEW.detail)
           IS NOT DISTINCT FROM
           (OLD.transfer_id, OLD.flow_id, OLD.recipient, OLD.legal_basis, OLD.items, OLD.method,
            OLD.subjects, OLD.requested_by, OLD.prepared_at, OLD.channel, OLD.source,
            OLD.source_event_id, OLD.subject_kind, OLD.detail) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'transfers is append-only (C-66)';
END $$;
