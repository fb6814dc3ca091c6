-- 高額介護合算療養費 (NHI-B-50–57): the LTC insurer's self-pays per member and base date (the
-- KKH-KGS file), and the applications with their calculation, review and payment.
CREATE TABLE ltc_self_pays (
    base_date            date NOT NULL,
    nhi_household_number text NOT NULL CHECK (nhi_household_number ~ '^[0-9]{10}$'),
    addressee_number     text NOT NULL CHECK (addressee_number ~ '^[0-9]{10}$'),
    ltc_insurer          text NOT NULL CHECK (ltc_insurer ~ '^[0-9]{6}$'),
    amount               bigint NOT NULL CHECK (amount >= 0),
    import_id            uuid NOT NULL,
    PRIMARY KEY (base_date, nhi_household_number, addressee_number)
);

CREATE TABLE ltc_imports (
    import_id   uuid PRIMARY KEY,
    file_name   text NOT NULL,
    sha256      text NOT NULL UNIQUE,
    base_date   date NOT NULL,
    rows        integer NOT NULL,
    received_by text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE combined_care_applications (
    application_id         uuid PRIMARY KEY,
    nhi_household_number   text NOT NULL CHECK (nhi_household_number ~ '^[0-9]{10}$'),
    year                   integer NOT NULL,
    application            jsonb NOT NULL,
    payee_addressee_number text NOT NULL,
    bank_code              text NOT NULL,
    branch_code            text NOT NULL,
    account_type           text NOT NULL,
    account_number         text NOT NULL,
    holder_kana            text NOT NULL,
    status                 text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    amount                 bigint NOT NULL DEFAULT 0,
    paid                   bigint NOT NULL DEFAULT 0,
    reason                 text NOT NULL DEFAULT '',
    reviewed_by            text,
    decided_on             date,
    version                integer NOT NULL,
    UNIQUE (nhi_household_number, year)
);
