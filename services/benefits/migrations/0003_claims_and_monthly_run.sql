-- Claims (レセプト) from the federation, their re-examinations and error adjustments, the
-- high-cost carry-over lists (S2), payees (申請), the monthly run's decisions and payments.
-- No names or individual numbers anywhere; account numbers only in payees (NHI-B-39).

CREATE TABLE claim_imports (
    import_id         uuid PRIMARY KEY,
    file_name         text NOT NULL,
    sha256            text NOT NULL UNIQUE,
    file_date         date NOT NULL,
    processing_month  date NOT NULL,
    claims            integer NOT NULL,
    adjustments       integer NOT NULL,
    received_by       text NOT NULL,
    received_at       timestamptz NOT NULL DEFAULT now()
);

-- One claim per claim number; the amounts are the claim's current ones (after adjustments).
CREATE TABLE claims (
    claim_number          text PRIMARY KEY CHECK (claim_number ~ '^[0-9A-Z]{1,20}$'),
    import_id             uuid NOT NULL REFERENCES claim_imports,
    processing_month      date NOT NULL,
    treatment_month       date NOT NULL,
    nhi_household_number  text NOT NULL CHECK (nhi_household_number ~ '^[0-9]{10}$'),
    addressee_number      text NOT NULL CHECK (addressee_number ~ '^[0-9]{10}$'),
    age_band              text NOT NULL CHECK (age_band IN ('under_70', '70_74')),
    turning_75            boolean NOT NULL,
    provider              text NOT NULL,
    setting               text NOT NULL CHECK (setting IN ('inpatient', 'outpatient')),
    kind                  text NOT NULL CHECK (kind IN ('medical', 'dental', 'pharmacy')),
    prescriber            text,
    prescriber_kind       text CHECK (prescriber_kind IN ('medical', 'dental')),
    treatment_days        integer NOT NULL,
    points                bigint NOT NULL,
    medical_cost          bigint NOT NULL CHECK (medical_cost >= 0),
    self_pay              bigint NOT NULL CHECK (self_pay >= 0 AND self_pay <= medical_cost),
    adjustments           integer NOT NULL DEFAULT 0
);

CREATE INDEX claims_by_month_household ON claims (treatment_month, nhi_household_number);

-- 再審査 (reexamination) and 過誤 (error) adjustments, each against the claim it changes.
CREATE TABLE claim_adjustments (
    import_id           uuid NOT NULL REFERENCES claim_imports,
    line                integer NOT NULL,
    claim_number        text NOT NULL REFERENCES claims,
    kind                text NOT NULL CHECK (kind IN ('reexamination', 'error')),
    reason_code         text NOT NULL,
    medical_cost_before bigint NOT NULL,
    self_pay_before     bigint NOT NULL,
    medical_cost        bigint NOT NULL,
    self_pay            bigint NOT NULL,
    PRIMARY KEY (import_id, line)
);

CREATE INDEX claim_adjustments_by_claim ON claim_adjustments (claim_number);

-- The federation's high-cost carry-over lists (継続候補 / 継続確定), from linkage-gateway.
CREATE TABLE carry_overs (
    nhi_household_number         text NOT NULL,
    target_month                 date NOT NULL,
    kind                         text NOT NULL CHECK (kind IN ('candidate', 'confirmed')),
    householder_addressee_number text NOT NULL,
    previous_insurer_number      text NOT NULL,
    high_cost_months             integer NOT NULL CHECK (high_cost_months BETWEEN 0 AND 12),
    last_high_cost_month         date NOT NULL,
    file_date                    date NOT NULL,
    PRIMARY KEY (nhi_household_number, target_month, kind)
);

-- The household's 高額療養費 application (申請; 申請簡素化: it stands for later months too).
CREATE TABLE payees (
    nhi_household_number   text PRIMARY KEY CHECK (nhi_household_number ~ '^[0-9]{10}$'),
    payee_addressee_number text NOT NULL CHECK (payee_addressee_number ~ '^[0-9]{10}$'),
    bank_code              text NOT NULL CHECK (bank_code ~ '^[0-9]{4}$'),
    branch_code            text NOT NULL CHECK (branch_code ~ '^[0-9]{3}$'),
    account_type           text NOT NULL CHECK (account_type IN ('ordinary', 'current')),
    account_number         text NOT NULL CHECK (account_number ~ '^[0-9]{7}$'),
    holder_kana            text NOT NULL,
    applied_on             date NOT NULL,
    applied_by             text NOT NULL
);

-- The 高額療養費 decision in force per household and treatment month (stream
-- high-cost-<household>-<YYYY-MM>; version = its events).
CREATE TABLE high_cost_decisions (
    nhi_household_number  text NOT NULL,
    treatment_month       date NOT NULL,
    decision_id           uuid NOT NULL UNIQUE,
    revision              integer NOT NULL,
    version               integer NOT NULL,
    benefit               bigint NOT NULL,
    paid                  bigint NOT NULL,
    prompted              boolean NOT NULL,
    inputs_digest         text NOT NULL,
    counts_for_many_times boolean NOT NULL,
    many_times            boolean NOT NULL,
    under_70_category     text,
    elderly_category      text,
    self_pay_total        bigint NOT NULL,
    household_borne       bigint NOT NULL,
    claims                integer NOT NULL,
    persons               jsonb NOT NULL,
    limits                jsonb NOT NULL,
    decided_by            text NOT NULL,
    decided_on            date NOT NULL,
    PRIMARY KEY (nhi_household_number, treatment_month)
);

CREATE TABLE benefit_payments (
    payment_id             uuid PRIMARY KEY,
    decision_id            uuid NOT NULL,
    benefit_kind           text NOT NULL,
    nhi_household_number   text NOT NULL,
    payee_addressee_number text NOT NULL,
    treatment_month        date,
    amount                 bigint NOT NULL CHECK (amount > 0),
    payment_date           date NOT NULL,
    ordered_by             text NOT NULL,
    ordered_on             date NOT NULL
);

CREATE INDEX benefit_payments_by_household ON benefit_payments (nhi_household_number);

-- The monthly run of a treatment month: requested (API), running (checkpoint), finished.
CREATE TABLE monthly_runs (
    run_id          uuid PRIMARY KEY,
    treatment_month date NOT NULL,
    status          text NOT NULL CHECK (status IN ('requested', 'running', 'finished')),
    payment_date    date NOT NULL,
    started_by      text NOT NULL,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    checkpoint      text NOT NULL DEFAULT '',
    households      integer NOT NULL DEFAULT 0,
    decided         integer NOT NULL DEFAULT 0,
    unchanged       integer NOT NULL DEFAULT 0,
    no_benefit      integer NOT NULL DEFAULT 0,
    prompted        integer NOT NULL DEFAULT 0,
    payments        integer NOT NULL DEFAULT 0,
    paid_amount     bigint NOT NULL DEFAULT 0,
    held            jsonb NOT NULL DEFAULT '[]'
);

CREATE UNIQUE INDEX monthly_runs_one_open ON monthly_runs (treatment_month)
    WHERE status IN ('requested', 'running');
