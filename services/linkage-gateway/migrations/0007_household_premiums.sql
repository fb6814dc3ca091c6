-- What the premium replica (保険料の副本) is built from: the householder of each NHI household
-- (from eligibility's events) and the household's latest assessment per fiscal year (from
-- assessment's events). The replica belongs to the householder, who owes the premium.
CREATE TABLE households (
    nhi_household_number         text PRIMARY KEY,
    householder_addressee_number text NOT NULL,
    updated_at                   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE household_premiums (
    nhi_household_number text NOT NULL,
    fiscal_year          integer NOT NULL,
    revision             integer NOT NULL,
    content              jsonb NOT NULL,
    PRIMARY KEY (nhi_household_number, fiscal_year)
);
