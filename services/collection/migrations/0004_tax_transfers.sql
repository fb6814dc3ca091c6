-- 移転 1 (flows.md §6): the premiums paid per payer in a calendar year, transferred to the
-- municipal tax division, recorded with what, to whom, when and under which basis (C-66..C-70).
-- One transfer per calendar year; its lines are the content that left.
CREATE TABLE tax_transfers (
    transfer_id    text PRIMARY KEY,
    calendar_year  integer NOT NULL UNIQUE,
    flow_id        text NOT NULL,
    recipient      text NOT NULL,
    legal_basis    text NOT NULL,
    method         text NOT NULL,
    items          text[] NOT NULL,
    households     integer NOT NULL,
    total          bigint NOT NULL,
    transferred_by text NOT NULL,
    transferred_on date NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tax_transfer_lines (
    transfer_id      text NOT NULL REFERENCES tax_transfers (transfer_id),
    household        text NOT NULL CHECK (household ~ '^[0-9]{10}$'),
    amount           bigint NOT NULL CHECK (amount > 0),
    pension_deducted bigint NOT NULL CHECK (pension_deducted >= 0),
    PRIMARY KEY (transfer_id, household)
);
