-- 特別徴収 (rules.md 2.6): the householder's pension as the pension insurer reports it
-- (NHI-A-24..26, received through linkage-gateway or entered by a clerk), the householder's
-- request for 普通徴収 (口座振替), and the collection method of each stored assessment.
CREATE TABLE pensions (
    addressee_number text NOT NULL,
    fiscal_year integer NOT NULL,
    annual_amount bigint NOT NULL CHECK (annual_amount >= 0),
    ltc_special_collection boolean NOT NULL,
    ltc_premium bigint NOT NULL CHECK (ltc_premium >= 0),
    previous_february_deduction bigint NOT NULL CHECK (previous_february_deduction >= 0),
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (addressee_number, fiscal_year)
);

CREATE TABLE collection_method_requests (
    nhi_household_number text NOT NULL,
    fiscal_year integer NOT NULL,
    method text NOT NULL CHECK (method IN ('ordinary', 'special')),
    reason text NOT NULL,
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (nhi_household_number, fiscal_year)
);

ALTER TABLE assessments ADD COLUMN collection jsonb NOT NULL DEFAULT '{}';
