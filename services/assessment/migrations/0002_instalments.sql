-- 期割: the instalments of the current assessment (period, due date, amount, difference).
ALTER TABLE assessments ADD COLUMN instalments jsonb NOT NULL DEFAULT '[]';
