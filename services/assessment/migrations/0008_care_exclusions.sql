-- 介護保険適用除外 periods of a member (ADR 0038), a projection of eligibility's
-- CareInsuranceExclusionRecorded/Ended: [{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD" | null,
-- "facility_kind": "..."}]. The facility's name is not kept (the premium does not need it).
ALTER TABLE household_members
    ADD COLUMN IF NOT EXISTS care_exclusions jsonb NOT NULL DEFAULT '[]'::jsonb;
