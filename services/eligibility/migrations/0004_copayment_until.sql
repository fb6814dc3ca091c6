-- The end of the current 70-74 co-payment rate period of an insured person (高齢受給者), so the
-- daily job finds who needs a rate without replaying every household.
ALTER TABLE qualification_periods ADD COLUMN IF NOT EXISTS copayment_until date;
CREATE INDEX IF NOT EXISTS qualification_open_copayment
    ON qualification_periods (copayment_until) WHERE open;
