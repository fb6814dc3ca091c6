-- 特別療養費 (rules.md 4.6): delinquency's flag on a household, and the 資格確認書 that says so.
ALTER TABLE households ADD COLUMN IF NOT EXISTS special_care_from date;
ALTER TABLE certificates ADD COLUMN IF NOT EXISTS special_care boolean NOT NULL DEFAULT false;
