-- 療養費 applications (補装具, 柔道整復, はり・きゅう, 海外療養費; NHI-B-21–32) with their review
-- and payment; the payee account is here only (never on a topic).
CREATE TABLE medical_expense_applications (
    application_id           uuid PRIMARY KEY,
    kind                     text NOT NULL
        CHECK (kind IN ('orthosis', 'judo_therapy', 'acupuncture', 'overseas')),
    nhi_household_number     text NOT NULL CHECK (nhi_household_number ~ '^[0-9]{10}$'),
    patient_addressee_number text NOT NULL CHECK (patient_addressee_number ~ '^[0-9]{10}$'),
    age_band                 text NOT NULL CHECK (age_band IN ('under_70', '70_74')),
    care_from                date NOT NULL,
    paid_on                  date NOT NULL,
    paid_amount              bigint NOT NULL,
    standard_cost            bigint NOT NULL,
    payee_addressee_number   text NOT NULL,
    bank_code                text NOT NULL,
    branch_code              text NOT NULL,
    account_type             text NOT NULL,
    account_number           text NOT NULL,
    holder_kana              text NOT NULL,
    entered_by               text NOT NULL,
    applied_on               date NOT NULL,
    status                   text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    allowed_cost             bigint NOT NULL DEFAULT 0,
    rate_percent             integer NOT NULL DEFAULT 0,
    rate_basis               text NOT NULL DEFAULT '',
    amount                   bigint NOT NULL DEFAULT 0,
    paid                     bigint NOT NULL DEFAULT 0,
    reason                   text NOT NULL DEFAULT '',
    reviewed_by              text,
    decided_on               date,
    version                  integer NOT NULL
);

CREATE INDEX medical_expense_applications_by_household
    ON medical_expense_applications (nhi_household_number);
