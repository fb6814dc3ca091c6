-- 口座振替: registrations from the request form (four eyes, C-11). Private: the account number
-- stays in this table (never on a topic, never in a log); a replaced account is kept (C-24).
CREATE TABLE debit_accounts (
    registration_id text PRIMARY KEY,
    household       text NOT NULL CHECK (household ~ '^[0-9]{10}$'),
    bank_code       text NOT NULL CHECK (bank_code ~ '^[0-9]{4}$'),
    branch_code     text NOT NULL CHECK (branch_code ~ '^[0-9]{3}$'),
    account_type    text NOT NULL,
    account_number  text NOT NULL CHECK (account_number ~ '^[0-9]{7}$'),
    holder_kana     text NOT NULL,
    bank_name       text NOT NULL,
    branch_name     text NOT NULL,
    status          text NOT NULL CHECK (status IN ('pending', 'active', 'rejected', 'replaced')),
    entered_by      text NOT NULL,
    entered_on      date NOT NULL,
    confirmed_by    text,
    confirmed_on    date
);
CREATE UNIQUE INDEX debit_accounts_one_active ON debit_accounts (household)
    WHERE status = 'active';

-- the monthly debit request files written (their content is rebuilt, never stored)
CREATE TABLE debit_requests (
    request_id  text PRIMARY KEY,
    debit_on    date NOT NULL UNIQUE,
    count       integer NOT NULL,
    total       bigint NOT NULL,
    created_by  text NOT NULL,
    created_on  date NOT NULL
);
