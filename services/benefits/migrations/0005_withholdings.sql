-- 給付の一時差止 (rules.md §4.6) as consumed from delinquency: the periods per household, and
-- the payments decided while withheld (one per decision stream), ordered once on release.
CREATE TABLE benefit_withholdings (
    nhi_household_number text NOT NULL CHECK (nhi_household_number ~ '^[0-9]{10}$'),
    withheld_on          date NOT NULL,
    released_on          date,
    PRIMARY KEY (nhi_household_number, withheld_on)
);

CREATE TABLE withheld_payments (
    stream_id            text PRIMARY KEY,
    benefit_kind         text NOT NULL,
    nhi_household_number text NOT NULL CHECK (nhi_household_number ~ '^[0-9]{10}$'),
    decision_id          uuid NOT NULL,
    treatment_month      date,
    amount               bigint NOT NULL CHECK (amount > 0),
    withheld_on          date NOT NULL,
    released_on          date,
    payment_id           uuid
);

CREATE INDEX withheld_payments_pending ON withheld_payments (nhi_household_number)
    WHERE payment_id IS NULL;
