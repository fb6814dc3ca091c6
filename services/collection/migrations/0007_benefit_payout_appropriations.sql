-- Benefit payouts benefits marked may_appropriate_to_arrears (特別療養費, rules.md 4.6) and
-- what collection set against the household's overdue premiums (ADR 0085): one row per
-- payment, also when nothing was overdue (appropriated 0), so a redelivery changes nothing.
CREATE TABLE benefit_payout_appropriations (
    benefit_payment_id     text PRIMARY KEY,
    nhi_household_number   text NOT NULL CHECK (nhi_household_number ~ '^[0-9]{10}$'),
    payee_addressee_number text NOT NULL CHECK (payee_addressee_number ~ '^[0-9]{10}$'),
    benefit_kind           text NOT NULL,
    payout                 bigint NOT NULL CHECK (payout > 0),
    appropriated           bigint NOT NULL CHECK (appropriated >= 0 AND appropriated <= payout),
    decided_on             date NOT NULL
);
CREATE INDEX benefit_payout_appropriations_household
    ON benefit_payout_appropriations (nhi_household_number);
