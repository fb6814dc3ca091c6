-- 特別療養費 (rules.md §4.6): the periods delinquency flags a household (SpecialCareFlagged /
-- SpecialCareCleared), and 療養費 applications of kind special_care.
CREATE TABLE special_care_periods (
    nhi_household_number text NOT NULL CHECK (nhi_household_number ~ '^[0-9]{10}$'),
    flagged_on           date NOT NULL,
    cleared_on           date,
    PRIMARY KEY (nhi_household_number, flagged_on)
);

ALTER TABLE medical_expense_applications
    DROP CONSTRAINT medical_expense_applications_kind_check;
ALTER TABLE medical_expense_applications
    ADD CONSTRAINT medical_expense_applications_kind_check
    CHECK (kind IN ('orthosis', 'judo_therapy', 'acupuncture', 'overseas', 'special_care'));
