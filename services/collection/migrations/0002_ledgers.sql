-- collection's own read models replace the template's example cases.
DROP TABLE IF EXISTS cases;

-- the ledger of each household as of its last event (a snapshot beside its event stream
-- household-<number>; version = that stream's version)
CREATE TABLE ledgers (
    household   text PRIMARY KEY CHECK (household ~ '^[0-9]{10}$'),
    version     integer NOT NULL,
    state       jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- one row per charge, for the daily jobs to find their households
CREATE TABLE charges (
    household     text NOT NULL,
    fiscal_year   integer NOT NULL,
    period        integer NOT NULL,
    due_date      date NOT NULL,
    amount        bigint NOT NULL CHECK (amount >= 0),
    outstanding   bigint NOT NULL,
    dunned_on     date,
    lapsed_on     date,
    PRIMARY KEY (household, fiscal_year, period)
);
CREATE INDEX charges_undunned ON charges (due_date) WHERE outstanding > 0 AND dunned_on IS NULL;
CREATE INDEX charges_unpaid ON charges (due_date) WHERE outstanding > 0 AND lapsed_on IS NULL;

CREATE TABLE work_items (
    item_id     text PRIMARY KEY,
    kind        text NOT NULL,
    reason      text NOT NULL,
    household   text,
    amount      bigint NOT NULL,
    reference   text NOT NULL,
    created_on  date NOT NULL,
    import_id   text,
    line        integer,
    resolved    boolean NOT NULL DEFAULT false
);

CREATE TABLE payment_imports (
    import_id     text PRIMARY KEY,
    sha256        text NOT NULL UNIQUE,
    file_name     text NOT NULL,
    lines         integer NOT NULL,
    applied       integer NOT NULL,
    refused       integer NOT NULL,
    work_items    integer NOT NULL,
    partial       boolean NOT NULL,
    imported_by   text NOT NULL,
    imported_on   date NOT NULL,
    refused_lines jsonb NOT NULL
);

-- printed documents' content (dunning notices, refund and appropriation notices with the
-- refund account, NHI-C-21): rendered again on request, never published
CREATE TABLE documents (
    document_id text PRIMARY KEY,
    kind        text NOT NULL,
    household   text NOT NULL,
    issued_on   date NOT NULL,
    content     jsonb NOT NULL
);
CREATE INDEX documents_by_household ON documents (household);
