-- Eligibility read models (updated in the same transaction as the events) and number sequences.
-- The event store, outbox, inbox, personal payloads, audit log and idempotency tables are the
-- platform schemas, installed by `migrate` before this file.

CREATE SEQUENCE IF NOT EXISTS household_number_seq START 2000000001 MINVALUE 2000000001 MAXVALUE 2999999999;
CREATE SEQUENCE IF NOT EXISTS insured_number_seq START 30000001 MINVALUE 30000001 MAXVALUE 99999999;

-- 国保世帯
CREATE TABLE IF NOT EXISTS households (
    nhi_household_number text PRIMARY KEY,
    householder_addressee_number text NOT NULL,
    deemed_householder boolean NOT NULL,
    dissolved boolean NOT NULL DEFAULT false,
    member_count integer NOT NULL DEFAULT 0,
    specified_same_household_members text[] NOT NULL DEFAULT '{}',
    registered_on date NOT NULL,
    version integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS households_householder ON households (householder_addressee_number);

-- 資格: one row per qualification period of a person in a household.
CREATE TABLE IF NOT EXISTS qualification_periods (
    period_id bigserial PRIMARY KEY,
    addressee_number text NOT NULL,
    nhi_household_number text NOT NULL REFERENCES households,
    insured_number text NOT NULL,
    card_symbol text NOT NULL,
    card_number text NOT NULL,
    branch_number text NOT NULL,
    birth_date date NOT NULL,
    relationship text NOT NULL,
    acquisition_date date NOT NULL,
    acquisition_reason text NOT NULL,
    acquisition_notified date NOT NULL,
    acquisition_late boolean NOT NULL,
    loss_date date,
    loss_reason text,
    loss_notified date,
    loss_late boolean,
    former_dependant boolean NOT NULL DEFAULT false,
    open boolean NOT NULL DEFAULT true,
    CHECK (loss_date IS NULL OR loss_date >= acquisition_date)
);
-- Acquiring twice is impossible: at most one open qualification per person.
CREATE UNIQUE INDEX IF NOT EXISTS qualification_one_open
    ON qualification_periods (addressee_number) WHERE open;
CREATE INDEX IF NOT EXISTS qualification_household ON qualification_periods (nhi_household_number);
CREATE INDEX IF NOT EXISTS qualification_insured ON qualification_periods (insured_number);
CREATE INDEX IF NOT EXISTS qualification_open_birth ON qualification_periods (birth_date) WHERE open;

-- 基本5情報 + phone of insured persons and deemed householders (personal data: erasable).
CREATE TABLE IF NOT EXISTS persons (
    addressee_number text PRIMARY KEY,
    nhi_household_number text,
    name text NOT NULL,
    name_kana text NOT NULL,
    sex text NOT NULL,
    birth_date date NOT NULL,
    postal_code text,
    address text NOT NULL,
    phone text,
    as_of date NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS persons_kana ON persons (name_kana text_pattern_ops);

-- 住所地特例 / 修学
CREATE TABLE IF NOT EXISTS special_cases (
    addressee_number text NOT NULL,
    kind text NOT NULL,
    nhi_household_number text NOT NULL,
    facility_kind text,
    facility_name text,
    facility_address text,
    start_date date NOT NULL,
    end_date date,
    PRIMARY KEY (addressee_number, kind, start_date)
);

-- 非自発的失業者
CREATE TABLE IF NOT EXISTS involuntary_unemployment (
    addressee_number text NOT NULL,
    nhi_household_number text NOT NULL,
    separation_date date NOT NULL,
    separation_reason_code text NOT NULL,
    reduction_start date NOT NULL,
    reduction_end date NOT NULL,
    PRIMARY KEY (addressee_number, separation_date)
);

-- 資格確認書・資格情報のお知らせ・高齢受給者証 ...
CREATE TABLE IF NOT EXISTS certificates (
    certificate_id uuid PRIMARY KEY,
    kind text NOT NULL,
    addressee_number text NOT NULL,
    nhi_household_number text NOT NULL,
    insured_number text NOT NULL,
    issue_date date NOT NULL,
    valid_from date NOT NULL,
    valid_until date,
    copayment_rate_tenths integer,
    reissue_of uuid,
    collected_date date,
    collected_reason text,
    issued_by text NOT NULL
);
CREATE INDEX IF NOT EXISTS certificates_person ON certificates (addressee_number);

-- Four-eyes changes (C-11).
CREATE TABLE IF NOT EXISTS changes (
    change_id uuid PRIMARY KEY,
    kind text NOT NULL,
    nhi_household_number text NOT NULL,
    subjects text[] NOT NULL,
    status text NOT NULL,
    ex_officio boolean NOT NULL,
    entered_by text NOT NULL,
    entered_at timestamptz NOT NULL,
    decided_by text,
    decided_at timestamptz
);
CREATE INDEX IF NOT EXISTS changes_pending ON changes (entered_at) WHERE status = 'pending';

-- Demo data runs (seed is idempotent).
CREATE TABLE IF NOT EXISTS seed_runs (
    name text PRIMARY KEY,
    households integer NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now()
);
