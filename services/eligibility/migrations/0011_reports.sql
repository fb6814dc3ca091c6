-- The reports' projection (SF-S01, SF-S02, SF-A21; ADR 0018): facts of assessment's, collection's
-- and benefits' public events, kept as they were published (no names, no income, no numbers
-- beyond household numbers). Members and households come from eligibility's own read model.

CREATE TABLE IF NOT EXISTS report_assessments (
    nhi_household_number text NOT NULL,
    fiscal_year integer NOT NULL,
    revision integer NOT NULL,
    assessed_on date NOT NULL,
    annual_amount bigint NOT NULL,
    previous_annual_amount bigint,
    statutory_reduction integer NOT NULL,
    insured_months integer NOT NULL,
    components jsonb NOT NULL,
    capped text[] NOT NULL,
    levies_after_reduction bigint NOT NULL,
    PRIMARY KEY (nhi_household_number, fiscal_year, revision)
);
CREATE INDEX IF NOT EXISTS report_assessments_day ON report_assessments (assessed_on);

-- Principal collected per instalment: payments and 充当 (positive), reversals (negative).
CREATE TABLE IF NOT EXISTS report_collected (
    source text NOT NULL,
    source_id text NOT NULL,
    fiscal_year integer NOT NULL,
    period integer NOT NULL,
    nhi_household_number text NOT NULL,
    amount bigint NOT NULL,
    counted_on date NOT NULL,
    PRIMARY KEY (source, source_id, fiscal_year, period)
);
CREATE INDEX IF NOT EXISTS report_collected_day ON report_collected (counted_on);

CREATE TABLE IF NOT EXISTS report_benefits (
    payment_id uuid PRIMARY KEY,
    benefit_kind text NOT NULL,
    nhi_household_number text NOT NULL,
    amount bigint NOT NULL,
    payment_date date NOT NULL
);
CREATE INDEX IF NOT EXISTS report_benefits_day ON report_benefits (payment_date);
