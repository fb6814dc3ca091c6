-- Differences with the federation's 資格継続 file that linkage-gateway's staff confirmed, for
-- persons eligibility does not know (kind unknown-to-us): a clerk takes them up at the counter.
CREATE TABLE IF NOT EXISTS federation_reviews (
    event_id uuid PRIMARY KEY,
    addressee_number text NOT NULL,
    insured_number text NOT NULL,
    kind text NOT NULL,
    federation_acquisition_date date NOT NULL,
    federation_loss_date date,
    file_date date NOT NULL,
    confirmed_by text NOT NULL,
    change_id uuid,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS federation_reviews_open ON federation_reviews (received_at)
    WHERE change_id IS NULL;
