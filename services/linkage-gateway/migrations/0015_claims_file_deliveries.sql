-- The federation's monthly claims files (KKH-RZP) handed to benefits (ADR 0084): one row per
-- file (by its SHA-256), written 'prepared' before it leaves and then 'delivered' (benefits
-- took it, with its counts) or 'refused' (benefits refused it whole, with the number of bad
-- lines). The file itself is not kept here: benefits stores the claims.
CREATE TABLE claims_file_deliveries (
    sha256         text PRIMARY KEY,
    file_name      text NOT NULL,
    file_date      date NOT NULL,
    month          text NOT NULL,
    lines          integer NOT NULL,
    status         text NOT NULL CHECK (status IN ('prepared', 'delivered', 'refused')),
    received_by    text NOT NULL,
    received_at    timestamptz NOT NULL,
    recipient      text NOT NULL,
    delivered_at   timestamptz,
    receipt        jsonb
);
