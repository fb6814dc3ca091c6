-- assessment read models and working tables (the event store, outbox, inbox, audit log and
-- idempotency keys are installed by the platform).

-- Previous-year income per person (NHI-A-28..32) from the tax system or a 無所得申立.
-- Income is personal data of this service only; it never goes on a topic (ADR 0031).
CREATE TABLE incomes (
    addressee_number           text    NOT NULL CHECK (addressee_number ~ '^[0-9]{10}$'),
    income_year                integer NOT NULL,
    birth_date                 date    NOT NULL,
    declared                   boolean NOT NULL,
    salary_revenue             bigint  NOT NULL CHECK (salary_revenue >= 0),
    salary_income              bigint  NOT NULL CHECK (salary_income >= 0),
    pension_revenue            bigint  NOT NULL CHECK (pension_revenue >= 0),
    pension_income             bigint  NOT NULL CHECK (pension_income >= 0),
    other_income               bigint  NOT NULL CHECK (other_income >= 0),
    family_employee_deduction  bigint  NOT NULL CHECK (family_employee_deduction >= 0),
    transfer_special_deduction bigint  NOT NULL CHECK (transfer_special_deduction >= 0),
    fixed_asset_tax            bigint  NOT NULL CHECK (fixed_asset_tax >= 0),
    resident_tax_status        text    NOT NULL,
    source                     text    NOT NULL,  -- tax_file | no_income_declaration
    import_id                  uuid,
    declaration_channel        text,
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    updated_by                 text NOT NULL,
    PRIMARY KEY (addressee_number, income_year)
);

-- Every income file received, valid or not, with the lines it refused (line number and reason,
-- never the line's content) and who applied it (C-11 / the operator's explicit choice).
CREATE TABLE income_imports (
    import_id      uuid PRIMARY KEY,
    file_name      text NOT NULL,
    received_at    timestamptz NOT NULL DEFAULT now(),
    received_by    text NOT NULL,
    lines          integer NOT NULL,
    valid_lines    integer NOT NULL,
    rejected       jsonb NOT NULL,
    status         text NOT NULL,   -- rejected | applied | partially_applied
    applied_lines  integer NOT NULL DEFAULT 0
);

-- Households and members as eligibility publishes them (only what the premium needs).
CREATE TABLE households (
    nhi_household_number         text PRIMARY KEY,
    householder_addressee_number text NOT NULL,
    deemed_householder           boolean NOT NULL DEFAULT false,
    specified_household_since    date,
    updated_at                   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE household_members (
    nhi_household_number      text NOT NULL,
    addressee_number          text NOT NULL,
    birth_date                date NOT NULL,
    insured                   boolean NOT NULL DEFAULT true,
    specified_same_household  boolean NOT NULL DEFAULT false,
    acquisition_date          date,
    loss_date                 date,
    former_dependant_since    date,
    involuntary_separation_date date,
    childbirth_date           date,
    childbirth_multiple       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (nhi_household_number, addressee_number)
);
CREATE INDEX household_members_person_idx ON household_members (addressee_number);

-- The current assessment of each household and fiscal year, with its explanation.
CREATE TABLE assessments (
    nhi_household_number text NOT NULL,
    fiscal_year          integer NOT NULL,
    revision             integer NOT NULL,
    assessment_id        uuid NOT NULL,
    annual_amount        bigint NOT NULL,
    statutory_reduction  integer NOT NULL,
    reduction_exemption_amount bigint NOT NULL DEFAULT 0,
    components           jsonb NOT NULL,
    explanation          jsonb NOT NULL,
    cause                text NOT NULL,
    assessed_at          timestamptz NOT NULL DEFAULT now(),
    assessed_by          text NOT NULL,
    PRIMARY KEY (nhi_household_number, fiscal_year)
);

-- 減免 applications and their four-eyes decisions (C-11) with reasons (C-24).
CREATE TABLE reduction_exemptions (
    application_id       uuid PRIMARY KEY,
    nhi_household_number text NOT NULL,
    fiscal_year          integer NOT NULL,
    reason_code          text NOT NULL,
    reason               text NOT NULL,
    ratio_percent        integer NOT NULL CHECK (ratio_percent BETWEEN 0 AND 100),
    status               text NOT NULL,   -- pending | approved | rejected
    entered_by           text NOT NULL,
    entered_at           timestamptz NOT NULL DEFAULT now(),
    decided_by           text,
    decided_at           timestamptz,
    decision_reason      text
);
CREATE INDEX reduction_exemptions_household_idx
    ON reduction_exemptions (nhi_household_number, fiscal_year);
