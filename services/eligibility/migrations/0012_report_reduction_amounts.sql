-- 軽減額 per component (ADR 0080): the yen the statutory 7/5/2割 reduction took off 均等割 and
-- 平等割, as assessment's PremiumAssessed carries it ({"medical": [per capita, per household],
-- ...}); NULL for an event from before it was published (the 保険基盤安定 totals count those
-- households apart instead of guessing).
ALTER TABLE report_assessments ADD COLUMN IF NOT EXISTS reductions jsonb;
