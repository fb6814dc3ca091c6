-- The inputs each assessment was computed from (household facts, incomes, 減免 ratios), so that
-- the explanation can be regenerated exactly; the annual run stores these instead of the full
-- explanation (ADR 0033).
ALTER TABLE assessments ADD COLUMN inputs jsonb NOT NULL DEFAULT '{}';
ALTER TABLE assessments ADD COLUMN parameters_digest text NOT NULL DEFAULT '';
ALTER TABLE assessments ALTER COLUMN explanation DROP NOT NULL;

-- 本算定: one row per annual run, with its checkpoint (resumable) and summary.
CREATE TABLE annual_runs (
    run_id        uuid PRIMARY KEY,
    fiscal_year   integer NOT NULL,
    status        text NOT NULL,          -- running | finished
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    started_by    text NOT NULL,
    checkpoint    text NOT NULL DEFAULT '',   -- the last household number done
    households    integer NOT NULL DEFAULT 0,
    assessed      integer NOT NULL DEFAULT 0,
    unchanged     integer NOT NULL DEFAULT 0,
    refused       jsonb NOT NULL DEFAULT '[]',
    totals        jsonb NOT NULL DEFAULT '{}',
    reductions    jsonb NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX annual_runs_one_running ON annual_runs (fiscal_year) WHERE status = 'running';
