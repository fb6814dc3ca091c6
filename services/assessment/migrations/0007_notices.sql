-- 通知書番号 and issue date of each notice (ADR 0037). The number is derived from the year,
-- household and revision; the issue date is the day the assessment was made (null for rows
-- from before this column: the notice then shows the day it is printed).
ALTER TABLE assessments ADD COLUMN IF NOT EXISTS notice_issued_on date;
