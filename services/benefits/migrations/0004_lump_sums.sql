-- 葬祭費 and 出産育児一時金 applications with their review and payment (NHI-B-41–49); the
-- payee account is here only (never on a topic).
CREATE TABLE lump_sum_applications (
    application_id           uuid PRIMARY KEY,
    stream_id                text NOT NULL UNIQUE,
    kind                     text NOT NULL CHECK (kind IN ('funeral', 'childbirth')),
    nhi_household_number     text NOT NULL CHECK (nhi_household_number ~ '^[0-9]{10}$'),
    subject_addressee_number text NOT NULL CHECK (subject_addressee_number ~ '^[0-9]{10}$'),
    event_date               date NOT NULL,
    funeral_date             date,
    birth_category           text,
    children                 integer NOT NULL,
    institution_paid         bigint NOT NULL,
    payee_addressee_number   text NOT NULL,
    bank_code                text NOT NULL,
    branch_code              text NOT NULL,
    account_type             text NOT NULL,
    account_number           text NOT NULL,
    holder_kana              text NOT NULL,
    entered_by               text NOT NULL,
    applied_on               date NOT NULL,
    status                   text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    amount                   bigint NOT NULL DEFAULT 0,
    to_institution           bigint NOT NULL DEFAULT 0,
    to_household             bigint NOT NULL DEFAULT 0,
    paid                     bigint NOT NULL DEFAULT 0,
    reason                   text NOT NULL DEFAULT '',
    reviewed_by              text,
    decided_on               date,
    version                  integer NOT NULL
);

CREATE INDEX lump_sum_applications_by_household ON lump_sum_applications (nhi_household_number);
