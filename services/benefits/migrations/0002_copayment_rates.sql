-- The template's example cases give way to benefits' own read models.
DROP TABLE IF EXISTS cases;

-- The 70–74 co-payment rate and 所得区分 in force per household and income year (NHI-B-6/7):
-- categories and the rate only, never the incomes they were judged on (C-04).
CREATE TABLE copayment_rates (
    nhi_household_number   text NOT NULL CHECK (nhi_household_number ~ '^[0-9]{10}$'),
    income_year            integer NOT NULL CHECK (income_year BETWEEN 2000 AND 2100),
    effective_from         date NOT NULL,
    effective_to           date NOT NULL,
    under_70_category      text NOT NULL CHECK (under_70_category IN ('a', 'i', 'u', 'e', 'o')),
    elderly_category       text CHECK (elderly_category IN
                               ('active_3', 'active_2', 'active_1', 'general', 'low_2', 'low_1')),
    copayment_rate_percent integer CHECK (copayment_rate_percent IN (20, 30)),
    addressee_numbers      text[] NOT NULL,
    decided_by             text NOT NULL,
    decided_on             date NOT NULL,
    basis                  text[] NOT NULL,
    decisions              integer NOT NULL CHECK (decisions >= 1),
    PRIMARY KEY (nhi_household_number, income_year)
);

CREATE INDEX copayment_rates_by_member ON copayment_rates USING gin (addressee_numbers);
