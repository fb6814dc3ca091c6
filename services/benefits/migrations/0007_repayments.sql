-- 不当利得 / 返納金 (NHI-B-58/59): a case per person and loss date, the claims it covers
-- (対象レセプト, health data: this database only), the proposal and the second person's review.
CREATE TABLE repayments (
    repayment_id          uuid PRIMARY KEY,
    stream_id             text NOT NULL UNIQUE,
    nhi_household_number  text NOT NULL CHECK (nhi_household_number ~ '^[0-9]{10}$'),
    addressee_number      text NOT NULL CHECK (addressee_number ~ '^[0-9]{10}$'),
    loss_date             date NOT NULL,
    claims                jsonb NOT NULL,
    detected_amount       bigint NOT NULL CHECK (detected_amount > 0),
    review_month          date,
    detected_on           date NOT NULL,
    status                text NOT NULL
        CHECK (status IN ('detected', 'proposed', 'claimed', 'withdrawn')),
    amount                bigint NOT NULL DEFAULT 0,
    proposal_claims       boolean NOT NULL DEFAULT true,
    reason                text NOT NULL DEFAULT '',
    proposed_by           text,
    reviewed_by           text,
    decided_on            date,
    due_date              date,
    version               integer NOT NULL
);

CREATE INDEX repayments_open ON repayments (status) WHERE status IN ('detected', 'proposed');
CREATE INDEX claims_by_person ON claims (addressee_number, treatment_month);
