-- C-96: the record of every erasure after the retention period (C-95): which data class of
-- whose data was erased from which store, when, by whom (the retention job or a confirmed
-- erasure request) and on what basis. No personal data: the subject is the addressee number.
CREATE TABLE IF NOT EXISTS erasure_records (
    id bigserial PRIMARY KEY,
    data_class text NOT NULL,
    subject text NOT NULL,
    store text NOT NULL,
    erased_on date NOT NULL,
    erased_at timestamptz NOT NULL,
    erased_by text NOT NULL,
    basis text NOT NULL,
    UNIQUE (data_class, subject, store)
);
CREATE INDEX IF NOT EXISTS erasure_records_day_idx ON erasure_records (erased_on, id);
