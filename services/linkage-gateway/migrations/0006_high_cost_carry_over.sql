-- Monthly high-cost carry-over lists from the federation (高額該当の引き継ぎ), passed on to
-- benefits as events; the file itself is recorded once.
CREATE TABLE carry_over_files (
    id           bigserial PRIMARY KEY,
    file_name    text NOT NULL,
    file_date    date NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('candidate', 'confirmed')),
    target_month text NOT NULL,
    sha256       text NOT NULL UNIQUE,
    households   integer NOT NULL,
    received_by  text NOT NULL,
    received_at  timestamptz NOT NULL
);
