-- C-66: a transfer is recorded before it leaves (status 'prepared') and marked 'delivered'
-- with the channel's receipt afterwards; a record that stays 'prepared' is an attempt whose
-- delivery was not confirmed. The only change the table allows is prepared -> delivered.
ALTER TABLE transfers
    ADD COLUMN status text NOT NULL DEFAULT 'delivered'
        CHECK (status IN ('prepared', 'delivered')),
    ADD COLUMN prepared_at timestamptz,
    ALTER COLUMN receipt DROP NOT NULL,
    ALTER COLUMN delivered_at DROP NOT NULL;

CREATE OR REPLACE FUNCTION transfers_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = 'prepared' AND NEW.status = 'delivered'
       AND NEW.receipt IS NOT NULL AND NEW.delivered_at IS NOT NULL
       AND (NEW.transfer_id, NEW.flow_id, NEW.recipient, NEW.legal_basis, NEW.items, NEW.method,
            NEW.subjects, NEW.requested_by, NEW.prepared_at)
           IS NOT DISTINCT FROM
           (OLD.transfer_id, OLD.flow_id, OLD.recipient, OLD.legal_basis, OLD.items, OLD.method,
            OLD.subjects, OLD.requested_by, OLD.prepared_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'transfers is append-only (C-66)';
END $$;
