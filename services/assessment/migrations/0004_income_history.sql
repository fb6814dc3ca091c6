-- C-24: a corrected income (a later tax file, a 無所得申立) replaces the current row; the row it
-- replaces is kept here with who replaced it and when, so the prior value stays in the history.
CREATE TABLE income_history (
    LIKE incomes,
    replaced_at timestamptz NOT NULL DEFAULT now(),
    replaced_by text NOT NULL
);
CREATE INDEX income_history_person_idx ON income_history (addressee_number, income_year);
