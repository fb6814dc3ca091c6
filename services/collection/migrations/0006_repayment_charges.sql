-- 返納金 charges taken in from benefits' RepaymentClaimed (ADR 0085): one row per repayment
-- (the inbox and the primary key make a redelivery change nothing). The debtor is named by
-- the addressee number only; no claim details (they stay in benefits).
CREATE TABLE repayment_charges (
    repayment_id            text PRIMARY KEY,
    nhi_household_number    text NOT NULL CHECK (nhi_household_number ~ '^[0-9]{10}$'),
    debtor_addressee_number text NOT NULL CHECK (debtor_addressee_number ~ '^[0-9]{10}$'),
    amount                  bigint NOT NULL CHECK (amount > 0),
    due_date                date NOT NULL,
    loss_date               date NOT NULL,
    decided_by              text NOT NULL,
    decided_on              date NOT NULL,
    recorded_on             date NOT NULL
);
CREATE INDEX repayment_charges_household ON repayment_charges (nhi_household_number);
