-- C-66: every transfer (移転) delivered, with its flow, legal basis, items, method, whose data,
-- who asked and when. Rows are never updated or deleted by the application.
CREATE TABLE transfers (
    transfer_id   uuid PRIMARY KEY,
    flow_id       text NOT NULL,
    recipient     text NOT NULL,
    legal_basis   text NOT NULL,
    items         text[] NOT NULL,
    method        text NOT NULL,
    subjects      text[] NOT NULL,
    requested_by  text NOT NULL,
    delivered_at  timestamptz NOT NULL,
    receipt       text NOT NULL
);
CREATE INDEX transfers_delivered_idx ON transfers (delivered_at);

CREATE FUNCTION transfers_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'transfers is append-only (C-66)';
END $$;
CREATE TRIGGER transfers_no_update BEFORE UPDATE OR DELETE ON transfers
    FOR EACH ROW EXECUTE FUNCTION transfers_append_only();
