-- C-96: the record of every erasure after the retention period (C-95; ADRs 0096, 0100):
-- which benefit (a household's treatment month, or an application) was erased from which
-- store, when, by whom and on what basis. No personal data. Listed by
-- GET /api/v1/erasure-records (kokuho.platform).
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
