-- The delinquency file's read models (the events are the truth; these are rebuilt from them).
-- The template's example table goes: cases are kept per NHI household from here on.
DROP TABLE IF EXISTS cases;

-- one row per household: the case as its events left it (the whole state as JSON, and the
-- columns lists, the review job and statistics filter on)
CREATE TABLE case_views (
    household    text PRIMARY KEY CHECK (household ~ '^[0-9]{10}$'),
    status       text NOT NULL,
    stage        text,
    officer      text,
    ward         text,
    outstanding  bigint NOT NULL,
    state        jsonb NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_views_by_status ON case_views (status, household);
CREATE INDEX case_views_by_officer ON case_views (officer, household);

-- the 納期限 of each instalment, copied from collection's ChargeSet (NHI-Q-10)
CREATE TABLE charge_dates (
    household    text NOT NULL CHECK (household ~ '^[0-9]{10}$'),
    fiscal_year  integer NOT NULL,
    period       integer NOT NULL,
    due_date     date NOT NULL,
    PRIMARY KEY (household, fiscal_year, period)
);
