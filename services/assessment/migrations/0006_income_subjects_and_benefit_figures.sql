-- Income file format 2 (ADR 0045): the figures benefits needs for 所得区分 and the 70–74 rate.
-- NULL: a format-1 line (not known). Kept in the history like every other figure (C-24).
ALTER TABLE incomes
    ADD COLUMN taxable_income bigint CHECK (taxable_income >= 0),
    ADD COLUMN other_revenue  bigint CHECK (other_revenue >= 0);
ALTER TABLE income_history
    ADD COLUMN taxable_income bigint,
    ADD COLUMN other_revenue  bigint;

-- C-06: lines of people who are not subjects (no NHI member or householder known to
-- assessment at import) are counted and discarded, never stored; the count is the record.
ALTER TABLE income_imports
    ADD COLUMN discarded_non_subjects integer NOT NULL DEFAULT 0
        CHECK (discarded_non_subjects >= 0);
