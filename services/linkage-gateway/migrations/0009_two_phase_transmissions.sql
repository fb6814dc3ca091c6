-- C-58: a transmission is in the ledger before the file leaves (status 'prepared', with the
-- file's bytes), and marked 'sent' with the federation's receipt afterwards. A crash between
-- the two re-sends the same file (same name) on the next run, never an unrecorded one.
ALTER TABLE federation_transmissions
    ADD COLUMN status text NOT NULL DEFAULT 'sent' CHECK (status IN ('prepared', 'sent')),
    ADD COLUMN content bytea,
    ADD COLUMN prepared_at timestamptz,
    ALTER COLUMN receipt DROP NOT NULL,
    ALTER COLUMN sent_at DROP NOT NULL;
CREATE UNIQUE INDEX federation_transmissions_one_prepared ON federation_transmissions (status)
    WHERE status = 'prepared';
